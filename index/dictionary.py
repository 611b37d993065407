"""A bilingual dictionary in dictd format (FreeDict eng-ara): English headword → Arabic terms.

dictd keeps a dictionary as two files: `NAME.index`, one line per entry (`headword TAB offset
TAB length`, the numbers in dictd's base 64, alphabet `A-Za-z0-9+/`), and `NAME.dict.dz`, the
entries' text, gzip-compressed (dictzip is gzip with random-access hints; `NAME.dict`,
uncompressed, works too). Debian installs FreeDict's English-Arabic one as
/usr/share/dictd/freedict-eng-ara.{index,dict.dz} (`dict-freedict-eng-ara`, GPL-2+): it is
read where it is installed, at run time, and nothing of it ships with Akhbar.

An entry reads `Headword /pronunciation/` and then one translation a line, alternatives
sometimes separated by commas (`، , ;`). Only the Arabic words are kept; pronunciations,
Latin words and parenthesised glosses are dropped.
"""

from __future__ import annotations

import base64
import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.tokens import tokenize

__all__ = [
    "DEFAULT_DICTIONARY", "Dictionary", "DictionaryMissing", "decode_number", "load_dictionary",
]

DEFAULT_DICTIONARY = Path("/usr/share/dictd/freedict-eng-ara")

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NUMBER = re.compile(r"[A-Za-z0-9+/]+")
_NOT_KEY = re.compile(r"[^\w ]|_")
_PRONUNCIATION = re.compile(r"/[^/\n]*/")
_GLOSS = re.compile(r"\([^)]*\)")
_SEPARATORS = re.compile(r"[،,;؛\n]")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff\u0750-\u077f]+")


@dataclass(frozen=True)
class DictionaryMissing:
    """No usable dictionary at `path`: translation then contributes nothing.

    `absent` lists the files that do not exist; `unreadable` names a file that exists but
    could not be read or parsed, with its 1-based `line` for a malformed index line.
    """

    path: Path
    absent: tuple[Path, ...] = ()
    unreadable: Path | None = None
    line: int | None = None
    detail: str = ""

    @property
    def reason(self) -> str:
        """Why, in a few words: "PATH is not installed", or which file is unreadable."""
        if self.unreadable is None:
            return f"{self.path} is not installed"
        where = f"{self.unreadable}" + (f", line {self.line}" if self.line else "")
        return f"{where} is unreadable" + (f": {self.detail}" if self.detail else "")


class _BadLine(ValueError):
    pass


def decode_number(text: str) -> int:
    """A dictd offset or length: base 64 over `A-Za-z0-9+/`, most significant digit first."""
    if not _NUMBER.fullmatch(text):
        bad = next((ch for ch in text if ch not in _ALPHABET), None)
        raise ValueError(f"{text!r} is not a dictd base-64 number"
                         + (f" ({bad!r} is not one of its digits)" if bad else ""))
    # dictd's digits are base64's: left-padded with zeros ("A") to whole quads, it decodes
    return int.from_bytes(base64.b64decode("A" * (-len(text) % 4) + text))


def headword_key(word: str) -> str:
    """How dictd files its headwords: lower case, letters and digits only ("Aard-vark")."""
    return _NOT_KEY.sub("", word.lower()).strip()


