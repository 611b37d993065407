"""Answer latency, measured (never asserted): `python -m assistant.evaluation.bench --store DIR`.

Warm in-process `Archive.ask` (extractive) and `search` over N questions, next to the parts
it cannot beat measured in the same run (embedding the query; one Chroma query), and the wall
time of `akhbar ask` as a fresh process next to a bare `python -c pass`.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.archive import Archive
from assistant.config import load_settings
from assistant.evaluation.evaluate import table
from index.filters import Filters

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "retrieval-derived" / "xquad"


def _timed(fn: Callable[[], Any], repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _each(items: list[str], fn: Callable[[str], Any]) -> list[float]:
    """Milliseconds of fn(item) for each item."""
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _row(name: str, ms: list[float]) -> list[str]:
    return [name, str(len(ms)), f"{np.percentile(ms, 50):.1f}", f"{np.percentile(ms, 95):.1f}",
            f"{np.mean(ms):.1f}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--queries", type=Path, action="append",
                        default=None, help="queries JSONL (default: XQuAD ar + en)")
    parser.add_argument("--n", type=int, default=200, help="questions per measurement")
    parser.add_argument("--fresh", type=int, default=5, help="fresh `akhbar ask` processes")
    args = parser.parse_args(argv)
    paths = args.queries or [SHARED / "queries.ar.jsonl", SHARED / "queries.en.jsonl"]
    questions = [json.loads(line)["text"] for p in paths for line in open(p, encoding="utf-8")]
    random.Random(0).shuffle(questions)
    questions = questions[: args.n]

    archive = Archive.open(load_settings({"store": args.store}))
    try:
        archive.ask("warm up")  # loads the model, maps the lexical index, calibrates refusal
        stats = archive.stats()
        store = archive.store
        embed = _each(questions, archive.embedder.embed_query)
        vec = archive.embedder.embed_query(questions[0])
        chroma = _timed(lambda: store.dense(vec, Filters(), 50), repeat=len(questions))
        search = _each(questions, archive.search)
        ask = _each(questions, archive.ask)
    finally:
        archive.close()
    akhbar = str(Path(sys.executable).with_name("akhbar"))
    bare = _timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
                  repeat=args.fresh)
    fresh = _each(questions[: args.fresh], lambda q: subprocess.run(
        [akhbar, "ask", q, "--store", str(args.store), "--json"], check=True,
        capture_output=True))
    print(f"store: {stats.articles:,} articles, {stats.chunks:,} chunks ({args.store})")
    print(table([
        _row("embed query (baseline)", embed),
        _row("Chroma top-50 query (baseline)", chroma),
        _row("search (hybrid, warm)", search),
        _row("ask (extractive, warm)", ask),
        _row("python -c pass (baseline)", bare),
        _row("akhbar ask, fresh process", fresh),
    ], ["what", "n", "p50 ms", "p95 ms", "mean ms"]))
    print(f"reproduce: python -m assistant.evaluation.bench --store {args.store} --n {args.n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
