"""`akhbar eval`: a BEIR-style set (corpus, queries, qrels; gold answers when present) through
indexing, retrieval and the extractive answerer, with recall, MRR, answer coverage, refusals
and latency, for several retrieval methods measured in the same run."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import best_evidence, extract, is_answerable
from assistant.language import Language, detect
from assistant.retrieve import Hit, Retriever
from assistant.scoring import Fusion, Picking, Quoting, Stories
from index.normalize import normalize

# Each method: the fusion weights it changes from the archive's own (Scoring.fusion).
METHODS: dict[str, dict[str, Any]] = {
    "bm25": dict(dense=0.0, lexical=1.0, translated=0.0),
    "dense": dict(dense=1.0, lexical=0.0, names=0.0, translated=0.0),
    "hybrid": {},  # dense + BM25 + names + the dictionary leg
    "hybrid-no-names": dict(names=0.0),  # ablation: without names across scripts
    # ablation: without the dictionary leg (the default before it was measured among 30k)
    "hybrid-no-translation": dict(translated=0.0),
    "hybrid-no-names-no-translation": dict(names=0.0, translated=0.0),
    # an English question translated by the dictionary (assistant.translate), alone
    "translated": dict(dense=0.0, lexical=0.0, names=0.0, translated=1.0),
}


def method_weights(method: str, base: Fusion = Fusion()) -> Fusion:
    """The fusion weights of `method`: `base` with what the method changes."""
    return replace(base, **METHODS[method])


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    relevant: frozenset[str]
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class MethodResult:
    method: str
    n: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    answer_in_cited: float | None  # share whose cited passages hold a gold answer
    answer_in_quote: float | None  # share whose quoted sentences hold a gold answer
    refused: float  # share of these (answerable) questions refused
    p50_ms: float
    p95_ms: float
    top_scores: tuple[float, ...] = ()

    def row(self) -> list[str]:
        def pct(x: float | None) -> str:
            return "-" if x is None else f"{x:.3f}"

        return [self.method, str(self.n), pct(self.recall_at_1), pct(self.recall_at_5),
                pct(self.mrr_at_10), pct(self.answer_in_cited), pct(self.answer_in_quote),
                pct(self.refused), f"{self.p50_ms:.1f}", f"{self.p95_ms:.1f}"]


HEADER = ["method", "queries", "R@1", "R@5", "MRR@10", "ans∈cited", "ans∈quote", "refused",
          "p50 ms", "p95 ms"]


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_queries(
    queries: Path, qrels: Path, *, squad: Path | None = None, split: str | None = None,
    limit: int | None = None,
) -> list[Query]:
    relevant: dict[str, set[str]] = {}
    with open(qrels, encoding="utf-8") as handle:
        for line in handle:
            qid, _, rest = line.strip().partition("\t")
            cid = rest.split("\t")[0]
            if qid and qid != "query-id":
                relevant.setdefault(qid, set()).add(cid)
    answers = squad_answers(squad) if squad else {}
    out = []
    for q in read_jsonl(queries):
        if q["_id"] not in relevant or (split and q.get("split") not in (None, split)):
            continue
        out.append(Query(q["_id"], q["text"].strip(" -"), frozenset(relevant[q["_id"]]),
                         tuple(answers.get(q["_id"], ()))))
    return out[:limit] if limit else out


def squad_answers(path: Path) -> dict[str, list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        qa["id"]: [a["text"] for a in qa.get("answers", [])]
        for article in data["data"] for para in article["paragraphs"] for qa in para["qas"]
    }


def evaluate(
    retriever: Retriever, queries: Sequence[Query], method: str, *,
    threshold: Callable[[Language], float], progress: Callable[[int], None] | None = None,
    quoting: Quoting = Quoting(), picking: Picking = Picking(), grouping: Stories = Stories(),
    refuses: Callable[[str, list[Hit]], bool] | None = None,
) -> MethodResult:
    """Each query through `retriever` and the extractive answer; `threshold` gives the
    refusal threshold of a language; `refuses` (the archive's refusal model), when given,
    decides refusals instead."""
    r1 = r5 = mrr = 0.0
    cited = quoted = refused = 0
    with_answers = 0
    latencies: list[float] = []
    tops: list[float] = []
    for i, q in enumerate(queries):
        language = detect(q.text)
        started = time.perf_counter()
        hits = retriever.search(q.text, 10, language=language)
        latencies.append((time.perf_counter() - started) * 1000)
        tops.append(best_evidence(hits[:5]))
        ranked = list(dict.fromkeys(h.article_id for h in hits))
        rank = next((j for j, a in enumerate(ranked) if a in q.relevant), None)
        if rank is not None:
            r1 += rank < 1
            r5 += rank < 5
            mrr += 1.0 / (rank + 1)
        refused += (refuses(q.text, hits[:5]) if refuses is not None
                    else not is_answerable(hits[:5], threshold(language)))
        if q.answers:
            with_answers += 1
            answer = extract(q.text, hits[:5], threshold=-1.0, language=language,
                             quoting=quoting, picking=picking, translator=retriever.translator,
                             grouping=grouping)
            cited_hits = [h for h in hits[:5] if any(c.article_id == h.article_id and
                                                     h.start <= c.start < h.end
                                                     for c in answer.citations)]
            cited += any(_contains(h.text, q.answers) for h in cited_hits)
            quoted += any(_contains(c.quote, q.answers) for c in answer.citations)
        if progress:
            progress(i + 1)
    n = max(len(queries), 1)
    return MethodResult(
        method=method, n=len(queries), recall_at_1=r1 / n, recall_at_5=r5 / n,
        mrr_at_10=mrr / n,
        answer_in_cited=cited / with_answers if with_answers else None,
        answer_in_quote=quoted / with_answers if with_answers else None,
        refused=refused / n, p50_ms=float(np.percentile(latencies, 50)) if latencies else 0.0,
        p95_ms=float(np.percentile(latencies, 95)) if latencies else 0.0,
        top_scores=tuple(tops),
    )


def top_scores(retriever: Retriever, texts: Sequence[str]) -> list[float]:
    out = []
    for text in texts:
        hits: list[Hit] = retriever.search(text, 5)
        out.append(best_evidence(hits))
    return out


def calibrate(answerable: Sequence[float], unanswerable: Sequence[float]) -> tuple[float, float]:
    """The threshold with the best balanced accuracy, and that accuracy."""
    pos, neg = np.asarray(answerable), np.asarray(unanswerable)
    best = (0.0, 0.0)
    for t in np.unique(np.concatenate([pos, neg])):
        acc = ((pos >= t).mean() + (neg < t).mean()) / 2
        if acc > best[1]:
            best = (float(t), float(acc))
    return best


def tradeoff(
    answerable: Sequence[float], unanswerable: Sequence[float]
) -> list[tuple[float, float, float]]:
    """(threshold, false-refusal rate, out-of-archive refusal rate) at 1/2/5/10% false refusals."""
    pos, neg = np.asarray(answerable), np.asarray(unanswerable)
    out = []
    for rate in (0.01, 0.02, 0.05, 0.10):
        t = float(np.quantile(pos, rate))
        out.append((t, float((pos < t).mean()), float((neg < t).mean())))
    return out


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
            for r in rows]
    return "\n".join([line, sep, *body])


def _contains(text: str, answers: Sequence[str]) -> bool:
    norm = " ".join(normalize(text).split())
    return any(" ".join(normalize(a).split()) in norm for a in answers if a.strip())
