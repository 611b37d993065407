"""SIGKILL a real `akhbar index` over and over, then check readers and the repaired store.

    python tests/bench/kill_loop.py [--kills N] [--articles 60] [--archive FILE] [--seed S]

Each kill lands either after a random delay anywhere in a run, or at a stage that
tests/killhook/sitecustomize.py stops the child at (put on the child's PYTHONPATH only):
embedding a batch, writing its vectors to Chroma, committing it to the catalog, rebuilding
BM25. Runs alternate between a first run into an empty store and a re-index (--prune) of a
store built from an earlier version of the archive (articles dropped, changed and added).
After each kill, a reader (an Archive opened in this process, and the store's stats) says
whether the keyword index is out of step; the truth is read from the files (the lexical
index's chunk ids against the catalog's). Then `akhbar index` runs again, uninterrupted, and
the store must equal the one an uninterrupted run built (articles, chunks, vectors, BM25).
Prints a Markdown table. N kills per stage (default 2: about four minutes on two cores;
--kills 4 tries every hook of every stage).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from killkit import (  # noqa: E402 - after the path is set
    Digest,
    differences,
    digest,
    lexical_out_of_step,
    run_akhbar,
    sigkill,
    spawn_index,
    wait_for_signal,
)

if TYPE_CHECKING:
    from index.embed import Embedder

SAMPLE = TESTS.parents[1] / "shared/data/saudinewsnet/saudinewsnet.sample.jsonl"
# Each stage's hooks, taken in turn (n: a batch of the run, picked at random).
STAGES: dict[str, list[str]] = {
    "reading / embedding": ["embed:{n}:before"],
    "Chroma write": ["chroma:{n}:go", "chroma:{n}:after"],
    "catalog commit": ["commit:{n}:go", "commit:{n}:after"],
    "lexical rebuild": ["lexical:1:before", "publish:1:before", "lexical:1:go",
                        "publish:1:after"],
}
BATCH = 32  # the CLI's articles per batch (IndexSettings.batch_articles)


@dataclass(frozen=True)
class Outcome:
    stage: str
    killed: bool  # the run was still going when the kill came
    stale: bool  # the keyword index was out of step with the catalog (from the files)
    detected: bool  # a reader said so (Archive.warning and stats' lexical_stale)
    false_alarm: bool  # a reader said so when it was not
    answered: bool  # ask still answered (when anything was committed)
    identical: bool  # after the next run: the store an uninterrupted run builds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=2, help="kills per stage (default 2)")
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--archive", type=Path, default=SAMPLE, help="a JSONL archive")
    parser.add_argument("--seed", type=int, default=20150721)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="akhbar-kill-loop-") as tmp:
        work = Path(tmp)
        v1, v2 = _versions(args.archive, args.articles, work)
        ref1, ref2 = work / "ref1", work / "ref2"
        seconds = _timed(lambda: _index([v1], ref1))
        shutil.copytree(ref1, ref2)
        seconds = max(seconds, _timed(lambda: _index([v2], ref2, prune=True)))
        wanted = {"first": digest(ref1), "update": digest(ref2)}
        batches = {"first": _batches(v1), "update": _batches(v2)}
        from index.embed import UseEmbedder

        embedder = UseEmbedder()
        outcomes: list[Outcome] = []
        plan = [("random", [""])] + list(STAGES.items())
        for stage, hooks in plan:
            for k in range(args.kills):
                hook = hooks[k % len(hooks)]  # each hook in turn, on both kinds of run
                turn = k if len(hooks) % 2 else k + k // len(hooks)
                kind = ("first", "update")[turn % 2]
                hook = hook.format(n=rng.randint(1, batches[kind])) if hook else ""
                store = work / f"run-{len(outcomes)}"
                if kind == "update":
                    shutil.copytree(ref1, store)
                archive, prune = (v1, False) if kind == "first" else (v2, True)
                delay = rng.uniform(0.5, seconds) if not hook else rng.uniform(0, 0.05)
                outcome = _trial(stage, hook, delay, archive, store, prune, work, embedder,
                                 wanted[kind])
                outcomes.append(outcome)
                print(f"  {stage:20} {kind:6} {hook or f'after {delay:.1f} s':24} "
                      f"killed={outcome.killed} stale={outcome.stale} "
                      f"detected={outcome.detected} identical={outcome.identical}",
                      file=sys.stderr, flush=True)
                shutil.rmtree(store, ignore_errors=True)
    print(_table(outcomes))
    print(f"\n{len(outcomes)} runs, {args.articles} articles of {args.archive.name}, "
          f"{time.monotonic() - started:.0f} s")
    return 0 if all(o.identical and o.detected == o.stale for o in outcomes) else 1


def _trial(
    stage: str, hook: str, delay: float, archive: Path, store: Path, prune: bool, work: Path,
    embedder: Embedder, wanted: Digest,
) -> Outcome:
    signal_file = work / "reached"
    child = spawn_index([archive], store, prune=prune, hook=hook or None,
                        signal_file=signal_file if hook else None)
    try:
        if hook:
            try:
                wait_for_signal(child, signal_file)
            except AssertionError:  # the run ended without reaching the stage
                if child.returncode != 0:
                    raise
        time.sleep(delay)
    finally:
        status = sigkill(child)
    stale = lexical_out_of_step(store)
    detected, answered = _reader(store, embedder) if stale is not None else (False, True)
    _index([archive], store, prune=prune)
    return Outcome(
        stage=stage, killed=status == -9, stale=bool(stale), detected=bool(stale) and detected,
        false_alarm=not stale and detected, answered=answered,
        identical=differences(digest(store), wanted) == [],
    )


def _reader(store: Path, embedder: Embedder) -> tuple[bool, bool]:
    """(a reader says the keyword index is out of step, ask answered) on a killed store."""
    from assistant.archive import Archive
    from assistant.config import load_settings

    archive = Archive.open(load_settings({"store": store}, environ={}), embedder=embedder)
    try:
        warned = archive.warning is not None
        stats = archive.stats().as_dict()
        answer = archive.ask("ما هي استراتيجية بريطانيا لمكافحة التطرف؟")
        return warned and bool(stats["lexical_stale"]), answer.text != ""
    finally:
        archive.close()


def _table(outcomes: list[Outcome]) -> str:
    rows = ["| stage | kills | stores identical to an uninterrupted run after the next index "
            "run | readers that detected the stale state | false alarms | "
            "ask answered without an error |",
            "|---|---|---|---|---|---|"]
    by_stage: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_stage.setdefault(o.stage, []).append(o)
    for stage, group in by_stage.items():
        n = Counter(o.killed for o in group)[True]
        stale = sum(o.stale for o in group)
        rows.append(
            f"| {stage} | {n} (of {len(group)} runs) | {sum(o.identical for o in group)}/"
            f"{len(group)} | {sum(o.detected for o in group)}/{stale} left stale | "
            f"{sum(o.false_alarm for o in group)} | {sum(o.answered for o in group)}/"
            f"{len(group)} |")
    return "\n".join(rows)


def _versions(source: Path, n: int, work: Path) -> tuple[Path, Path]:
    """v1: the first n articles; v2: without the first tenth, five changed, a tenth new."""
    lines = source.read_text("utf-8").splitlines()
    articles = [json.loads(line) for line in lines[: n + n // 10]]
    v1, extra = articles[:n], articles[n:]
    changed = [{**a, "text": a["text"] + "\nوأكد المسؤول أن المشروع يحظى بدعم كبير."}
               if i < 5 else a for i, a in enumerate(v1[n // 10:])]
    return _write(work / "v1.jsonl", v1), _write(work / "v2.jsonl", changed + extra)


def _write(path: Path, articles: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles),
                    encoding="utf-8")
    return path


def _batches(archive: Path) -> int:
    return max(1, -(-len(archive.read_text("utf-8").splitlines()) // BATCH))


def _index(archives: list[Path], store: Path, *, prune: bool = False) -> None:
    done = run_akhbar("index", *map(str, archives), "--store", str(store), "--quiet",
                      *(["--prune"] if prune else []))
    if done.returncode != 0:
        raise SystemExit(f"akhbar index failed: {done.stderr}")


def _timed(fn: Callable[[], None]) -> float:
    start = time.monotonic()
    fn()
    return time.monotonic() - start


if __name__ == "__main__":
    raise SystemExit(main())
