"""Tune one field of Fusion on one half of XQuAD's questions, report the other.

The fields are those of `Fusion` in assistant/scoring.py (e.g. `translated`, `lexical`,
`candidates`). XQuAD's questions are split by the parity of sha1(question id): a value is
chosen on the even half and reported on the odd one.

    python scripts/tune_fusion.py --store /tmp/xquad-store [--field translated] \
        [--values 0,0.1,0.15,0.2,0.3,0.4] [--language en]

(the store is the one `akhbar eval --corpus .../xquad/corpus.ar.jsonl --store DIR` builds,
with `--distractors` for the archive among 30k articles).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
from pathlib import Path

from assistant.archive import Archive
from assistant.config import load_settings
from assistant.evaluation.evaluate import evaluate, load_queries, method_weights

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def half(query_id: str) -> int:
    return int(hashlib.sha1(query_id.encode()).hexdigest(), 16) % 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--field", default="translated", help="a field of Fusion")
    parser.add_argument("--values", default="0,0.1,0.15,0.2,0.3,0.4")
    parser.add_argument("--language", choices=("ar", "en"), default="en")
    args = parser.parse_args()
    xquad = args.data / "retrieval-derived" / "xquad"
    queries = load_queries(xquad / f"queries.{args.language}.jsonl", xquad / "qrels.tsv",
                           squad=args.data / "xquad" / "xquad.ar.json")
    halves = {name: [q for q in queries if half(q.id) == parity]
              for name, parity in (("even", 0), ("odd", 1))}
    archive = Archive.open(load_settings({"store": args.store}, environ={}))
    try:
        base = method_weights("hybrid", archive.settings.scoring.fusion)
        kind = type(getattr(base, args.field))
        print(f"| half | {args.field} | queries | R@1 | R@5 | MRR@10 | ans∈cited | ans∈quote |")
        print("|---|---|---|---|---|---|---|---|")
        for weight in (kind(w) for w in args.values.split(",")):
            weights = dataclasses.replace(base, **{args.field: weight})
            retriever = archive.retriever_with(weights)
            for name, chosen in halves.items():
                r = evaluate(retriever, chosen, "hybrid", threshold=lambda language: -1.0)
                print(f"| {name} | {weight} | {r.n} | {r.recall_at_1:.3f} | "
                      f"{r.recall_at_5:.3f} | {r.mrr_at_10:.3f} | {r.answer_in_cited:.3f} | "
                      f"{r.answer_in_quote:.3f} |", flush=True)
    finally:
        archive.close()


if __name__ == "__main__":
    main()
