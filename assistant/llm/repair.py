"""Checking a written answer claim by claim as it streams in, and keeping only what holds.

A claim is kept when it passes `citations.check_claim` (it cites retrieved passages, its quotes
are verbatim) and the passages it cites support it: the claim, without its markers and quote
marks, must come within `Repair.support` cosine (assistant.scoring, where its calibration is
told) of a sentence (or a clause of one) of the cited passage. Each kept citation quotes the
claim's own verified quote, else the passage sentence closest to the claim.
Citations are renumbered in order of first appearance.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.citations import CITE, QUOTE, Citation, check_claim, citation_for, claim_spans
from assistant.planted import flag
from assistant.retrieve import Hit
from assistant.scoring import Repair
from index.embed import Embedder

_CLAUSE_BREAK = re.compile(r"[،,؛;:]\s+")
_LETTER = re.compile(r"[^\W\d_]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.،,؛;:!?؟])")


@dataclass(frozen=True)
class Dropped:
    claim: str
    problem: str


@dataclass(frozen=True)
class _Units:
    """A passage's sentences and their clauses, embedded, with the sentence each belongs to."""

    sentences: tuple[tuple[int, int], ...]  # article offsets
    owner: tuple[int, ...]  # for each unit, the index of its sentence
    penalty: np.ndarray
    vectors: np.ndarray


class AnswerChecker:
    """Feed the answer as it is written; get back the checked text of each completed claim."""

    def __init__(
        self, hits: Sequence[Hit], embedder: Embedder, *, repair: Repair = Repair(),
    ) -> None:
        self.hits = list(hits)
        self.embedder = embedder
        self.repair = repair
        self.threshold = repair.support
        self.raw = ""  # everything written so far
        self.kept: list[str] = []
        self.dropped: list[Dropped] = []
        self.citations: list[Citation] = []
        self.shown = ""  # the checked text handed out so far, pieces joined
        self._done = 0  # raw[:_done] has been checked
        self._kept_end: int | None = None  # where the last kept claim ends in raw
        self._numbers: dict[tuple[int, int, int], int] = {}
        self._units: dict[int, _Units] = {}

    @property
    def claims(self) -> int:
        return len(self.kept) + len(self.dropped)

    def feed(self, text: str) -> str:
        """Add written text; check the claims it completes and return their kept text."""
        self.raw += text
        spans = claim_spans(self.raw[self._done :])
        # The last claim may still grow, and citations written after it may still be coming.
        while spans and not _LETTER.search(self.raw, self._done + spans[-1][0]):
            spans.pop()
        return self._check_spans(spans[:-1])

    def finish(self) -> str:
        """The writer is done: check what is left."""
        return self._check_spans(claim_spans(self.raw[self._done :]))

    def problems(self) -> str:
        """Why claims were dropped, grouped: "no citation (2); quote «…» is not in passage [1]"."""
        counts = Counter(d.problem for d in self.dropped)
        return "; ".join(p if n == 1 else f"{p} ({n})" for p, n in counts.items())

    def _check_spans(self, spans: list[tuple[int, int]]) -> str:
        out = []
        base = self._done
        for start, end in spans:
            claim = self.raw[base + start : base + end]
            if _LETTER.search(claim) is None:  # "1.", "-", "**": layout, not a claim
                continue
            checked = self._check(claim)
            if checked is None:
                continue
            if self._kept_end is not None:  # keep line breaks between claims, else a space
                out.append("\n" if "\n" in self.raw[self._kept_end : base + start] else " ")
            out.append(checked)
            self.kept.append(checked)
            self._kept_end = base + end
        if spans:
            self._done = base + spans[-1][1]
        piece = "".join(out)
        self.shown += piece
        return piece

    def _check(self, claim: str) -> str | None:
        checked = check_claim(claim, self.hits)
        if checked.problem is not None:
            self.dropped.append(Dropped(claim, checked.problem))
            return None
        words = _words(claim)
        if not _LETTER.search(words):
            self.dropped.append(Dropped(claim, "no text besides its citations"))
            return None
        vec = self.embedder.embed_documents([words])[0]
        quoted = {n: (start, end) for n, start, end in reversed(checked.quotes)}
        spans: dict[int, tuple[int, int]] = {}
        scores: dict[int, float] = {}
        for n in checked.cited:
            score, sentence = self._support(n, vec)
            scores[n] = score
            if score >= self.threshold:
                spans[n] = quoted.get(n, sentence)
        if not spans:
            worst = ", ".join(f"[{n}] ({scores[n]:.2f})" for n in checked.cited)
            self.dropped.append(Dropped(claim, f"not supported by passage {worst}"))
            return None
        numbers = {n: self._number(n, *span) for n, span in spans.items()}
        text = CITE.sub(lambda m: f"[{numbers[int(m.group(1))]}]"
                        if int(m.group(1)) in numbers else "", claim)
        return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))

    def _number(self, n: int, start: int, end: int) -> int:
        key = (n, start, end)
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
            self.citations.append(citation_for(self._numbers[key], self.hits[n - 1], start, end))
        return self._numbers[key]

    def _support(self, n: int, vec: np.ndarray) -> tuple[float, tuple[int, int]]:
        """The best score of the claim against passage n, and the sentence that gave it."""
        units = self._units.get(n)
        if units is None:
            units = self._units[n] = _passage_units(self.hits[n - 1], self.embedder,
                                                    self.repair)
        scores = units.vectors @ vec - units.penalty
        best = int(np.argmax(scores))
        return float(scores[best]), units.sentences[units.owner[best]]


def _words(claim: str) -> str:
    """The claim as prose: no [n] markers, no quote marks."""
    text = CITE.sub(" ", claim)
    text = QUOTE.sub(lambda m: next(g for g in m.groups() if g), text)
    return " ".join(text.replace("«", " ").replace("»", " ").split())


def _passage_units(hit: Hit, embedder: Embedder, repair: Repair) -> _Units:
    """The passage's sentences, with the vectors the index stored for them, and the clauses of
    its long sentences, embedded here."""
    sentences = tuple(hit.sentences) or ((hit.start, hit.end),)
    owner = list(range(len(sentences)))
    penalty = [0.0] * len(sentences)
    clauses: list[str] = []
    for i, (start, end) in enumerate(sentences):
        sentence = hit.span_text(start, end)
        parts = [c for c in _CLAUSE_BREAK.split(sentence)
                 if len(c.split()) >= repair.min_clause_words]
        if len(parts) > 1:
            clauses.extend(parts)
            owner.extend([i] * len(parts))
            penalty.extend([repair.clause_penalty] * len(parts))
    if 0 < len(hit.sentences) == len(hit.sentence_vectors):
        vectors = hit.sentence_vectors.astype(np.float32)
        if clauses:
            vectors = np.vstack([vectors, embedder.embed_documents(clauses)])
    else:  # a Hit made without the stored vectors
        texts = [hit.span_text(start, end) for start, end in sentences]
        vectors = embedder.embed_documents(texts + clauses)
    # A sentence that addresses the reader or hides text (assistant.planted) never supports a
    # claim, so it is never the quote a citation falls back to either.
    flagged = [flag(hit.span_text(s, e)) is not None for s, e in sentences]
    penalty = [np.inf if flagged[owner[u]] else p for u, p in enumerate(penalty)]
    return _Units(sentences, tuple(owner), np.asarray(penalty, dtype=np.float32), vectors)
