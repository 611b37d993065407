"""How often the planted-text detector flags real news: sentences of a slice of an archive.

    python tests/bench/planted_false_alarms.py [ARCHIVE] [--start 0] [--stop N]

ARCHIVE defaults to the 700-article SaudiNewsNet sample beside the checkout; a slice of the
full archive (`--start 8000 --stop 16000`) is what the detector was not tuned on. Prints the
count and every flagged sentence, so a reader can judge each one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from assistant.planted import flag  # noqa: E402
from index.articles import iter_articles  # noqa: E402
from index.sentences import sentence_spans  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "saudinewsnet" / "saudinewsnet.sample.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--start", type=int, default=0, help="first article (0-based)")
    parser.add_argument("--stop", type=int, default=None, help="article to stop before")
    args = parser.parse_args()
    articles = sentences = 0
    flagged: list[tuple[str, str, str]] = []
    for i, article in enumerate(iter_articles([args.archive], on_problem=lambda _: None)):
        if i < args.start:
            continue
        if args.stop is not None and i >= args.stop:
            break
        articles += 1
        for start, end in sentence_spans(article.text):
            sentences += 1
            found = flag(article.text[start:end])
            if found is not None:
                flagged.append((article.id, found.reason, article.text[start:end][:120]))
    print(f"{args.archive.name} articles {args.start}..{args.start + articles}: "
          f"{len(flagged)} of {sentences:,} sentences flagged")
    for article_id, reason, text in flagged:
        print(f"  {article_id}: {reason}: {text}")


if __name__ == "__main__":
    main()
