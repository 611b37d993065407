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

from assistant.citations import Citation, citation_for
from assistant.language import Language, detect
from assistant.planted import flag, visible
from assistant.retrieve import Hit
from assistant.scoring import Quoting
from assistant.stories import quotable, story_rank
from assistant.substance import is_question, novelty, stuffed
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
    quoting: Quoting = Quoting(),
) -> Answer:
    """Quote the sentences that answer, framed in the question's `language` (detected when
    not given); refuse when the best passage scores under threshold (see assistant.refusal
    for how it is calibrated)."""
    language = language or detect(question)
    if not is_answerable(hits, threshold):
        return refuse(question, language, "extractive")
    quoted = quotable(hits)  # the best story's hits, then those of stories close to it
    picks = _pick_sentences(question, quoted, threshold, quoting)
    rank = story_rank(quoted)
    picks.sort(key=lambda pick: rank[pick[0].article_id])  # the best story's quotes first
    if not picks:
        return refuse(question, language, "extractive", (NOTHING_QUOTABLE,))
    citations = tuple(
        citation_for(n, hit, start, end) for n, (hit, start, end, _) in enumerate(picks, 1)
    )
    lines = [LEAD[language]]
    for c in citations:
        where = ", ".join(p for p in (c.source, c.date or "") if p)
        if c.also_in:
            where += f"; also in: {c.copies_text()}"
        lines.append(f"- «{visible(c.quote)}» [{c.n}]" + (f" ({where})" if where else ""))
    return Answer(question, "\n".join(lines), False, citations, language, "extractive")


def _pick_sentences(
    question: str, hits: list[Hit], threshold: float, q: Quoting,
) -> list[tuple[Hit, int, int, float]]:
    qtokens = frozenset(tokenize(question))
    quotable = [  # per hit: its sentences that neither address the reader nor hide text
        [(start, end, dense) for (start, end), dense
         in zip(hit.sentences, hit.sentence_scores, strict=True)
         if flag(hit.span_text(start, end)) is None]
        for hit in hits
    ]
    reports = any(h.thinness <= q.report and h.evidence >= threshold and found
                  for h, found in zip(hits, quotable, strict=True))
    candidates = []
    for rank, (hit, sentences) in enumerate(zip(hits, quotable, strict=True)):
        if reports and hit.thinness > q.report:
            continue  # a bare line is quoted only when no report answers
        for start, end, dense in sentences:
            sentence = hit.span_text(start, end)
            overlap = len(qtokens & set(tokenize(sentence))) / len(qtokens) if qtokens else 0.0
            score = (dense + q.overlap * overlap + q.hit * hit.score - q.rank_step * rank
                     - _says_nothing(qtokens, sentence, q))
            candidates.append((score, hit, start, end))
    candidates.sort(key=lambda c: -c[0])
    picks: list[tuple[Hit, int, int, float]] = []
    seen_text: set[str] = set()
    per_article: dict[str, int] = {}
    best = candidates[0][0] if candidates else 0.0
    for score, hit, start, end in candidates:
        key = " ".join(normalize(hit.span_text(start, end)).split())
        if picks and (score < best - q.margin or len(picks) >= q.max_quotes):
            break
        if key in seen_text or per_article.get(hit.article_id, 0) >= q.per_article:
            continue
        seen_text.add(key)
        per_article[hit.article_id] = per_article.get(hit.article_id, 0) + 1
        picks.append((hit, start, end, score))
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
