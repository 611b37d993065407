"""`akhbar eval` as a function: index a BEIR-style set (and any distractors) into a store,
then measure each retrieval method on each query file, and refusals on out-of-archive
questions. The CLI parses flags into :class:`EvalOptions` and prints the :class:`EvalReport`."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.archive import Archive
from assistant.config import Settings
from assistant.errors import AkhbarError
from assistant.evaluation.evaluate import (
    METHODS,
    MethodResult,
    calibrate,
    evaluate,
    load_queries,
    method_weights,
    read_jsonl,
    top_scores,
    tradeoff,
)
from assistant.language import Language, detect
from index.build import IndexReport


class UnknownMethodError(AkhbarError):
    """`unknown` are methods evaluate.METHODS does not have; `known` those it has."""

    def __init__(self, unknown: tuple[str, ...]) -> None:
        super().__init__(", ".join(unknown))
        self.unknown = unknown
        self.known = tuple(METHODS)


@dataclass(frozen=True)
class EvalOptions:
    corpus: Path
    queries: tuple[Path, ...]
    qrels: Path
    squad: Path | None = None  # SQuAD-format gold answers
    split: str | None = None  # only queries of this split
    distractors: tuple[Path, ...] = ()  # archives indexed beside the corpus
    unanswerable: tuple[Path, ...] = ()  # out-of-archive questions: refusals
    methods: tuple[str, ...] = ("bm25", "dense", "hybrid")
    names_weight: float | None = None  # overrides Fusion.names where it is used
    lowercase: bool = False  # ask the questions in lower case
    limit: int | None = None  # at most this many queries per file
    store: Path | None = None  # the store to index into and keep; None: a temporary one


@dataclass(frozen=True)
class MethodRun:
    queries: str  # the query file's name
    language: Language
    result: MethodResult


@dataclass(frozen=True)
class Refusals:
    queries: str
    n: int
    refused: float
    language: Language
    threshold: float
    scores: tuple[float, ...]


@dataclass(frozen=True)
class Calibration:
    language: Language
    threshold: float
    balanced_accuracy: float
    tradeoff: tuple[tuple[float, float, float], ...]  # (threshold, false refusals, refusals)


@dataclass(frozen=True)
class EvalReport:
    indexed: tuple[tuple[Path, IndexReport], ...]
    runs: tuple[MethodRun, ...]
    refusals: tuple[Refusals, ...]

    def calibrations(self) -> list[Calibration]:
        """For each out-of-archive set, the threshold that best separates it from the
        hybrid method's answerable questions of its language."""
        out = []
        for r in self.refusals:
            answerable = [s for run in self.runs
                          if run.result.method == "hybrid" and run.language == r.language
                          for s in run.result.top_scores]
            if not answerable:  # no answerable questions of that language were asked
                continue
            t, acc = calibrate(answerable, r.scores)
            out.append(Calibration(r.language, t, acc,
                                   tuple(tradeoff(answerable, r.scores))))
        return out


def run_eval(
    options: EvalOptions, settings: Settings, *,
    on_indexed: Callable[[Path, IndexReport], None] = lambda _p, _r: None,
) -> EvalReport:
    """Index and measure, in `options.store` (kept) or a temporary store; the rest of
    `settings` (model, Chroma server, dictionary) as given."""
    unknown = tuple(m for m in options.methods if m not in METHODS)
    if unknown:
        raise UnknownMethodError(unknown)
    with tempfile.TemporaryDirectory(prefix="akhbar-eval-") as tmp:
        settings = dataclasses.replace(settings, store=options.store or Path(tmp))
        archive = Archive.open(settings, create=True)
        try:
            indexed = []
            for path in [*options.distractors, options.corpus]:
                report = archive.index([path])
                indexed.append((path, report))
                on_indexed(path, report)
            runs = _runs(archive, options)
            refusals = _refusals(archive, options)
        finally:
            archive.close()
    return EvalReport(tuple(indexed), tuple(runs), tuple(refusals))


def _runs(archive: Archive, options: EvalOptions) -> list[MethodRun]:
    out = []
    for path in options.queries:
        queries = load_queries(path, options.qrels, squad=options.squad, split=options.split,
                               limit=options.limit)
        if options.lowercase:
            queries = [dataclasses.replace(q, text=q.text.lower()) for q in queries]
        for method in options.methods:
            weights = method_weights(method, archive.settings.scoring.fusion)
            if options.names_weight is not None and weights.names:
                weights = dataclasses.replace(weights, names=options.names_weight)
            result = evaluate(archive.retriever_with(weights), queries, method,
                              threshold=archive.threshold,
                              quoting=archive.settings.scoring.quoting,
                              picking=archive.settings.scoring.picking,
                              grouping=archive.settings.scoring.stories,
                              refuses=archive.refuses)
            out.append(MethodRun(path.name, detect(queries[0].text) if queries else "ar",
                                 result))
    return out


def _refusals(archive: Archive, options: EvalOptions) -> list[Refusals]:
    out = []
    hybrid = archive.retriever  # settings.scoring.fusion is the hybrid method
    for path in options.unanswerable:
        texts = [q["text"].strip(" -") for q in read_jsonl(path)][: options.limit]
        scores = top_scores(hybrid, texts)
        lang = detect(texts[0]) if texts else "ar"
        threshold = archive.threshold(lang)
        refused = sum(archive.refuses(t, hybrid.search(t, 5)) for t in texts) / max(
            len(texts), 1)  # by the refusal model (assistant.refusal_model)
        out.append(Refusals(path.name, len(texts), refused, lang, threshold, tuple(scores)))
    return out
