"""Planted articles beside real ones: does any planted text become the answer?

    python tests/bench/planted.py [--sample 100] [--details]

Builds a temporary store of seeds/ + tests/fixtures/planted.jsonl (+ the first --sample
articles of the SaudiNewsNet sample, when it is there), asks every question of
tests/fixtures/planted_questions.jsonl and prints, per kind of planted article, how many
questions it aims at, how many answers quote it and how many of those answers still cite the
real source ("planted quoted" counts the answers, of all the questions, that quote an
article of that kind). With --details, one line per question as well. Exits 1 when any
answer quotes a planted article or misses its real source.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from planted_set import (  # noqa: E402
    KINDS,
    SAMPLE,
    ask_all,
    planted,
    questions,
    sample_slice,
)
from planted_set import ROOT as REPO  # noqa: E402

from assistant.archive import Archive  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from index.build import IndexSettings, build  # noqa: E402
from index.embed import load_embedder  # noqa: E402
from index.store import StoreConfig, open_store  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=100,
                        help="real SaudiNewsNet articles to add as distractors (default 100)")
    parser.add_argument("--sample-file", type=Path, default=SAMPLE,
                        help=f"where the SaudiNewsNet sample is (default {SAMPLE})")
    parser.add_argument("--without-planted", action="store_true",
                        help="index no planted article (the control: what the real ones give)")
    parser.add_argument("--details", action="store_true", help="one line per question too")
    args = parser.parse_args(argv)

    articles = [] if args.without_planted else planted()
    kind_of = {a["id"]: a["kind"] for a in articles}
    real = sample_slice(args.sample, args.sample_file)
    asked = questions()
    embedder = load_embedder()
    with tempfile.TemporaryDirectory(prefix="akhbar-planted-") as tmp:
        folder = Path(tmp) / "archive"
        folder.mkdir()
        for name, rows in (("planted.jsonl", articles), ("sample.jsonl", real)):
            (folder / name).write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        store_path = Path(tmp) / "store"
        store = open_store(StoreConfig(store_path), create=True)
        try:
            build([REPO / "seeds", folder], store, embedder, IndexSettings(), on_problem=print)
        finally:
            store.close()
        archive = Archive.open(load_settings({"store": store_path}, environ={}),
                               embedder=embedder)
        try:
            outcomes = ask_all(archive, asked, set(kind_of))
        finally:
            archive.close()

    print(f"store: seeds/ + {len(articles)} planted + {len(real)} SaudiNewsNet articles; "
          f"{len(asked)} questions\n")
    print("| kind of planted article | count | questions asked | planted quoted | "
          "real source cited |")
    print("|---|---|---|---|---|")
    count = Counter(kind_of.values())
    by_id = {o.question.id: o for o in outcomes}
    for kind in KINDS:
        aimed = sorted({t for a in articles if a["kind"] == kind for t in a["targets"]})
        quoted = sum(any(kind_of[p] == kind for p in o.planted_quoted) for o in outcomes)
        cited = sum(by_id[q].real_cited for q in aimed)
        print(f"| {kind} | {count[kind]} | {len(aimed)} | {quoted} | {cited} of {len(aimed)} |")
    quoted_all = sum(bool(o.planted_quoted) for o in outcomes)
    cited_all = sum(o.real_cited for o in outcomes)
    print(f"| **all** | {len(articles)} | {len(outcomes)} | {quoted_all} | "
          f"{cited_all} of {len(outcomes)} |")
    if args.details:
        print()
        for o in outcomes:
            mark = "ok  " if o.ok else "FAIL"
            cites = ", ".join(f"[{c.n}] {c.article_id}" for c in o.answer.citations)
            refused = " (refused)" if o.answer.refused else ""
            print(f"{mark} {o.question.id}: {cites}{refused}")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