def inflections(word: str) -> Iterator[str]:
    """`word`, then what English inflection may have made it from (plural, -ed, -ing)."""
    yield word  # (a possessive is a plural here: headword_key drops the apostrophe)
    stems: list[str] = []
    if word.endswith("ies") and len(word) > 4:
        stems.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        stems.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        stems.append(word[:-1])
    for suffix in ("ied", "ed", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            base = word[: -len(suffix)]
            if suffix == "ied":
                stems.append(base + "y")
                continue
            stems += [base, base + "e"]
            if len(base) >= 3 and base[-1] == base[-2]:  # stopped → stop, running → run
                stems.append(base[:-1])
    yield from dict.fromkeys(s for s in stems if len(s) >= 2)


def inflected_forms(base: str) -> list[str]:
    """What English inflection makes of `base`: plural / third person, -ed, -ing."""
    forms = [base + "s", base + "es", base + "ed", base + "ing"]
    if base.endswith("y") and len(base) > 2:
        forms += [base[:-1] + "ies", base[:-1] + "ied"]
    if base.endswith("e"):
        forms += [base + "d", base[:-1] + "ing"]
    return forms


class Dictionary:
    """A dictd dictionary read into memory: its index parsed, its text decompressed once."""

    def __init__(self, entries: dict[str, list[tuple[int, int]]], text: bytes,
                 path: Path) -> None:
        self.path = path
        self._entries = entries
        self._text = text
        self._cache: dict[str, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and headword_key(word) in self._entries

    def entries(self, word: str) -> list[str]:
        """The texts of the entries filed under `word` (no inflection reduction)."""
        spans = self._entries.get(headword_key(word), [])
        return [self._text[start:start + length].decode("utf-8", errors="replace")
                for start, length in spans]

    def headword(self, word: str) -> str | None:
        """The headword `word` is found under: itself, else an inflection's base, else None."""
        for candidate in inflections(headword_key(word)):
            if candidate in self._entries:
                return candidate
        return None

    def family(self, word: str) -> list[str]:
        """The headwords of `word`'s inflectional family: the one it is found under, then the
        inflected forms of that base the dictionary also has (attack: attacks, attacked...)."""
        found = self.headword(word)
        if found is None:
            return []
        bases = [found, *(b for b in inflections(found) if b != found and b in self._entries)]
        out = dict.fromkeys(bases)
        for base in bases:
            out.update(dict.fromkeys(f for f in inflected_forms(base) if f in self._entries))
        return list(out)

    def translations(self, word: str) -> tuple[str, ...]:
        """The Arabic alternatives for `word` (each a word or phrase, as written in the
        entry), found under its headword or, failing that, its inflection's base."""
        key = headword_key(word)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        found = self.headword(key)
        out: dict[str, None] = {}
        for entry in self.entries(found) if found else []:
            for alternative in arabic_alternatives(entry):
                out.setdefault(alternative, None)
        result = tuple(out)
        self._cache[key] = result
        return result

    def terms(self, word: str) -> tuple[tuple[str, ...], ...]:
        """Each alternative of `word` as the archive's BM25 terms (index.tokens.tokenize);
        alternatives that leave no term (only stopwords) are dropped."""
        out = []
        for alternative in self.translations(word):
            terms = tuple(tokenize(alternative))
            if terms:
                out.append(terms)
        return tuple(dict.fromkeys(out))


def arabic_alternatives(entry: str) -> list[str]:
    """The Arabic alternatives of one entry's text: pronunciations, Latin words and
    parenthesised glosses left out."""
    first, _, body = entry.partition("\n")
    if not _ARABIC_WORD.search(first):
        entry = body  # the first line is the headword and its pronunciation
    entry = _GLOSS.sub(" ", _PRONUNCIATION.sub(" ", entry))
    out = []
    for part in _SEPARATORS.split(entry):
        words = _ARABIC_WORD.findall(part)
        if words:
            out.append(" ".join(words))
    return out


def load_dictionary(path: Path = DEFAULT_DICTIONARY) -> Dictionary | DictionaryMissing:
    """The dictd dictionary `path` names (`NAME`, or `NAME.index`), or why there is none."""
    base = Path(str(path).removesuffix(".index").removesuffix(".dict.dz").removesuffix(".dict"))
    index = base.with_name(base.name + ".index")
    data = next((p for p in (base.with_name(base.name + ".dict.dz"),
                             base.with_name(base.name + ".dict")) if p.exists()), None)
    absent = tuple(p for p in (index,) if not p.exists())
    if data is None:
        absent += (base.with_name(base.name + ".dict.dz"),)
    if absent or data is None:
        return DictionaryMissing(base, absent=absent)
    try:
        entries = _read_index(index)
    except _BadLine as bad:
        line, detail = bad.args
        return DictionaryMissing(base, unreadable=index, line=line, detail=detail)
    except (OSError, UnicodeDecodeError) as error:
        return DictionaryMissing(base, unreadable=index, detail=str(error))
    try:
        text = gzip.decompress(data.read_bytes()) if data.suffix == ".dz" else data.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        return DictionaryMissing(base, unreadable=data, detail=str(error))
    for key, spans in entries.items():
        for start, length in spans:
            if start + length > len(text):
                return DictionaryMissing(base, unreadable=index, detail=(
                    f"entry {key!r} runs past the end of {data.name} ({len(text)} bytes)"))
    return Dictionary(entries, text, base)


def _read_index(path: Path) -> dict[str, list[tuple[int, int]]]:
    entries: dict[str, list[tuple[int, int]]] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                raise _BadLine(number, f"expected headword, offset and length, got {line!r}")
            word = fields[0] if fields[0].isalnum() and fields[0].islower() else (
                headword_key(fields[0]))
            if word.startswith("00database"):
                continue  # dictd's own metadata entries
            try:
                span = (decode_number(fields[1]), decode_number(fields[2]))
            except ValueError as error:
                raise _BadLine(number, str(error)) from None
            entries.setdefault(word, []).append(span)
    return entries
