"""Loading and validating articles from an archive of files, streamed one article at a time.

Formats, by suffix (each also gzip-compressed with ".gz" added): JSON Lines (.jsonl, .ndjson),
JSON (.json), CSV (.csv), TSV (.tsv), one article per file (.txt, .md, .html, .htm). Record fields
are found through a `FieldMap`: the first alias present with a value wins, keys matched without
regard to case. What cannot be loaded is reported as a `Problem` and skipped; loading goes on.

Conventions:
- Text is stored verbatim, except decoded, HTML reduced to its main text, "\\r\\n" made "\\n",
  and cleaned (`index.clean`: HTML entities decoded, leaked CSS and JavaScript removed); titles
  have their entities decoded too.
- A record without an id gets "sha1-" + the first 16 hex digits of the SHA-1 of its text with
  every run of white space made one space and the ends trimmed, so the id survives re-wrapping.
- A .txt, .md or .html file's id is its name without suffixes; a .md file whose first line is
  "# Title" has that title, and the line is dropped from the text.
- Dates become "YYYY-MM-DD" (see `parse_date`); a date that does not parse is dropped, with a
  warning.
- In a folder, a symbolic link is followed only to a file inside the paths given (resolved);
  a link out of them is skipped and reported. Linked folders are never walked (what they hold
  inside the paths given is walked where it is).
"""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
import re
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from index.clean import clean_text, clean_title
from index.decode import TRIED, checked_encoding, open_text
from index.errors import ArchiveNotFoundError, FieldMapError, UndecodableFileError
from index.readers import (
    EMPTY_TEXT,
    TOO_LONG,
    UNDECODABLE,
    Page,
    Record,
    Skip,
    TextSource,
    oversize,
    read_delimited,
    read_html,
    read_json,
    read_jsonl,
    read_text,
)

__all__ = [
    "DEFAULT_FIELDS",
    "SUPPORTED_SUFFIXES",
    "Article",
    "FieldMap",
    "Problem",
    "derived_id",
    "iter_articles",
    "parse_date",
]

SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".md", ".html", ".htm")
_FORMATS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
    ".txt": "txt", ".md": "md", ".html": "html", ".htm": "html",
}  # fmt: skip
_MAX_EXTRA_CHARS = 500
UNSUPPORTED = "unsupported file type"
UNREADABLE = "unreadable file"
OUTSIDE = "link outside the archive"


@dataclass(frozen=True)
class Article:
    id: str
    title: str  # "" when absent
    date: str | None  # "YYYY-MM-DD"
    source: str  # outlet name, "" when absent
    url: str  # "" when absent
    text: str  # verbatim, except decoded, HTML stripped, "\r\n" made "\n" and cleaned
    origin: str  # "path:line" (where the record starts) or "path" for one-article files
    extra: tuple[tuple[str, str], ...] = ()  # other short scalar fields, sorted by key


@dataclass(frozen=True)
class Problem:
    """Something in the archive that was skipped (or only warned about), where, and why.

    `kind` is a stable category of `reason`, for counting: "undecodable", "unreadable file",
    "broken JSON", "broken CSV", "more cells than columns", "not a JSON object", "empty text",
    "too long", "unsupported file type", "link outside the archive", "duplicate id",
    "duplicate text"; for warnings "no id", "bad date", "not pruned".
    `unread` says text of the file was lost unread (bytes that do not decode, a line or row
    that does not parse, a file that breaks off): its articles are not all known, so none of
    those stored from it is pruned.
    """

    path: str
    line: int | None
    reason: str
    skipped: bool  # True: the record or file was not loaded; False: a warning
    kind: str = ""
    unread: bool = False

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class FieldMap:
    """For each article field, the record keys that may hold it, in order of preference."""

    id: tuple[str, ...] = ("id", "_id", "article_id", "guid", "uuid")
    title: tuple[str, ...] = ("title", "headline", "name")
    date: tuple[str, ...] = (
        "date", "published_at", "published", "pubdate", "date_published", "publish_date",
        "datetime", "created_at",
    )  # fmt: skip
    source: tuple[str, ...] = ("source_name", "source", "outlet", "publisher", "site", "newspaper")
    url: tuple[str, ...] = ("url", "link", "href", "permalink")
    text: tuple[str, ...] = ("text", "content", "body", "article", "article_text", "story")

    def with_overrides(self, overrides: Mapping[str, str]) -> FieldMap:
        """This map with some fields read from one named key each: {"text": "maqal"}."""
        known = [field.name for field in dataclasses.fields(self)]
        for name in overrides:
            if name not in known:
                raise FieldMapError(
                    f"unknown article field {name!r} in field overrides; "
                    f"use one of {', '.join(known)}"
                )
        return dataclasses.replace(self, **{name: (key,) for name, key in overrides.items()})


