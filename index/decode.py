"""Decoding archive files: guess the encoding, then stream the text strictly, never as mojibake.

Detection looks at a byte-order mark first, then weighs the evidence in the first 64 KiB:
- UTF-16 without a BOM when the bytes read as UTF-16 text (NUL bytes alone are not enough: a
  stray NUL in a UTF-8 file is one bad byte, not a sign of UTF-16);
- UTF-8 when the bytes are valid UTF-8, or mostly so: at least 20 valid multi-byte characters
  for each bad byte, one that is not UTF-8 or a NUL (a stray byte then costs its line, not the
  file);
- otherwise Windows-1256 and ISO-8859-6 are both tried strictly and the one that reads as more
  plausible Arabic wins (more Arabic letters and "ال", fewer Latin accented letters and Arabic
  letters glued to Latin ones);
- failing that, text that is ASCII but for a few bad bytes (one in 1,000 at most) is UTF-8.
A file that reads as none of these raises `UndecodableFileError`.

Decoding stays strict everywhere: a byte that does not decode (or a NUL byte, which no text
holds) raises `UndecodableFileError` naming its line. For UTF-8 and the 8-bit encodings, lines
are decoded one at a time, so a reader can skip the bad line and go on; for UTF-16, and for
text read in blocks, the rest of the file is lost. A gzip file cut short is read up to where it
breaks: the error (EOFError, zlib.error or OSError) comes when reading gets there.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
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
_ESCAPED = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as "surrogateescape" keeps it
_MULTIBYTE_PER_BAD_BYTE = 20  # valid UTF-8 multi-byte characters that outweigh one bad byte
_STRAY_BYTES_PER_1000 = 1  # in text that reads as nothing else


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
    if b"\x00" in head and (utf16 := _utf16_without_bom(head, complete=complete)):
        return utf16
    multibyte, bad = _utf8_evidence(head, complete=complete)
    if bad == 0 or multibyte >= _MULTIBYTE_PER_BAD_BYTE * bad:
        return "utf-8", 0
    scored = []
    for name in ("cp1256", "iso8859-6"):  # first wins a tie: Windows-1256 is the commoner
        try:
            score = _arabic_score(head.decode(name))
        except UnicodeDecodeError:
            continue
        if score is not None:
            scored.append((score, name))
    if scored:
        return max(scored, key=lambda pair: pair[0])[1], 0
    if bad <= max(1, _STRAY_BYTES_PER_1000 * len(head) // 1000):
        return "utf-8", 0
    return None


def _utf8_evidence(head: bytes, *, complete: bool) -> tuple[int, int]:
    """(valid multi-byte characters, bad bytes) in `head`: bytes that are not UTF-8, and NULs."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    text = decoder.decode(head, final=complete)
    escaped = len(_ESCAPED.findall(text))
    return len(_NON_ASCII.findall(text)) - escaped, escaped + text.count("\x00")


