"""`akhbar`: the command line. Imports stay lazy so a plain `ask` never pays for Gradio or torch."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings, load_settings

MAX_PRINTED_PROBLEMS = 50


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    from assistant.errors import AkhbarError
    from index.errors import AkhbarIndexError

    try:
        settings = load_settings(_overrides(args))
        return int(args.run(args, settings) or 0)
    except (AkhbarError, AkhbarIndexError, ValueError) as err:
        print(f"akhbar: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("akhbar: interrupted", file=sys.stderr)
        return 130


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = ("store", "chroma_server", "model", "k", "llm_provider", "llm_base_url", "llm_model")
    return {name: getattr(args, name, None) for name in names}


def _store_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, help="store folder (env AKHBAR_STORE)")
    p.add_argument("--chroma-server", metavar="HOST:PORT",
                   help="use a `chroma run` server for vectors (env AKHBAR_CHROMA_SERVER)")
    p.add_argument("--model", help="embedding model: use-multilingual-v3 (default, bundled) "
                   "or a sentence-transformers name/path (env AKHBAR_MODEL)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="akhbar", description="Cited answers over an archive of Arabic news."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", help="index articles (JSONL, JSON, CSV, TXT, MD, HTML, .gz)")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _store_flags(p)
    p.add_argument("--prune", action="store_true",
                   help="remove stored articles that are not in PATH any more")
    p.add_argument("--field", action="append", default=[], metavar="NAME=COLUMN",
                   help="read a field from another column, e.g. --field text=content")
    p.add_argument("--encoding", help="force an encoding instead of detecting it per file")
    p.add_argument("--max-chars", type=int, default=1_000_000,
                   help="skip records longer than this (default 1,000,000 characters)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no warnings")
    p.set_defaults(run=_index)

    p = sub.add_parser("stats", help="what the store holds")
    _store_flags(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_stats)
    return parser


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from index.articles import DEFAULT_FIELDS
    from index.build import IndexSettings, build
    from index.embed import load_embedder
    from index.store import StoreConfig, open_store

    overrides = dict(_pair(f, "--field") for f in args.field)
    index_settings = IndexSettings(
        fields=DEFAULT_FIELDS.with_overrides(overrides), max_chars=args.max_chars,
        encoding=args.encoding, prune=args.prune,
    )
    printed = [0]

    def warn(problem: object) -> None:
        printed[0] += 1
        if not args.quiet and printed[0] <= MAX_PRINTED_PROBLEMS:
            print(f"warning: {problem}", file=sys.stderr)

    embedder = load_embedder(settings.model)
    store = open_store(StoreConfig(settings.store, settings.chroma_server), create=True)
    bar = None if args.quiet else _progress_bar()
    try:
        report = build(
            args.paths, store, embedder, index_settings, on_problem=warn,
            progress=bar.update if bar else None,
        )
        stats = store.stats()
    finally:
        if bar:
            bar.close()
        store.close()
    if printed[0] > MAX_PRINTED_PROBLEMS and not args.quiet:
        print(f"warning: {printed[0] - MAX_PRINTED_PROBLEMS} more problems not shown",
              file=sys.stderr)
    if args.json:
        print(json.dumps({**report.as_dict(), "store": stats.as_dict()}, ensure_ascii=False))
        return 0
    rate = report.characters / report.seconds if report.seconds else 0.0
    print(f"indexed into {settings.store}: {report.added} added, {report.updated} updated, "
          f"{report.unchanged} unchanged, {report.skipped} skipped, {report.pruned} pruned; "
          f"{report.chunks_written} chunks in {report.seconds:.1f} s ({rate:,.0f} chars/s)")
    for reason, n in sorted(report.skip_reasons.items()):
        print(f"  skipped {n}: {reason}")
    if any(report.recovered):
        print(f"  recovered from an interrupted run: {report.recovered[0]} stray vectors "
              f"removed, {report.recovered[1]} half-written articles redone")
    _print_stats(stats.as_dict())
    return 0


class _progress_bar:
    """tqdm with articles/s; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(unit=" articles", disable=None, file=sys.stderr, smoothing=0.1)
        self.seen = 0

    def update(self, seen: int, characters: int) -> None:
        self.bar.update(seen - self.seen)
        self.seen = seen
        self.bar.set_postfix_str(f"{characters:,} chars", refresh=False)

    def close(self) -> None:
        self.bar.close()


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from index.store import StoreConfig, open_store

    store = open_store(StoreConfig(settings.store, settings.chroma_server), create=False)
    try:
        stats = store.stats().as_dict()
    finally:
        store.close()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        _print_stats(stats)
    return 0


def _print_stats(stats: dict[str, Any]) -> None:
    print(f"store: {stats['articles']} articles, {stats['chunks']} chunks, "
          f"model {stats['model']} ({stats['dim']}-d)")
    if stats["first_date"]:
        print(f"dates: {stats['first_date']} .. {stats['last_date']}")
    sources = ", ".join(f"{name} ({n})" for name, n in stats["sources"].items())
    if sources:
        print(f"outlets: {sources}")


def _pair(text: str, flag: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise ValueError(f"{flag} expects NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


if __name__ == "__main__":
    raise SystemExit(main())
