"""One reader per archive format, each streaming a decoded file into records or a page.

A reader yields `Record`s (one JSON object or CSV row, with the line where it starts), a `Page`
(a whole .txt, .md or .html file), or `Skip`s (what could not be read, and why). Mapping record
fields to an article is `index.articles`' job.

JSON files stream too: text is read in 1 MiB blocks and `json.JSONDecoder.raw_decode` takes one
value at a time, so a top-level array, a wrapper object holding the list under "articles",
"data" or "items", a single article object, or objects one after another all need only about
one record in memory. A syntax error in a .json file ends that file: there is no safe place to
resume. In JSON Lines and CSV files only the broken line or row is skipped; a CSV row with more
cells than the header has columns (an unquoted comma in a title shifts every field after it)
is broken too, never stored with its fields moved or its extra cells dropped.

Each `Skip` names its kind, one of the stable categories `index.articles.Problem` documents,
and says whether it lost text (`unread`): a line or the rest of a file that could not be
decoded or parsed, as opposed to a record that was read and refused (an empty text).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from index.errors import UndecodableFileError
from index.html_text import extract

__all__ = [
    "Page",
    "Record",
    "Skip",
    "oversize",
    "read_delimited",
    "read_html",
    "read_json",
    "read_jsonl",
    "read_text",
]

_BLOCK = 1 << 20
_REST = "; rest of file skipped"
_WRAPPER_KEYS = ("articles", "data", "items")
_SPACE = re.compile(r"[ \t\n\r]*")
_CSV_FIELD_LIMIT = 2**31 - 1  # the character cap on texts applies later, with a clear message
# The kinds of skip the readers report (see `index.articles.Problem` for all of them).
UNDECODABLE = "undecodable"
BROKEN_JSON = "broken JSON"
BROKEN_CSV = "broken CSV"
EXTRA_CELLS = "more cells than columns"
NOT_AN_OBJECT = "not a JSON object"
EMPTY_TEXT = "empty text"
TOO_LONG = "too long"
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


class TextSource(Protocol):
    def read(self, size: int = -1, /) -> str: ...
    def __iter__(self) -> Iterator[str]: ...


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts, 1-based
    fields: dict[str, Any]


@dataclass(frozen=True)
class Page:
    title: str
    text: str
    date: str  # as written, not parsed
    url: str
    source: str


@dataclass(frozen=True)
class Skip:
    line: int | None
    reason: str
    kind: str  # a stable category of the reason: "broken JSON", "undecodable", ...
    unread: bool = False  # text was lost unread: the file's articles are not all known


def oversize(size: int, cap: int) -> str:
    return f"text of {size:,} characters exceeds the {cap:,}-character cap; split it or raise it"


class _Lines:
    """Iterates over lines and counts them, the failed ones too."""

    def __init__(self, source: Iterable[str]) -> None:
        self._lines = iter(source)
        self.count = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        self.count += 1
        return next(self._lines)


def read_jsonl(source: TextSource) -> Iterator[Record | Skip]:
    lines = _Lines(source)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except UndecodableFileError as err:
            yield Skip(lines.count, err.reason, UNDECODABLE, unread=True)
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line.rstrip("\r\n"))  # an error at its end: a column of this line
        except json.JSONDecodeError as err:
            reason = f"broken JSON: {err.msg} (column {err.colno})"
            yield Skip(lines.count, reason, BROKEN_JSON, unread=True)
            continue
        yield _record(lines.count, value)


def read_delimited(source: TextSource, *, delimiter: str) -> Iterator[Record | Skip]:
    """CSV (or TSV) with a header row; the line of a row is where it starts.

    A row with more cells than the header has columns is skipped, named with its line.
    """
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    lines = _Lines(source)
    rows = csv.reader(lines, delimiter=delimiter)
    header: list[str] | None = None
    while True:
        start = lines.count + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except UndecodableFileError as err:
            yield Skip(lines.count, err.reason, UNDECODABLE, unread=True)
            continue
        except csv.Error as err:
            yield Skip(start, f"broken CSV: {err}", BROKEN_CSV, unread=True)
            continue
        if not row:
            continue
        if header is None:
            header = [name.strip() for name in row]
        elif len(row) > len(header):
            yield Skip(start, _extra_cells(len(row), len(header), delimiter), EXTRA_CELLS,
                       unread=True)
        else:
            yield Record(start, {name: value for name, value in zip(header, row, strict=False)})


def _extra_cells(cells: int, columns: int, delimiter: str) -> str:
    mark = "comma" if delimiter == "," else "tab"
    return (f"row has {cells} cells but the header {columns} columns (a {mark} inside a field "
            "that is not quoted?); row skipped")


def read_json(source: TextSource, *, max_chars: int) -> Iterator[Record | Skip]:
    cursor = _Cursor(source, limit=8 * max_chars + _BLOCK)
    try:
        while first := cursor.peek():
            if first == "[":
                yield from _array(cursor)
            elif first == "{":
                yield from _object(cursor)
            else:
                raise _Broken(cursor.line, f"expected '[' or '{{', found {first!r}")
    except _Broken as err:
        yield Skip(err.line, err.reason, err.kind, unread=True)


def read_text(source: TextSource, *, max_chars: int, markdown: bool) -> Iterator[Page | Skip]:
    """A whole .txt or .md file; a .md file's first line "# Title" becomes its title."""
    text = _read_capped(source, max_chars)
    if isinstance(text, Skip):
        yield text
        return
    text = text.replace("\r\n", "\n")
    title = ""
    if markdown and text.startswith("# "):
        heading, _, text = text.partition("\n")
        title, text = heading[2:].strip(), text.lstrip("\n")
    if not text.strip():
        yield Skip(None, "empty file" if not title else "empty text (only a title)", EMPTY_TEXT)
        return
    yield Page(title=title, text=text, date="", url="", source="")


