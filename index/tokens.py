"""Lexical terms for Arabic BM25: normalised word tokens, Arabic stopwords out, light10 stems."""

from __future__ import annotations

import re

from index.normalize import normalize

__all__ = ["STOPWORDS", "light_stem", "tokenize"]

# Function words, written in normalised form (ى → ي, أ/إ → ا, ة → ه).
STOPWORDS = frozenset(
    """
    في من علي الي عن ان او ثم هذا هذه ذلك تلك التي الذي الذين كان كانت قد لا ما مع هو هي
    لم لن كما بين عند حتي منذ اذا كل بعد قبل هم انه الا غير لها له
    اللي مين منو وين فين وش شو ايش شنو ليش امتي امتا ايمتي قديش ازاي شلون
    """.split()  # the second line: colloquial question and function words (assistant.question)
)

_WORD = re.compile(r"[^\W_]+")
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
_CACHE_LIMIT = 1 << 20


def _is_arabic(token: str) -> bool:
    return "\u0600" <= token[0] <= "\u06ff"


def light_stem(token: str) -> str:
    """Larkey's light10 stem of a normalised Arabic token; other tokens come back unchanged.

    Strips one prefix (و needs 3 letters left, the others 2), then suffixes for as long as
    3 letters remain.
    """
    if not token or not _is_arabic(token):
        return token
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            token = token[len(prefix) :]
            break
    else:
        if token.startswith("و") and len(token) >= 4:
            token = token[1:]
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                token = token[: -len(suffix)]
                stripped = True
                break
    return token


_terms: dict[str, str | None] = {}


def _term(token: str) -> str | None:
    """The BM25 term for one normalised word, or None when it is too short or a stopword."""
    term = _terms.get(token, "")  # "" is never a term: it marks a token not seen yet
    if term != "":
        return term
    if len(token) < 2 or token in STOPWORDS or (token[0] == "و" and token[1:] in STOPWORDS):
        term = None
    else:
        term = light_stem(token)
    if len(_terms) >= _CACHE_LIMIT:
        _terms.clear()
    _terms[token] = term
    return term


def tokenize(text: str) -> list[str]:
    """Normalise `text` and return its BM25 terms in order."""
    terms = []
    for token in _WORD.findall(normalize(text)):
        term = _term(token)
        if term is not None:
            terms.append(term)
    return terms
