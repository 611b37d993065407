"""Answers: the offline extractive answerer, and the Answer every path returns.

Extractive: the sentences of the top passages that best answer the question (by the dense
sentence score plus, for Arabic questions, word overlap), quoted verbatim with numbered
citations; framed in the question's language. Refuses when the best evidence is too weak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.citations import Citation, citation_for
from assistant.language import Language, detect
from assistant.retrieve import Hit
from index.normalize import normalize
from index.tokens import tokenize

MAX_QUOTES = 3
QUOTE_MARGIN = 0.1  # further quotes must score within this of the best one

REFUSAL = {
    "ar": "لا يوجد في الأرشيف ما يجيب عن هذا السؤال.",
    "en": "The archive has nothing that answers this question.",
}
LEAD = {
    "ar": "بحسب الأرشيف:",
    "en": "From the archive (quoted in Arabic):",
}


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


def extract(question: str, hits: list[Hit], *, threshold: float) -> Answer:
    """Quote the sentences that answer; refuse when the best passage scores under threshold
    (see assistant.refusal for how it is calibrated)."""
    language = detect(question)
    if not is_answerable(hits, threshold):
        return refuse(question, language, "extractive")
    picks = _pick_sentences(question, hits)
    citations = tuple(
        citation_for(n, hit, start, end) for n, (hit, start, end, _) in enumerate(picks, 1)
    )
    lines = [LEAD[language]]
    for c in citations:
        where = ", ".join(p for p in (c.source, c.date or "") if p)
        lines.append(f"- «{c.quote}» [{c.n}]" + (f" ({where})" if where else ""))
    return Answer(question, "\n".join(lines), False, citations, language, "extractive")


def _pick_sentences(question: str, hits: list[Hit]) -> list[tuple[Hit, int, int, float]]:
    qtokens = set(tokenize(question))
    candidates = []
    for rank, hit in enumerate(hits):
        for (start, end), dense in zip(hit.sentences, hit.sentence_scores, strict=True):
            sentence = hit.text[start - hit.start : end - hit.start]
            overlap = len(qtokens & set(tokenize(sentence))) / len(qtokens) if qtokens else 0.0
            score = dense + 0.3 * overlap + 0.5 * hit.score - 0.01 * rank
            candidates.append((score, hit, start, end))
    candidates.sort(key=lambda c: -c[0])
    picks: list[tuple[Hit, int, int, float]] = []
    seen_text: set[str] = set()
    per_article: dict[str, int] = {}
    best = candidates[0][0] if candidates else 0.0
    for score, hit, start, end in candidates:
        key = " ".join(normalize(hit.text[start - hit.start : end - hit.start]).split())
        if picks and (score < best - QUOTE_MARGIN or len(picks) >= MAX_QUOTES):
            break
        if key in seen_text or per_article.get(hit.article_id, 0) >= 2:
            continue
        seen_text.add(key)
        per_article[hit.article_id] = per_article.get(hit.article_id, 0) + 1
        picks.append((hit, start, end, score))
    return picks
