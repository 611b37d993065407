"""Decoding archive files: guess the encoding, then stream the text strictly, never as mojibake.

Detection looks at a byte-order mark first, then sniffs the first 64 KiB: NUL bytes mean UTF-16
without a BOM; valid UTF-8 is UTF-8; otherwise Windows-1256 and ISO-8859-6 are both tried
strictly and the one that reads as more plausible Arabic wins (more Arabic letters and "ال",
fewer Latin accented letters and Arabic letters glued to Latin ones). A file that reads as no
plausible text raises `UndecodableFileError`.

Decoding stays strict past the sniffed window: a bad byte later on raises `UndecodableFileError`
naming its line. For UTF-8 and the 8-bit encodings, lines are decoded one at a time, so a reader
can skip the bad line and go on; for UTF-16 the rest of the file is lost.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
from pathlib import Path
from types import TracebackType

from index.errors import UndecodableFileError, UnknownEncodingError

__all__ = ["SNIFF_BYTES", "DecodedFile", "checked_encoding", "open_text", "sniff"]

SNIFF_BYTES = 64 * 1024
TRIED = "cannot decode as UTF-8, UTF-16, Windows-1256 or ISO-8859-6"

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_TEXT_CHARS = re.compile(
    "[\t\n\r\x20-\x7e\u00a0-\u00ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
    "\u200c-\u206f\ufb50-\ufdff\ufe70-\ufeff]"
)
_LETTERS = re.compile("[\u0621-\u064a]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_LATIN_ACCENTED = re.compile("[\u00c0-\u00ff]")
_GLUED = re.compile("[A-Za-z][\u0621-\u064a]|[\u0621-\u064a][A-Za-z]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def checked_encoding(name: str) -> str:
    """Python's canonical name for the codec `name`, or UnknownEncodingError."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UnknownEncodingError(
            f"unknown encoding {name!r}; use a Python codec name such as "
            "'utf-8', 'utf-16', 'cp1256' or 'iso8859_6'"
        ) from None


def sniff(head: bytes, *, complete: bool) -> tuple[str, int] | None:
    """Guess the encoding from a file's first bytes: (codec, BOM length), or None for no text.

    `complete` says whether `head` is the whole file (otherwise it may end mid-character).
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    if b"\x00" in head:
        return _utf16_without_bom(head, complete=complete)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    scored = []
    for name in ("cp1256", "iso8859-6"):  # first wins a tie: Windows-1256 is the commoner
        try:
            score = _arabic_score(head.decode(name))
        except UnicodeDecodeError:
            continue
        if score is not None:
            scored.append((score, name))
    if not scored:
        return None
    return max(scored, key=lambda pair: pair[0])[1], 0


def _utf16_without_bom(head: bytes, *, complete: bool) -> tuple[str, int] | None:
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = codecs.getincrementaldecoder(name)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        if text and len(_TEXT_CHARS.findall(text)) >= 0.95 * len(text):
            return name, 0
    return None


def _arabic_score(text: str) -> int | None:
    """How much `text` reads like Arabic, or None when it does not read like Arabic at all."""
    letters = len(_LETTERS.findall(text))
    glued = len(_GLUED.findall(text))
    if (
        letters == 0
        or len(_ARABIC.findall(text)) < 0.6 * len(_NON_ASCII.findall(text))
        or len(_CONTROLS.findall(text)) > len(text) // 1000
        or glued > letters // 10
    ):
        return None
    return letters + 3 * text.count("ال") - 4 * len(_LATIN_ACCENTED.findall(text)) - 4 * glued


def open_text(path: Path, encoding: str | None = None) -> DecodedFile:
    """Open `path` (gzip-compressed when it ends in .gz) as strictly decoded text.

    With `encoding` None the encoding is detected (see the module docstring); raises
    UndecodableFileError when the file is no plausible text, UnknownEncodingError for a bad
    `encoding`. A UTF-8 BOM is skipped even when `encoding` is given.
    """
    name = None if encoding is None else checked_encoding(encoding)
    raw = _open_bytes(path)
    try:
        head = raw.read(SNIFF_BYTES)
        if name is None:
            found = sniff(head, complete=len(head) < SNIFF_BYTES)
            if found is None:
                raise UndecodableFileError(
                    f"{path}: {TRIED}; pass the encoding explicitly if you know it",
                    reason=TRIED,
                )
            name, skip = found
        else:
            has_bom = name == "utf-8" and head.startswith(codecs.BOM_UTF8)
            skip = len(codecs.BOM_UTF8) if has_bom else 0
        raw.seek(skip)
    except BaseException:
        raw.close()
        raise
    return DecodedFile(path, raw, name)


def _open_bytes(path: Path) -> gzip.GzipFile | io.BufferedReader:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


class DecodedFile:
    """The strictly decoded text of one file, read line by line (iteration) or block by block.

    Lines keep their line ends ("\\r\\n" too). A byte that does not decode raises
    UndecodableFileError with its 1-based line; line iteration may go on after it when the
    encoding is ASCII-compatible, the bad line being dropped.
    """

    def __init__(self, path: Path, raw: gzip.GzipFile | io.BufferedReader, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self._raw = raw
        self._lines_read = 0
        self._done = False
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._wrapper: io.TextIOWrapper | None = None
        if "\n".encode(encoding) != b"\n":  # UTF-16 and kin: lines cannot be cut as bytes
            self._wrapper = io.TextIOWrapper(raw, encoding=encoding, newline="")

    def __iter__(self) -> DecodedFile:
        return self

    def __next__(self) -> str:
        if self._done:
            raise StopIteration
        if self._wrapper is not None:
            try:
                line = self._wrapper.readline()
            except UnicodeDecodeError as err:
                raise self._failure(err, self._lines_read + 1, "rest of file skipped") from None
        else:
            data = self._raw.readline()
            try:
                line = data.decode(self.encoding)
            except UnicodeDecodeError as err:
                self._lines_read += 1
                raise self._failure(err, self._lines_read, "line skipped", go_on=True) from None
        if not line:
            raise StopIteration
        self._lines_read += 1
        return line

    def read(self, size: int = -1) -> str:
        """Up to `size` characters (all the rest when negative); "" only at the end."""
        if self._done:
            return ""
        if self._wrapper is not None:
            try:
                return self._wrapper.read(size)
            except UnicodeDecodeError as err:
                raise self._failure(err, None, "rest of file skipped") from None
        text = ""
        while not text:
            data = self._raw.read(size)
            try:
                text = self._decoder.decode(data, final=size < 0 or not data)
            except UnicodeDecodeError as err:
                prefix = err.object[: err.start] if isinstance(err.object, bytes) else b""
                line = self._lines_read + 1 + prefix.count(b"\n")
                raise self._failure(err, line, "rest of file skipped") from None
            if not data:
                break
        self._lines_read += text.count("\n")
        return text

    def _failure(
        self, err: UnicodeDecodeError, line: int | None, then: str, *, go_on: bool = False
    ) -> UndecodableFileError:
        self._done = not go_on
        bad = err.object[err.start : err.end].hex() if isinstance(err.object, bytes) else "?"
        reason = f"cannot decode as {self.encoding} (byte 0x{bad}); {then}"
        where = f"{self.path}:{line}" if line is not None else f"{self.path}"
        return UndecodableFileError(f"{where}: {reason}", line=line, reason=reason)

    def close(self) -> None:
        (self._wrapper or self._raw).close()

    def __enter__(self) -> DecodedFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
