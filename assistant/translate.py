"""English question → a structured Arabic lexical query, through a bilingual dictionary.

Each content word of an English question (stop words dropped) is looked up in the dictionary
(index.dictionary: FreeDict eng-ara, inflections reduced when the word itself is missing),
with its inflectional family (attack, attacks, attacked, attacking: FreeDict gives الهجوم for
one and الهجمات for another, which light stemming does not bring together), and all their
Arabic alternatives become the archive's BM25 terms. The alternatives of one word form one
synonym set (Pirkola's structured queries): a chunk scores through the best term of each set
(not the sum of the set's tf: the lexical index stores BM25 weights, not counts), so a word
with three translations weighs no more than a word with one, and the sets' scores add up.
Words the dictionary lacks (most names) are left to the names leg and the dense list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from index.dictionary import DEFAULT_DICTIONARY, Dictionary, DictionaryMissing, load_dictionary

__all__ = ["STOPWORDS", "TranslatedQuery", "Translator"]

# English function words and the words questions are made of; they are not looked up.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each either
    else ever few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just least less let may me might more most much must my
    myself neither no nor not now of off on once one only or other others our ours ourselves
    out over own per same shall she should so some such than that the their theirs them
    themselves then there these they this those though through thus to too under until up upon
    us very was we were what whatever when whenever where whereas wherever whether which while
    who whoever whom whose why will with within without would yet you your yours yourself
    yourselves many called named name type kind
    """.split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


@dataclass(frozen=True)
class TranslatedWord:
    word: str  # as the question writes it
    headword: str | None  # the dictionary headword it was found under, None when missing
    terms: tuple[str, ...]  # BM25 terms of all its alternatives: one synonym set


@dataclass(frozen=True)
class TranslatedQuery:
    words: tuple[TranslatedWord, ...]  # the question's content words, in order

    @property
    def sets(self) -> list[tuple[str, ...]]:
        """One synonym set of BM25 terms per translated word (a word asked twice: once)."""
        return list(dict.fromkeys(w.terms for w in self.words if w.terms))

    @property
    def untranslated(self) -> list[str]:
        return [w.word for w in self.words if not w.terms]


def missing_note(missing: DictionaryMissing) -> str:
    """What a reader is told (once: in `akhbar stats`, in the first English answer)."""
    return (f"no English-Arabic dictionary ({missing.reason}): English questions are matched "
            "by meaning and by names only. On Debian: apt-get install dict-freedict-eng-ara")


_LOADED: dict[Path, Dictionary | DictionaryMissing] = {}


def _load(path: Path) -> Dictionary | DictionaryMissing:
    """One parse per dictionary and process (every Retriever of an eval run shares it)."""
    if path not in _LOADED:
        _LOADED[path] = load_dictionary(path)
    return _LOADED[path]


CACHED = 256  # translated questions remembered per Translator


class Translator:
    """English words → Arabic BM25 terms; the dictionary is read on the first question.

    `dictionary` is a path (the settings' choice, default Debian's FreeDict eng-ara) or an
    already loaded Dictionary; without one, every question translates to nothing and
    `missing` says why.
    """

    def __init__(self, dictionary: Path | Dictionary | DictionaryMissing = DEFAULT_DICTIONARY
                 ) -> None:
        self._source = dictionary
        # a question is translated by the search, the answer and the refusal model alike:
        # once (TranslatedQuery is immutable), the last CACHED questions remembered
        self._translated: dict[str, TranslatedQuery] = {}

    @property
    def dictionary(self) -> Dictionary | DictionaryMissing:
        if isinstance(self._source, Path):
            self._source = _load(self._source)
        return self._source

    @property
    def available(self) -> bool:
        return isinstance(self.dictionary, Dictionary)

    @property
    def missing(self) -> DictionaryMissing | None:
        found = self.dictionary
        return found if isinstance(found, DictionaryMissing) else None

    def translate(self, question: str) -> TranslatedQuery:
        found = self._translated.get(question)
        if found is None:
            if len(self._translated) >= CACHED:
                self._translated.clear()
            found = self._translated[question] = self._translate(question)
        return found

    def _translate(self, question: str) -> TranslatedQuery:
        words = [w for w in _WORD.findall(question.replace("’", "'"))
                 if w.lower() not in STOPWORDS and len(w) > 1]
        found = self.dictionary
        out = []
        for word in dict.fromkeys(words):
            if not isinstance(found, Dictionary):
                out.append(TranslatedWord(word, None, ()))
                continue
            headword = found.headword(word)
            terms = tuple(dict.fromkeys(t for form in found.family(word)
                                        for alt in found.terms(form) for t in alt))
            out.append(TranslatedWord(word, headword, terms))
        return TranslatedQuery(tuple(out))