DEFAULT_FIELDS = FieldMap()


def iter_articles(
    paths: Sequence[Path],
    *,
    fields: FieldMap = DEFAULT_FIELDS,
    max_chars: int = 1_000_000,
    encoding: str | None = None,
    on_problem: Callable[[Problem], None],
) -> Iterator[Article]:
    """The articles in `paths` (files, or folders walked in sorted order), one at a time.

    Raises ArchiveNotFoundError for a missing path and UnknownEncodingError for a bad
    `encoding` (None: detect per file) when called, before anything is read or iterated.
    """
    for path in paths:
        if not path.exists():
            raise ArchiveNotFoundError(f"{path}: no such file or folder; check the archive path")
    if encoding is not None:
        checked_encoding(encoding)
    return _articles(paths, fields, max_chars, encoding, on_problem)


def _articles(
    paths: Sequence[Path], fields: FieldMap, max_chars: int, encoding: str | None,
    on_problem: Callable[[Problem], None],
) -> Iterator[Article]:
    roots = [path.resolve() for path in paths]
    for path in paths:
        if path.is_dir():
            files: Iterator[Path] = _walk(path, roots, on_problem)
        elif _format(path) is not None:
            files = iter([path])
        else:
            reason = f"unsupported file type {_suffix(path)!r} (supported: {_supported()})"
            on_problem(Problem(str(path), None, reason, skipped=True, kind=UNSUPPORTED))
            continue
        for file in files:
            yield from _file_articles(file, fields, max_chars, encoding, on_problem)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        return Path(name.removesuffix(".gz")).suffix + ".gz"
    return Path(name).suffix


def _supported() -> str:
    return ", ".join(SUPPORTED_SUFFIXES) + ", each also with .gz"


def _format(path: Path) -> str | None:
    return _FORMATS.get(_suffix(path).removesuffix(".gz"))


def _walk(
    folder: Path, roots: Sequence[Path], on_problem: Callable[[Problem], None]
) -> Iterator[Path]:
    """Supported files under `folder`, sorted; hidden ones and linked folders left out.

    A symbolic link is followed only to a file inside `roots` (resolved paths); one that leads
    out of them, to a file that would be read or to a folder, is reported and skipped.
    """
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_symlink():
            try:
                target = child.resolve()
            except (OSError, RuntimeError) as err:  # a loop of links
                reason = f"cannot read the file ({err})"
                on_problem(Problem(str(child), None, reason, skipped=True, kind=UNREADABLE,
                                   unread=True))
                continue
            wanted = target.is_dir() or _format(child) is not None
            if wanted and not any(target == root or target.is_relative_to(root)
                                  for root in roots):
                reason = f"symbolic link to {target}, outside the archive paths given; not followed"
                on_problem(Problem(str(child), None, reason, skipped=True, kind=OUTSIDE))
                continue
            if target.is_dir():
                continue
        if child.is_dir():
            yield from _walk(child, roots, on_problem)
        elif _format(child) is not None:
            yield child


def _file_articles(
    path: Path,
    fields: FieldMap,
    max_chars: int,
    encoding: str | None,
    on_problem: Callable[[Problem], None],
) -> Iterator[Article]:
    where = str(path)
    source = None
    try:
        with open_text(path, encoding) as source:
            for item in _read(source, _format(path) or "", max_chars):
                if isinstance(item, Skip):
                    on_problem(Problem(where, item.line, item.reason, skipped=True,
                                       kind=item.kind, unread=item.unread))
                elif isinstance(item, Record):
                    article = _from_record(item, where, fields, max_chars, on_problem)
                    if article is not None:
                        yield article
                elif len(item.text) > max_chars:
                    reason = oversize(len(item.text), max_chars)
                    on_problem(Problem(where, None, reason, skipped=True, kind=TOO_LONG))
                else:
                    yield _from_page(item, path, on_problem)
    except UndecodableFileError as err:
        on_problem(Problem(where, err.line, err.reason or TRIED, skipped=True, kind=UNDECODABLE,
                           unread=True))
    except (OSError, EOFError, zlib.error) as err:
        line = None if source is None else source.lines_read + 1
        reason = f"cannot read the file ({err}); what was read before is kept"
        on_problem(Problem(where, line, reason, skipped=True, kind=UNREADABLE, unread=True))


def _read(source: TextSource, fmt: str, max_chars: int) -> Iterator[Record | Page | Skip]:
    if fmt == "jsonl":
        return read_jsonl(source)
    if fmt == "json":
        return read_json(source, max_chars=max_chars)
    if fmt in ("csv", "tsv"):
        return read_delimited(source, delimiter="," if fmt == "csv" else "\t")
    if fmt == "html":
        return read_html(source, max_chars=max_chars)
    return read_text(source, max_chars=max_chars, markdown=fmt == "md")


