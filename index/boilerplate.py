"""Page furniture in an article's text: kept in the stored text, kept out of the index.

A footer or share line («رابط الخبر بصحيفة الوئام: ...», «اقرأ أيضاً», «تابعونا على تويتر») is
part of what the outlet published, so it stays in the stored text, and every citation offset
stays exact against it; but it is never chunked, embedded, put in the keyword index or quoted.
`excluded` gives the spans to leave out; `index.chunk.chunk_article` packs chunks only from the
text between them.

Two rules, both on lines (text between line breaks):
1. Markers: where one of `_MARKERS` begins a line or a sentence (only white space, or the end
   of a sentence, before it on its line), or an outlet's own footer (`_FOOTER`: «رابط الخبر
   بصحيفة ...») is anywhere in a line, the rest of the line is furniture. A slider's
   «Next Previous» («السابق التالي») at the start of a line is furniture, and the rest of the
   line is read on its own.
2. Repeated lines: a line of at most `MAX_LINE` characters found in at least `MIN_ARTICLES`
   articles of one outlet that are also at least `MIN_SHARE` of the outlet's articles («//
   انتهى //», «عين اليوم – متابعات», «...المزيد»). Lines are compared normalised
   (`index.normalize`), white space collapsed and every run of digits made "0", so "19:23 ت م"
   and "18:35 ت م" are one line.

Repeated lines are learned (`LineCounts`) from the articles of the run being indexed plus the
stored articles of the same outlets that the run does not hold again (their stored text; none
with `--prune`, which removes them), so
the decision is the one a store holding exactly those articles would make, whatever order they
came in. It costs one pass over the run's records before anything is embedded and one read of
the outlets' other stored texts; no state is kept between runs. An article's exclusions are part
of its hash (`index.build.article_hash`): when a line crosses the threshold, the articles of the
run that hold it are redone; a stored article that the run does not hold keeps the exclusions it
was indexed with until its file is indexed again. `VERSION` changes whenever these rules do.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from index.normalize import normalize

__all__ = ["MAX_LINE", "MIN_ARTICLES", "MIN_SHARE", "VERSION", "Learned", "LineCounts",
           "excluded", "line_key", "is_furniture"]

VERSION = 1
MIN_ARTICLES = 5
MIN_SHARE = 0.05
MAX_LINE = 120  # a longer line repeated across articles is shared reporting, not furniture

_ALEF = "[اأإآ]"
_MARKERS = re.compile(
    "|".join((
        r"رابط\s+(?:الخبر|المقال|الموضوع)",
        rf"{_ALEF}قر{_ALEF}\s+{_ALEF}يض[اً]+",
        r"شارك(?:ها|وا)?\s+(?:هذا|الخبر|المقال|على|عبر)",
        r"تابع(?:ونا|نا|وا)\s+(?:على|عبر|في)",
        r"(?:share\s+(?:this|on)|follow\s+us|read\s+(?:also|more))\b",
    )),
    re.IGNORECASE,
)
_FOOTER = re.compile(r"رابط\s+(?:الخبر|المقال)\s+(?:ب|في\s|على\s)")
_SLIDER = re.compile(r"\s*(?:next\s+previous|previous\s+next|السابق\s+التالي|التالي\s+السابق)"
                     r"(?![^\W_])", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\u061f\u2026\u061b]['\"\u201d\u00bb)\]]*\s*$")
_LINE = re.compile(r"[^\n]+")
_DIGITS = re.compile(r"\d+")


def line_key(line: str) -> str:
    """What two lines share when they are "the same line": normalised, digits made "0"."""
    return _DIGITS.sub("0", " ".join(normalize(line).split()))


def _lines(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, rest, end) of each line that is not blank, the white space around it left out;
    `rest` is where it goes on after a slider's words (`start` when there are none)."""
    for line in _LINE.finditer(text):
        body = line.group()
        start = line.start() + len(body) - len(body.lstrip())
        end = line.start() + len(body.rstrip())
        if start == end:
            continue
        rest = start
        if slider := _SLIDER.match(text, start, end):
            rest = end - len(text[slider.end() : end].lstrip())
        yield start, rest, end


@dataclass(frozen=True)
class Learned:
    """Per outlet, the keys (`line_key`) of its repeated lines."""

    repeated: dict[str, frozenset[str]] = field(default_factory=dict)

    def of(self, source: str) -> frozenset[str]:
        return self.repeated.get(source, frozenset())


class LineCounts:
    """How many articles of each outlet hold each short line (once per article)."""

    def __init__(self) -> None:
        self._lines: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._articles: Counter[str] = Counter()
        self._texts: set[bytes] = set()  # digests of the texts counted: a duplicate counts once

    def add(self, source: str, text: str) -> None:
        digest = hashlib.sha1(text.encode()).digest()
        if digest in self._texts:
            return
        self._texts.add(digest)
        self._articles[source] += 1
        keys = {line_key(text[rest:end]) for _, rest, end in _lines(text)
                if end - rest <= MAX_LINE}
        self._lines[source].update(keys - {""})

    def add_all(self, articles: Iterable[tuple[str, str, str]]) -> set[str]:
        """Count (id, source, text) triples, the first of each id; returns the ids."""
        ids: set[str] = set()
        for article_id, source, text in articles:
            if article_id not in ids:
                ids.add(article_id)
                self.add(source, text)
        return ids

    def outlets(self) -> set[str]:
        return set(self._articles)

    def learned(self, *, min_articles: int = MIN_ARTICLES, min_share: float = MIN_SHARE
                ) -> Learned:
        repeated = {}
        for source, counts in self._lines.items():
            need = max(min_articles, min_share * self._articles[source])
            keys = frozenset(key for key, n in counts.items() if n >= need)
            if keys:
                repeated[source] = keys
        return Learned(repeated)


def excluded(text: str, repeated: frozenset[str] = frozenset()) -> tuple[tuple[int, int], ...]:
    """The spans of `text` to keep out of the index, sorted and apart: a slider's words, a
    repeated line whole (its key in `repeated`), a line from where its furniture starts
    (rule 1) to its end; the white space around each left out."""
    spans = []
    for start, rest, end in _lines(text):
        if rest > start:
            spans.append((start, start + len(text[start:rest].rstrip())))
        if rest == end:
            continue
        if repeated and end - rest <= MAX_LINE and line_key(text[rest:end]) in repeated:
            spans.append((rest, end))
        elif (furniture := _furniture(text, rest, end)) is not None:
            spans.append((furniture, end))
    return tuple(spans)

def is_furniture(sentence: str) -> bool:
    """Whether the sentence is page furniture from its first word («رابط الخبر بصحيفة الوئام…»,
    «اقرأ أيضا…»): what the index leaves out, for the answer not to quote it either."""
    start = _furniture(sentence, 0, len(sentence))
    return start is not None and not re.search(r"[^\W_]", sentence[:start])


def _furniture(text: str, start: int, end: int) -> int | None:
    """Where the furniture in the line text[start:end] starts, if it holds any (rule 1)."""
    footer = _FOOTER.search(text, start, end)
    for marker in _MARKERS.finditer(text, start, footer.start() if footer else end):
        before = text[start : marker.start()]
        if not before.strip() or _SENTENCE_END.search(before):
            return marker.start()
    return footer.start() if footer else None
