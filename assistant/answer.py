"""Answers: the offline extractive answerer, and the Answer every path returns.

Extractive: the sentences of the top passages that best answer the question (by the dense
sentence score plus, for Arabic questions, word overlap), quoted verbatim with numbered
citations; framed in the question's language. Refuses when the best evidence is too weak.

A sentence that addresses the reader or hides text (assistant.planted) is never quoted; one
that only restates the question, asks a question or lists keywords (assistant.substance) is
lowered below the sentences that report. Reports come first: while a passage of an article
with the marks of reporting (thinness at most Quoting.report) holds the evidence to answer, no
thinner article is quoted beside it. When nothing quotable is left, the answer is a refusal.
Invisible characters in a quote are shown as marks (⟪U+200B⟫) in the answer text; the
citation keeps the verbatim quote and its offsets. Every weight and count of the choice is a
field of `Quoting` (assistant.scoring), passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant import stories
from assistant.citations import Citation, citation_for
from assistant.english import first_line
from assistant.language import Language, detect
from assistant.picking import (
    Sentence,
    answer_span,
    fit,
    quotable,
    rarity,
    sentences_of,
)
from assistant.planted import flag, visible
from assistant.question import Question, read_question
from assistant.retrieve import Hit
from assistant.scoring import Picking, Quoting, Stories
from assistant.substance import is_question, novelty, stuffed
from assistant.translate import Translator
from index.normalize import normalize
from index.tokens import tokenize

NOTHING_QUOTABLE = ("the passages found address the reader or hide text (assistant.planted); "
                    "none of it is quoted")

REFUSAL = {
    "ar": "لا يوجد في الأرشيف ما يجيب عن هذا السؤال.",
    "en": "The archive has nothing that answers this question.",
}
LEAD = {
    "ar": "بحسب الأرشيف:",
    "en": "From the archive (quoted in Arabic):",
}


@dataclass(frozen=True)
class Delta:
    """A piece of a streamed answer; the stream ends with the checked Answer."""

    text: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...]
    language: Language
    mode: str  # "extractive", "llm", or "llm, repaired" / "extractive (LLM answer failed ...)"
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question, "answer": self.text, "refused": self.refused,
            "citations": [c.as_dict() for c in self.citations], "language": self.language,
            "mode": self.mode, "notes": list(self.notes),
        }


def refuse(question: str, language: Language, mode: str, notes: tuple[str, ...] = ()) -> Answer:
    return Answer(question, REFUSAL[language], True, (), language, mode, notes)


def best_evidence(hits: list[Hit]) -> float:
    """How strongly the archive answers: the best absolute evidence among the hits."""
    return max((h.evidence for h in hits), default=0.0)


def is_answerable(hits: list[Hit], threshold: float) -> bool:
    return bool(hits) and best_evidence(hits) >= threshold


def extract(
    question: str, hits: list[Hit], *, threshold: float, language: Language | None = None,
    quoting: Quoting = Quoting(), picking: Picking = Picking(),
    translator: Translator | None = None, grouping: Stories = Stories(),
) -> Answer:
    """Quote the sentences that answer, framed in the question's `language` (detected when
    not given); refuse when the best passage scores under threshold (see assistant.refusal
    for how it is calibrated). `translator` reads an English question's words in Arabic for
    picking sentences (assistant.picking)."""
    language = language or detect(question)
    if not is_answerable(hits, threshold):
        return refuse(question, language, "extractive")
    asked = read_question(question)
    translated = (tuple(translator.translate(question).sets)
                  if translator is not None and language == "en" else ())
    usable = {h.chunk_id: _usable(h, picking) for h in hits}  # the sentences it may quote
    # the best story and those close to it, with something to quote (or, when none has, the
    # same chosen among the hits that have)
    told = [s for s in stories.chosen(hits, grouping) if any(usable[h.chunk_id] for h in s.hits)] \
        or stories.chosen([h for h in hits if usable[h.chunk_id]], grouping)
    rank = {h.article_id: n for n, story in enumerate(told) for h in story.hits}
    quoted = [h for story in told for h in story.hits if usable[h.chunk_id]]
    picks = _pick_sentences(asked, quoted, usable, threshold, translated, quoting, picking,
                            rank)
    picks.sort(key=lambda pick: rank[pick[0].article_id])  # the best story's quotes first
    if not picks:
        return refuse(question, language, "extractive", (NOTHING_QUOTABLE,))
    citations = []
    for n, (hit, s, _) in enumerate(picks, 1):
        quote = hit.span_text(s.start, s.end)
        citations.append(citation_for(n, hit, s.start, s.end,
                                      answer=answer_span(asked, quote, translated),
                                      cut_before=s.cut_before, cut_after=s.cut_after))
    lines = [LEAD[language]]
    opening = first_line(asked, citations[0]) if language == "en" else None
    if opening:
        lines.insert(0, opening)
    for c in citations:
        where = ", ".join(p for p in (c.source, c.date or "") if p)
        if c.also_in:
            where += f"; also in: {c.copies_text()}"
        lines.append(f"- «{c.shown(visible(c.quote))}» [{c.n}]"
                     + (f" ({where})" if where else ""))
    return Answer(question, "\n".join(lines), False, tuple(citations), language, "extractive")


def _usable(hit: Hit, picking: Picking) -> list[Sentence]:
    """The hit's whole sentences that may answer (assistant.picking), and that neither address
    the reader nor hide text (assistant.planted)."""
    return [s for s in sentences_of(hit, picking)
            if quotable(text := hit.span_text(s.start, s.end)) and flag(text) is None]


def _pick_sentences(
    asked: Question, hits: list[Hit], sentences_by_chunk: dict[str, list[Sentence]],
    threshold: float, translated: tuple[tuple[str, ...], ...], q: Quoting, picking: Picking,
    story: dict[str, int],
) -> list[tuple[Hit, Sentence, float]]:
    """The sentences to quote: the best story's within `q.margin` of its best one, then the
    best sentence of each other story in `story` (by article id; 0 the best), as its own item."""
    qtokens = frozenset(tokenize(asked.text))
    usable = [sentences_by_chunk[hit.chunk_id] for hit in hits]
    reports = any(h.thinness <= q.report and h.evidence >= threshold and found
                  for h, found in zip(hits, usable, strict=True))
    idf = rarity([h.span_text(s.start, s.end) for h, ss in zip(hits, usable, strict=True)
                  for s in ss])
    article_score: dict[str, float] = {}  # a sentence is read in its article: its best passage
    for hit in hits:
        article_score[hit.article_id] = max(article_score.get(hit.article_id, hit.score),
                                            hit.score)
    candidates = []
    for rank, (hit, sentences) in enumerate(zip(hits, usable, strict=True)):
        if reports and hit.thinness > q.report:
            continue  # a bare line is quoted only when no report answers
        for s in sentences:
            sentence = hit.span_text(s.start, s.end)
            score = (s.dense + fit(asked, sentence, translated, picking, idf)
                     + picking.passage * article_score[hit.article_id]
                     - q.rank_step * rank - _says_nothing(qtokens, sentence, q))
            candidates.append((score, hit, s))
    candidates.sort(key=lambda c: -c[0])
    picks: list[tuple[Hit, Sentence, float]] = []
    seen_text: set[str] = set()
    per_article: dict[str, int] = {}
    best: dict[int, float] = {}  # the best sentence's score, per story
    for score, hit, s in candidates:
        if len(picks) >= q.max_quotes:
            break
        key = " ".join(normalize(hit.span_text(s.start, s.end)).split())
        place = story.get(hit.article_id, 0)
        if place in best and (place or score < best[place] - q.margin):
            continue  # another story gives its best sentence only
        if key in seen_text or per_article.get(hit.article_id, 0) >= q.per_article:
            continue
        best.setdefault(place, score)
        seen_text.add(key)
        per_article[hit.article_id] = per_article.get(hit.article_id, 0) + 1
        picks.append((hit, s, score))
    return picks


def _says_nothing(qtokens: frozenset[str], sentence: str, q: Quoting) -> float:
    """How far to lower a sentence that restates the question, asks one or lists keywords."""
    penalty = 0.0
    new = novelty(qtokens, sentence)
    if new is not None and new < q.novel_enough:
        penalty += q.restated * (1 - new / q.novel_enough)
    if is_question(sentence):
        penalty += q.question
    if stuffed(sentence):
        penalty += q.stuffed
    return penalty