def _from_record(
    record: Record,
    where: str,
    fields: FieldMap,
    max_chars: int,
    on_problem: Callable[[Problem], None],
) -> Article | None:
    def report(reason: str, *, skipped: bool, kind: str) -> None:
        on_problem(Problem(where, record.line, reason, skipped=skipped, kind=kind))

    keys: dict[str, str] = {}
    for key in record.fields:
        keys.setdefault(key.strip().casefold(), key)
    found = {
        field.name: _pick(record.fields, keys, getattr(fields, field.name))
        for field in dataclasses.fields(fields)
    }
    text_key, text = found["text"]
    text = clean_text(text)
    if not text.strip():
        named = f"field {text_key!r}" if text_key else f"no field named {', '.join(fields.text)}"
        report(f"empty text ({named})", skipped=True, kind=EMPTY_TEXT)
        return None
    text = text.replace("\r\n", "\n")
    if len(text) > max_chars:
        report(oversize(len(text), max_chars), skipped=True, kind=TOO_LONG)
        return None
    article_id = found["id"][1].strip()
    if not article_id:
        article_id = derived_id(text)
        report(f"no id; derived {article_id!r}", skipped=False, kind="no id")
    used = {key for key, _ in found.values()}
    extra = sorted(
        (key, value)
        for key, value in ((key, _scalar(raw)) for key, raw in record.fields.items())
        if key not in used and value and value.strip() and len(value) <= _MAX_EXTRA_CHARS
    )
    return Article(
        id=article_id,
        title=clean_title(found["title"][1]),
        date=_checked_date(found["date"], report),
        source=found["source"][1].strip(),
        url=found["url"][1].strip(),
        text=text,
        origin=f"{where}:{record.line}",
        extra=tuple(extra),
    )


def _from_page(page: Page, path: Path, on_problem: Callable[[Problem], None]) -> Article:
    def report(reason: str, *, skipped: bool, kind: str) -> None:
        on_problem(Problem(str(path), None, reason, skipped=skipped, kind=kind))

    return Article(
        id=Path(path.name.removesuffix(".gz")).stem,
        title=clean_title(page.title),
        date=_checked_date(("date", page.date), report),
        source=page.source,
        url=page.url,
        text=clean_text(page.text),
        origin=str(path),
    )


def _pick(
    record: Mapping[str, Any], keys: Mapping[str, str], aliases: Sequence[str]
) -> tuple[str, str]:
    """(key, value) of the first alias with a non-blank value, else (first key found or "", "")."""
    present = ""
    for alias in aliases:
        key = keys.get(alias.casefold())
        if key is None:
            continue
        present = present or key
        value = _scalar(record[key])
        if value and value.strip():
            return key, value
    return present, ""


def _scalar(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None  # null, lists and objects


def _checked_date(found: tuple[str, str], report: Callable[..., None]) -> str | None:
    key, raw = found
    if not raw.strip():
        return None
    parsed = parse_date(raw)
    if parsed is None:
        report(f"bad date {raw.strip()!r} in field {key!r} (stored without a date)",
               skipped=False, kind="bad date")
    return parsed


def derived_id(text: str) -> str:
    """A stable id from an article's text, blind to how its white space runs."""
    digest = hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()
    return f"sha1-{digest[:16]}"


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\D|$)")
_YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\D|$)")


def parse_date(raw: str) -> str | None:
    """The date `raw` names as "YYYY-MM-DD", or None when it names no real date.

    Reads ISO 8601 dates and date-times, "21/07/2015" (day first), "2015/07/21", RFC 2822
    ("Tue, 21 Jul 2015 10:33:00 +0300") and Unix times in seconds or milliseconds, in Western or
    Arabic-Indic digits. A date-time keeps the date as written, whatever its time zone.
    """
    value = raw.strip().translate(_DIGITS)
    for parse in (_iso, _numeric, _rfc2822, _unix_time):
        try:
            found = parse(value)
        except (ValueError, TypeError, IndexError, OverflowError, OSError):
            continue
        if found is not None:
            return found.isoformat()
    return None


def _iso(value: str) -> date:
    return datetime.fromisoformat(value).date()


def _numeric(value: str) -> date | None:
    if match := _DAY_FIRST.match(value):
        day, month, year = match.groups()
    elif match := _YEAR_FIRST.match(value):
        year, month, day = match.groups()
    else:
        return None
    return date(int(year), int(month), int(day))


def _rfc2822(value: str) -> date:
    return email.utils.parsedate_to_datetime(value).date()


def _unix_time(value: str) -> date | None:
    if not value.isdigit() or len(value) not in (10, 13):
        return None
    seconds = int(value) / (1000 if len(value) == 13 else 1)
    return datetime.fromtimestamp(seconds, tz=UTC).date()