def _utf16_without_bom(head: bytes, *, complete: bool) -> tuple[str, int] | None:
    """UTF-16 when 95% of the characters read are text (a bad code unit is one that is not)."""
    for name in ("utf-16-le", "utf-16-be"):
        text = codecs.getincrementaldecoder(name)(errors="replace").decode(head, final=complete)
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
        or len(_CONTROLS.findall(text)) > max(1, len(text) // 1000)
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
        head, complete = _read_head(raw)
        if name is None:
            found = sniff(head, complete=complete)
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


def _read_head(raw: gzip.GzipFile | io.BufferedReader) -> tuple[bytes, bool]:
    """The first SNIFF_BYTES of `raw`, and whether they are the whole file.

    A file that breaks inside them (a gzip file cut short) gives the bytes before the break:
    reading the file again raises the error when it gets there, after the text before it.
    """
    parts: list[bytes] = []
    size = 0
    try:
        while size < SNIFF_BYTES:
            block = raw.read1(SNIFF_BYTES - size)
            if not block:
                return b"".join(parts), True
            parts.append(block)
            size += len(block)
    except (OSError, EOFError, zlib.error):
        pass
    return b"".join(parts), False


def _open_bytes(path: Path) -> gzip.GzipFile | io.BufferedReader:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


class DecodedFile:
    """The strictly decoded text of one file, read line by line (iteration) or block by block.

    Lines keep their line ends ("\\r\\n" too). A byte that does not decode, or a NUL byte,
    raises UndecodableFileError with its 1-based line, after the text before it. Line iteration
    goes on after it when the encoding is ASCII-compatible, the bad line being dropped; for
    UTF-16 and kin, and when reading in blocks, the rest of the file is lost. Errors reading
    the bytes (OSError, EOFError, zlib.error) pass through; `lines_read` says how far it got.
    """

    def __init__(self, path: Path, raw: gzip.GzipFile | io.BufferedReader, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self._raw = raw
        self._lines_read = 0
        self._done = False  # at the end, or past a failure that ends the file
        self._stop: str | None = None  # why decoding stopped, once the text before it is out
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._wide = "\n".encode(encoding) != b"\n"  # UTF-16 and kin: lines cannot be cut as bytes
        self._pending = ""  # decoded text not yet returned as lines (wide encodings)

    def __iter__(self) -> DecodedFile:
        return self

    def __next__(self) -> str:
        if self._done:
            raise StopIteration
        line = self._next_wide() if self._wide else self._next_narrow()
        if not line:
            self._done = True
            raise StopIteration
        self._lines_read += 1
        if "\x00" in line:
            raise self._failure(self._lines_read, _NUL, "line skipped", go_on=True)
        return line

    def _next_narrow(self) -> str:
        data = self._raw.readline()
        try:
            return data.decode(self.encoding)
        except UnicodeDecodeError as err:
            self._lines_read += 1
            reason = _bad(err, self.encoding)
            raise self._failure(self._lines_read, reason, "line skipped", go_on=True) from None

    def _next_wide(self) -> str:
        while "\n" not in self._pending:
            text = self._decode(_LINE_BLOCK)
            if not text:
                break
            self._pending += text
        line, end, self._pending = self._pending.partition("\n")
        if self._stop is not None and not end:  # the bad character is in this line
            raise self._failure(self._lines_read + 1, self._stop, "rest of file skipped")
        return line + end

    @property
    def lines_read(self) -> int:
        """Lines read so far (counting the ends of lines seen, when read in blocks)."""
        return self._lines_read

    def read(self, size: int = -1) -> str:
        """Up to `size` characters (all the rest when negative); "" only at the end."""
        if self._done:
            return ""
        text = self._decode(size)
        if "\x00" in text:
            text = text[: text.index("\x00")]
            self._stop = _NUL
        if not text and self._stop is not None:
            raise self._failure(self._lines_read + 1, self._stop, "rest of file skipped")
        self._lines_read += text.count("\n")
        return text

    def _decode(self, size: int) -> str:
        """The text of the next bytes: "" at the end, or at a bad byte (`_stop` then says so)."""
        if self._stop is not None:
            return ""
        text = ""
        while not text:
            data = self._raw.read(size)
            try:
                text = self._decoder.decode(data, final=size < 0 or not data)
            except UnicodeDecodeError as err:
                self._stop = _bad(err, self.encoding)
                good = err.object[: err.start] if isinstance(err.object, bytes) else b""
                return good.decode(self.encoding, errors="replace")  # all of it decodes
            if not data:
                break
        return text

    def _failure(
        self, line: int, reason: str, then: str, *, go_on: bool = False
    ) -> UndecodableFileError:
        self._done = not go_on
        reason = f"{reason}; {then}"
        return UndecodableFileError(f"{self.path}:{line}: {reason}", line=line, reason=reason)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> DecodedFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


_LINE_BLOCK = 1 << 16
_NUL = "NUL byte (0x00), which no text holds"


def _bad(err: UnicodeDecodeError, encoding: str) -> str:
    bad = err.object[err.start : err.end].hex() if isinstance(err.object, bytes) else "?"
    return f"cannot decode as {encoding} (byte 0x{bad})"
