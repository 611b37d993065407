"""Arabic text normalisation for matching only; the original text is what is stored and quoted.

Every character is normalised on its own (NFKC, casefold, Arabic letter folding, removal of
diacritics, tatweel and every invisible character: zero-width, bidi, tag and other format
characters, see `is_invisible`), so the result maps back to the original text one
character at a time. `normalize` runs as a single `str.translate` over a table that fills itself
the first time it meets a character.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["find_normalized", "is_invisible", "normalize", "normalize_with_offsets"]

_FOLD = {
    "\u0622": "\u0627",  # آ → ا
    "\u0623": "\u0627",  # أ → ا
    "\u0625": "\u0627",  # إ → ا
    "\u0671": "\u0627",  # ٱ → ا
    "\u0649": "\u064a",  # ى → ي
    "\u06cc": "\u064a",  # Farsi yeh ی → ي
    "\u0629": "\u0647",  # ة → ه
    "\u0624": "\u0648",  # ؤ → و
    "\u0626": "\u064a",  # ئ → ي
}
_FOLD.update({chr(0x0660 + d): str(d) for d in range(10)})  # Arabic-Indic digits
_FOLD.update({chr(0x06F0 + d): str(d) for d in range(10)})  # Extended Arabic-Indic digits

_REMOVED_RANGES = (
    (0x0610, 0x061A),  # Arabic honorific signs and small high marks
    (0x064B, 0x065F),  # tashkeel: tanween, harakat, shadda, sukun, hamza marks
    (0x0670, 0x0670),  # superscript alef
    (0x06D6, 0x06ED),  # Quranic annotation marks
    (0x0640, 0x0640),  # tatweel
    (0x200B, 0x200F),  # zero-width space/joiners, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2066, 0x2069),  # bidi isolates
    (0xFEFF, 0xFEFF),  # zero-width no-break space (BOM)
    (0x061C, 0x061C),  # Arabic letter mark
    (0x00AD, 0x00AD),  # soft hyphen
)
_REMOVED = frozenset(chr(c) for lo, hi in _REMOVED_RANGES for c in range(lo, hi + 1))
# Characters that draw nothing, beyond those above: every format character (Unicode category
# Cf: word joiner, invisible operators, tag characters U+E0000-E007F that can spell hidden
# text...), variation selectors, the combining grapheme joiner and the Hangul fillers.
_INVISIBLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x180B, 0x180F), (0x3164, 0x3164), (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF),
)
_INVISIBLE = frozenset(chr(c) for lo, hi in _INVISIBLE_RANGES for c in range(lo, hi + 1))
# Format characters that do draw: the prepended concatenation marks (Arabic number sign, end
# of ayah...), which span the digits after them.
_DRAWN_FORMAT = frozenset(chr(c) for c in (*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890,
                                           0x0891, 0x08E2, 0x110BD, 0x110CD))

_WHITESPACE_RUN = re.compile(r"\s+")


def is_invisible(char: str) -> bool:
    """Whether `char` draws nothing: a zero-width, bidi control, tag, filler or other format
    character (the soft hyphen and the Arabic letter mark count). Matching ignores them."""
    if char in _INVISIBLE:
        return True
    return unicodedata.category(char) == "Cf" and char not in _DRAWN_FORMAT


def _step(char: str) -> str:
    """One pass of the per-character pipeline: NFKC, casefold, Arabic folding, removals."""
    out = []
    for c in unicodedata.normalize("NFKC", char).casefold():
        if c not in _REMOVED and not is_invisible(c):  # invisible: see is_invisible
            out.append(_FOLD.get(c, c))
    return "".join(out)


def _fold_char(char: str) -> str:
    """Normalise one character to a fixed point, so that every output character maps to itself."""
    result = _step(char)
    for _ in range(8):
        if all(_step(c) == c for c in result):
            return result
        result = "".join(_step(c) for c in result)
    return result  # pragma: no cover - no Unicode character needs this many passes


class _Table(dict[int, str]):
    """`str.translate` table that computes and remembers each character's mapping on first use."""

    def __missing__(self, code: int) -> str:
        mapped = _fold_char(chr(code))
        self[code] = mapped
        return mapped


_TABLE = _Table({code: _fold_char(chr(code)) for code in range(0x0600, 0x0700)})


def normalize(text: str) -> str:
    """Return the matching form of `text`; whitespace is kept as it is."""
    return text.translate(_TABLE)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise `text` and map each output character to the index of the character that made it.

    `offsets` has one entry per normalised character plus a final `len(text)`; it never decreases.
    """
    table = _TABLE
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        mapped = table[ord(char)]
        if len(mapped) == 1:
            offsets.append(index)
        elif mapped:
            offsets.extend([index] * len(mapped))
        else:
            continue
        pieces.append(mapped)
    offsets.append(len(text))
    return "".join(pieces), offsets


def _collapse_whitespace(norm: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Replace each whitespace run in `norm` by one space, keeping the offsets of what remains."""
    pieces: list[str] = []
    kept: list[int] = []
    position = 0
    for run in _WHITESPACE_RUN.finditer(norm):
        start, end = run.span()
        pieces.append(norm[position:start])
        kept.extend(offsets[position:start])
        pieces.append(" ")
        kept.append(offsets[start])
        position = end
    pieces.append(norm[position:])
    kept.extend(offsets[position:])
    return "".join(pieces), kept


def find_normalized(needle: str, haystack: str) -> tuple[int, int] | None:
    """Find `needle` in `haystack` as normalised text, whitespace runs counting as one space.

    Returns the `(start, end)` span of the match in the original `haystack`, end exclusive,
    including any diacritics or invisible marks that trail its last character; `None` when absent.
    """
    wanted = _WHITESPACE_RUN.sub(" ", normalize(needle)).strip()
    if not wanted:
        return None
    norm, offsets = _collapse_whitespace(*normalize_with_offsets(haystack))
    found = norm.find(wanted)
    if found < 0:
        return None
    last = found + len(wanted) - 1
    next_offset = offsets[last + 1] if last + 1 < len(norm) else len(haystack)
    return offsets[found], max(offsets[last] + 1, next_offset)