def read_html(source: TextSource, *, max_chars: int) -> Iterator[Page | Skip]:
    html = _read_capped(source, 8 * max_chars)  # markup weighs more than the text it holds
    if isinstance(html, Skip):
        yield html
        return
    doc = extract(html)
    if not doc.text:
        yield Skip(None, "empty text (no main text in the page)", EMPTY_TEXT)
        return
    yield Page(title=doc.title, text=doc.text, date=doc.date, url=doc.url, source=doc.source)


def _read_capped(source: TextSource, cap: int) -> str | Skip:
    parts: list[str] = []
    size = 0
    while size <= cap and (block := source.read(_BLOCK)):
        parts.append(block)
        size += len(block)
    if size <= cap:
        return "".join(parts)
    parts.clear()
    while block := source.read(_BLOCK):  # count the rest without keeping it
        size += len(block)
    return Skip(None, oversize(size, cap), TOO_LONG)


def _record(line: int, value: object) -> Record | Skip:
    if isinstance(value, dict):
        return Record(line, value)
    kind = _JSON_TYPES.get(type(value), "number")
    return Skip(line, f"record is a JSON {kind}, not an object", NOT_AN_OBJECT)


class _Broken(Exception):
    def __init__(self, line: int | None, reason: str, kind: str = BROKEN_JSON) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason
        self.kind = kind


class _Cursor:
    """A position in JSON text read block by block; `line` is the line number at `pos`."""

    def __init__(self, source: TextSource, *, limit: int) -> None:
        self._source = source
        self._limit = limit  # the most characters one value may span
        self._decode = json.JSONDecoder().raw_decode
        self._buf = ""
        self._pos = 0
        self._eof = False
        self.line = 1

    def peek(self) -> str:
        """The next character that is not white space, "" at the end of the text."""
        while True:
            gap = _SPACE.match(self._buf, self._pos)
            self._advance(gap.end() if gap else self._pos)
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def take(self) -> None:
        """Step over the character `peek` returned."""
        self._advance(self._pos + 1)

    def value(self) -> object:
        """The JSON value starting at the next character that is not white space."""
        self.peek()
        while True:
            try:
                value, end = self._decode(self._buf, self._pos)
            except json.JSONDecodeError as err:
                if self._eof or not _maybe_cut(err, len(self._buf)):
                    line = self.line + self._buf.count("\n", self._pos, err.pos)
                    raise _Broken(line, f"broken JSON: {err.msg}{_REST}") from None
                self._fill_within_limit()
                continue
            if end == len(self._buf) and not self._eof:  # "12" may be the start of "1234"
                self._fill_within_limit()
                continue
            self._advance(end)
            return value

    def _fill_within_limit(self) -> None:
        if len(self._buf) - self._pos > self._limit:
            raise _Broken(
                self.line,
                f"JSON record longer than {self._limit:,} characters{_REST}",
                TOO_LONG,
            )
        self._fill()

    def _advance(self, end: int) -> None:
        self.line += self._buf.count("\n", self._pos, end)
        self._pos = end

    def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            block = self._source.read(_BLOCK)
        except UndecodableFileError as err:
            raise _Broken(err.line, err.reason, UNDECODABLE) from None
        if not block:
            self._eof = True
            return False
        if self._pos >= _BLOCK:  # forget what was already read
            self._buf, self._pos = self._buf[self._pos :], 0
        self._buf += block
        return True


def _maybe_cut(err: json.JSONDecodeError, end: int) -> bool:
    """Whether the error may only mean the text read so far ends inside the value."""
    return err.msg.startswith("Unterminated string") or err.pos >= end - 16


def _array(cursor: _Cursor) -> Iterator[Record | Skip]:
    cursor.take()  # "["
    if cursor.peek() == "]":
        cursor.take()
        return
    while True:
        cursor.peek()
        line = cursor.line
        yield _record(line, cursor.value())
        after = cursor.peek()
        if after == "]":
            cursor.take()
            return
        if after != ",":
            raise _Broken(cursor.line, f"broken JSON: Expecting ',' delimiter{_REST}")
        cursor.take()


def _object(cursor: _Cursor) -> Iterator[Record | Skip]:
    """One article object, or a wrapper whose "articles" (or "data", "items") list is streamed."""
    start = cursor.line
    cursor.take()  # "{"
    fields: dict[str, Any] = {}
    wrapper = False
    while (after := cursor.peek()) != "}":
        key = cursor.value() if after == '"' else None
        if not isinstance(key, str) or cursor.peek() != ":":
            raise _Broken(cursor.line, f"broken JSON: Expecting property name and ':'{_REST}")
        cursor.take()
        if cursor.peek() == "[" and key.lower() in _WRAPPER_KEYS:
            wrapper = True
            yield from _array(cursor)
        else:
            fields[key] = cursor.value()
        after = cursor.peek()
        if after == "}":
            break
        if after != ",":
            raise _Broken(cursor.line, f"broken JSON: Expecting ',' delimiter{_REST}")
        cursor.take()
    cursor.take()  # "}"
    if not wrapper:
        yield _record(start, fields)
