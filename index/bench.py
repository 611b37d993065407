"""Indexing throughput: the whole pipeline against the embedder alone, in one run.

    python -m index.bench [--archive PATH] [--limit N] [--model NAME] [--threads N]

Indexes the archive into a temporary store, then embeds the very sentences the pipeline embedded
(and, for comparison, the chunk texts) with the same embedder, and prints both rates and their
ratio: how much of the end-to-end time is the embedder's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from index.articles import Problem, iter_articles
from index.build import IndexReport, IndexSettings, build
from index.embed import DEFAULT_MODEL, Embedder, load_embedder
from index.errors import InputTooLongError
from index.store import Store, StoreConfig, open_store

DEFAULT_ARCHIVE = (
    Path(__file__).resolve().parents[2] / "shared/data/saudinewsnet/saudinewsnet.sample.jsonl"
)


@dataclass(frozen=True)
class Timed:
    texts: int
    characters: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.characters / self.seconds if self.seconds else 0.0


class RssSampler:
    """Peak resident memory of this process, sampled from /proc/self/status."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def current_kib() -> int:
        try:
            with open("/proc/self/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, self.current_kib())
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kib = max(self.peak_kib, self.current_kib())


def limited_archive(archive: Path, limit: int, folder: Path) -> Path:
    """The first `limit` articles of `archive`, as a JSONL file in `folder`."""
    out = folder / "archive.jsonl"
    with open(out, "w", encoding="utf-8") as handle:
        for a in islice(iter_articles([archive], on_problem=lambda _: None), limit):
            record = {"id": a.id, "title": a.title, "date": a.date, "source_name": a.source,
                      "url": a.url, "text": a.text, **dict(a.extra)}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def embedded_texts(store: Store) -> tuple[list[str], list[str]]:
    """(each article's distinct sentences, as the pipeline embedded them; every chunk's text)."""
    sentences: list[str] = []
    chunks: list[str] = []
    for article_id in sorted(store.article_ids()):
        article = store.article(article_id)
        assert article is not None
        rows = sorted(store.chunks(sorted(store.chunk_ids([article_id]))).values(),
                      key=lambda row: row.ordinal)
        spans = sorted({s for row in rows for s in row.sentences})
        sentences.extend(article.text[s:e] for s, e in spans)
        chunks.extend(article.text[row.start : row.end] for row in rows)
    return sentences, chunks


def time_embedding(embedder: Embedder, texts: Sequence[str]) -> Timed | None:
    """None when the embedder refuses the texts (chunks over a transformer's input limit)."""
    started = time.perf_counter()
    try:
        embedder.embed_documents(texts)
    except InputTooLongError:
        return None
    return Timed(len(texts), sum(map(len, texts)), time.perf_counter() - started)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@dataclass(frozen=True)
class PipelineRun:
    report: IndexReport
    sentences: list[str]
    chunk_texts: list[str]
    store_bytes: int
    rss_before_kib: int
    rss_peak_kib: int


def run_pipeline(archive: Path, embedder: Embedder, keep: Path | None = None) -> PipelineRun:
    """Index `archive` into a fresh store (temporary unless `keep`) and measure it."""
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as name:
        folder = keep if keep is not None else Path(name) / "store"
        if keep is not None and keep.exists():
            raise SystemExit(f"--keep-store {keep} exists: give a new folder")
        store = open_store(StoreConfig(folder), create=True)
        try:
            problems: list[Problem] = []
            rss_before = RssSampler.current_kib()
            with RssSampler() as rss:
                report = build([archive], store, embedder, IndexSettings(),
                               on_problem=problems.append)
            sentences, chunk_texts = embedded_texts(store)
        finally:
            store.close()
        size = folder_size(folder)
    return PipelineRun(report, sentences, chunk_texts, size, rss_before, rss.peak_kib)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m index.bench", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads of the bundled USE model (default: its own default)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure N times and keep each figure's best (default 1)")
    parser.add_argument("--alone-sample", type=int, default=None, metavar="N",
                        help="time the embedder alone on every k-th text, N texts in all "
                        "(default: all; the rate is what is compared)")
    parser.add_argument("--keep-store", type=Path, default=None, metavar="DIR",
                        help="build the store in DIR and keep it (with --repeat 1)")
    args = parser.parse_args(argv)

    command = ["python", "-m", "index.bench", "--archive", str(args.archive)]
    command += ["--limit", str(args.limit)] if args.limit else []
    command += ["--model", args.model] if args.model != DEFAULT_MODEL else []
    command += ["--threads", str(args.threads)] if args.threads else []
    command += ["--repeat", str(args.repeat)] if args.repeat > 1 else []
    command += ["--alone-sample", str(args.alone_sample)] if args.alone_sample else []

    embedder = load_embedder(args.model, threads=args.threads or 1)
    embedder.embed_documents(["تحميل النموذج"])  # load weights before any clock starts
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as name:
        archive = (limited_archive(args.archive, args.limit, Path(name)) if args.limit
                   else args.archive)
        runs, alones, chunk_alones = [], [], []
        for _ in range(max(1, args.repeat)):
            runs.append(run_pipeline(archive, embedder, args.keep_store))
            alones.append(time_embedding(embedder, _sample(runs[-1].sentences, args.alone_sample)))
            chunk_alones.append(
                time_embedding(embedder, _sample(runs[-1].chunk_texts, args.alone_sample)))
    load_after = os.getloadavg()
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run = min(runs, key=lambda r: r.report.seconds)
    alone = min((t for t in alones if t), key=lambda t: t.seconds)
    chunks_alone = min((t for t in chunk_alones if t), key=lambda t: t.seconds, default=None)
    report, sentences, size = run.report, run.sentences, run.store_bytes
    rss_before = run.rss_before_kib
    rss_peak = max(r.rss_peak_kib for r in runs)

    e2e = report.seconds
    articles = report.added + report.updated
    sentence_chars = sum(map(len, sentences))
    rows = [
        ("archive", f"{args.archive}" + (f" (first {args.limit})" if args.limit else "")),
        ("model", f"{embedder.name} ({embedder.dim}-d)"
         + (f", {args.threads} BLAS thread(s)" if args.threads else "")),
        ("articles / chunks / sentences",
         f"{articles} / {report.chunks_written} / {len(sentences)}"
         + (f" ({report.skipped} skipped)" if report.skipped else "")),
        ("article characters", f"{report.characters:,}"),
        ("runs", f"{len(runs)} (best of each figure)" if len(runs) > 1 else "1"),
        ("end to end", f"{e2e:.2f} s"),
        ("  articles/s", f"{articles / e2e:,.1f}"),
        ("  chunks/s", f"{report.chunks_written / e2e:,.1f}"),
        ("  characters/s (article chars)", f"{report.characters / e2e:,.0f}"),
        ("  as sentence chars/s", f"{sentence_chars / e2e:,.0f}"),
        ("embedder alone, pipeline sentences",
         f"{alone.seconds:.2f} s, {alone.texts} texts, {alone.rate:,.0f} chars/s"),
        ("embedder alone, chunk texts",
         f"{chunks_alone.seconds:.2f} s, {chunks_alone.texts} texts, "
         f"{chunks_alone.rate:,.0f} chars/s" if chunks_alone
         else f"n/a: chunks exceed the {embedder.max_tokens}-token input limit"),
        ("end to end / embedder alone",
         f"{sentence_chars / e2e / alone.rate:.0%} (chars/s on the same sentences)"),
        ("RSS before the run", f"{rss_before / 1024:,.0f} MiB"),
        ("peak RSS during the run (VmRSS)", f"{rss_peak / 1024:,.0f} MiB"),
        ("peak RSS of the process (ru_maxrss)", f"{max_rss_kib / 1024:,.0f} MiB"),
        ("store size on disk", f"{size / 2**20:,.1f} MiB"),
        ("machine", f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, "
         f"{load_after[0]:.2f} after"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"\nreproduce: {shlex.join(command)}")
    return 0


def _sample(texts: list[str], n: int | None) -> list[str]:
    """Every k-th text, n in all (the whole list when n is None or larger)."""
    if not n or n >= len(texts):
        return texts
    return texts[:: max(1, len(texts) // n)][:n]


if __name__ == "__main__":
    sys.exit(main())
