"""Names across scripts: an English spelling against its Arabic transliteration.

Arabic news writes foreign names by sound (Erbil → أربيل, Sheepshanks → شيبشانكس, Temüjin →
تيموجين) and mostly leaves short vowels out. Both spellings are reduced to a consonant
skeleton over one small alphabet of sound classes (vowels, w/y/h and the Arabic letters that
write them dropped; close sounds merged: t/ط/ت/ث, k/q/ق/ك/خ, g/j/ج/غ, s/z/س/ص/ز, ...), and a
name matches the Arabic terms whose skeleton equals its own or is one edit away from it.
"""

from __future__ import annotations

import re
import unicodedata

from index.params import Lexical

__all__ = ["arabic_skeleton", "latin_skeleton", "neighbours"]

_ARABIC_CLASSES = (
    ("بپ", "B"), ("تطث", "T"), ("دضذظ", "D"), ("سصز", "S"), ("ش", "C"), ("كقخ", "K"),
    ("جغگ", "G"), ("فڤ", "F"), ("ل", "L"), ("م", "M"), ("ن", "N"), ("ر", "R"),
)
_ARABIC = {letter: cls for letters, cls in _ARABIC_CLASSES for letter in letters}
# Digraphs before single letters; the results are already classes (upper case).
_DIGRAPHS = (
    ("sch", "C"), ("tch", "C"), ("sh", "C"), ("ch", "C"), ("ph", "F"), ("th", "T"),
    ("gh", "G"), ("kh", "K"), ("ck", "K"), ("qu", "K"), ("x", "KS"),
)
_LATIN = dict(b="B", p="B", t="T", d="D", s="S", z="S", k="K", q="K", c="K", g="G", j="G",
              f="F", v="F", l="L", m="M", n="N", r="R")
ALPHABET = "".join(sorted(set(_ARABIC.values())))
_SOFT_C = re.compile(r"c(?=[eiy])")


def _collapse(classes: list[str]) -> str:
    out: list[str] = []
    for cls in classes:
        if not out or out[-1] != cls:
            out.append(cls)
    return "".join(out)


def arabic_skeleton(term: str) -> str:
    """The skeleton of a normalised Arabic term ("" when it holds anything but Arabic letters)."""
    classes = []
    for letter in term:
        cls = _ARABIC.get(letter)
        if cls is not None:
            classes.append(cls)
        elif not "\u0600" <= letter <= "\u06ff":
            return ""
    return _collapse(classes)


def latin_skeleton(word: str) -> str:
    """The skeleton of a word in Latin letters, accents ignored ("" for anything else)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word.lower())
                    if not unicodedata.combining(c))
    if not plain.isascii() or not plain.isalpha():
        return ""
    plain = _SOFT_C.sub("s", plain)
    for digraph, cls in _DIGRAPHS:
        plain = plain.replace(digraph, cls)
    classes = [c if c.isupper() else _LATIN.get(c, "") for c in plain]
    return _collapse([cls for group in classes for cls in group])


def neighbours(skeleton: str, lexical: Lexical = Lexical()) -> dict[str, int]:
    """Skeletons to look up for `skeleton`, with their edit distance (0 or 1): none under
    `lexical.min_skeleton` letters, one edit only from `lexical.fuzzy_skeleton` on."""
    shortest = lexical.min_skeleton
    if len(skeleton) < shortest:
        return {}
    out = {skeleton: 0}
    if len(skeleton) > shortest and skeleton[-1] in "NT":
        out[skeleton[:-1]] = 0  # light stemming took -ين/-ان/-ون/-ات off: تيموجين → تيموج
    if len(skeleton) < lexical.fuzzy_skeleton:
        return out
    for i in range(len(skeleton) + 1):
        for cls in ALPHABET:
            out.setdefault(skeleton[:i] + cls + skeleton[i:], 1)  # insertion
    for i in range(len(skeleton)):
        out.setdefault(skeleton[:i] + skeleton[i + 1:], 1)  # deletion
        for cls in ALPHABET:
            out.setdefault(skeleton[:i] + cls + skeleton[i + 1:], 1)  # substitution
    return {s: d for s, d in out.items() if len(s) >= shortest}
