"""`akhbar`: the command line. Imports stay lazy so a plain `ask` never pays for Gradio or torch."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings, load_settings

MAX_PRINTED_PROBLEMS = 50
# `akhbar show ID | head`: the reader went away. Exit quietly, with the status a Unix tool
# killed by SIGPIPE reports (128 + 13), so that `set -o pipefail` scripts see the cut.
EXIT_BROKEN_PIPE = 141
EXIT_BUG = 70  # EX_SOFTWARE


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # a reader that went away shows up here at the latest
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that it cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    return code


def _main(argv: Sequence[str] | None) -> int:
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
    except (AkhbarError, AkhbarIndexError, UsageError) as err:  # the user's to fix
        print(f"akhbar: error: {printable(_words(err))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("akhbar: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # main() ends quietly
    except Exception:  # not the user's doing: show where, and say so
        traceback.print_exc()
        print("akhbar: internal error: this is a bug in Akhbar, not a problem with what you "
              "typed. Please report it with the traceback above.", file=sys.stderr)
        return EXIT_BUG


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # not \t, \n
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` from the archive, fit for a terminal: control characters shown as escapes
    (\\n, \\x1b, \\u2028), so that no field can start a line of its own or send the terminal
    commands. `multiline` (article and answer texts) keeps newlines and tabs."""
    return (_CONTROL_IN_TEXT if multiline else _CONTROL).sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


class UsageError(Exception):
    """A flag the CLI cannot use (worded here: the CLI is where flags are known)."""


def _words(err: Exception) -> str:
    from assistant.errors import FilterError, describe_filter
    from assistant.evaluation.run import UnknownMethodError

    if isinstance(err, FilterError):
        return describe_filter(err, {"since": "--since", "until": "--until",
                                     "outlets": "--source"})
    if isinstance(err, UnknownMethodError):
        return f"unknown method(s) {list(err.unknown)}; choose from {', '.join(err.known)}"
    return _store_words(err) or str(err)


def _store_words(err: Exception) -> str | None:
    """The store's errors in the CLI's words (with the flags and commands that fix them)."""
    from assistant.errors import EmptyStoreError
    from index.errors import (
        ChunkingMismatchError,
        LexicalIndexError,
        ModelMismatchError,
        NoStoreError,
        ServerAddressError,
        ServerUnreachableError,
        StoreLockedError,
    )

    if isinstance(err, NoStoreError):
        if err.not_a_folder:
            return f"{err.path} is not a folder: name a folder with --store"
        return (f"no Akhbar store at {err.path}. Build one first: akhbar index ARCHIVE "
                f"--store {err.path}")
    if isinstance(err, EmptyStoreError):
        return (f"the store at {err.path} is empty. Index an archive first: "
                f"akhbar index PATH --store {err.path}")
    if isinstance(err, ChunkingMismatchError):
        return (f"the store at {err.path} was chunked as '{err.built}', not '{err.wanted}'. "
                "Use the same chunk settings, or index into a new --store.")
    if isinstance(err, ModelMismatchError):
        return (f"the store at {err.path} was built with {err.built}, not {err.wanted}. "
                f"Use --model {err.built_flag}, or index into a new --store.")
    if isinstance(err, StoreLockedError):
        return (f"store is locked: {err.path} is being written by {err.owner}. "
                "Wait for that run to finish, or use another --store.")
    if isinstance(err, LexicalIndexError):
        return (f"the lexical index at {err.path} is {err.problem}: run `akhbar index` on the "
                "archive again to rebuild it")
    if isinstance(err, ServerAddressError):
        return f"bad Chroma server address {err.address!r} (--chroma-server): use HOST:PORT"
    if isinstance(err, ServerUnreachableError):
        return (f"cannot reach the Chroma server at {err.address}: {err.reason}. Start one "
                f"(chroma run --host {err.host} --port {err.port} --path DIR) or fix "
                "--chroma-server.")
    return None


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = ("store", "chroma_server", "model", "k", "llm_provider", "llm_base_url", "llm_model",
             "dictionary")
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
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS threads for the bundled model (2 is faster on an idle machine)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no warnings")
    p.set_defaults(run=_index)

    p = sub.add_parser("stats", help="what the store holds")
    _store_flags(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_stats)

    for name, help_text in (("ask", "answer a question with cited passages"),
                            ("search", "ranked passages for a query, no answer")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("question", metavar="QUESTION" if name == "ask" else "QUERY")
        p.add_argument("--k", type=int, help="passages to retrieve (default 5)")
        p.add_argument("--since", metavar="YYYY-MM-DD", help="only articles from this date on")
        p.add_argument("--until", metavar="YYYY-MM-DD", help="only articles up to this date")
        p.add_argument("--source", action="append", default=[], metavar="OUTLET",
                       help="only this outlet (repeatable)")
        _store_flags(p)
        p.add_argument("--json", action="store_true", help="print one JSON object")
        if name == "ask":
            _llm_flags(p)
        p.set_defaults(run=_ask if name == "ask" else _search)

    p = sub.add_parser("chat", help="the chat app in your browser (Gradio), over the store")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--k", type=int, help="passages to retrieve per question (default 5)")
    p.add_argument("--concurrency", type=int, default=4,
                   help="answers written at once (default 4)")
    p.add_argument("--queue-size", type=int, default=32,
                   help="requests waiting beyond those before 'busy, retry' (default 32)")
    _store_flags(p)
    _llm_flags(p)
    p.set_defaults(run=_chat)

    p = sub.add_parser("show", help="an article, with a cited span highlighted")
    p.add_argument("article_id", metavar="ARTICLE_ID")
    p.add_argument("--span", metavar="START:END", help="character span to highlight")
    _store_flags(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_show)

    p = sub.add_parser("eval", help="retrieval and answer quality on a BEIR-style set, or on "
                       "news questions (--newsqa)")
    p.add_argument("--corpus", type=Path, action="append", default=[],
                   help="corpus JSONL (_id, title, text); with --newsqa: the archives the "
                   "questions were written over, repeated (the sample, seeds/)")
    p.add_argument("--queries", type=Path, action="append", default=[],
                   help="queries JSONL (_id, text); repeat for several languages")
    p.add_argument("--qrels", type=Path, help="qrels TSV (query-id, corpus-id)")
    p.add_argument("--newsqa", type=Path, metavar="DIR",
                   help="a newsqa-dev folder (questions.jsonl, answer_articles.json): score it "
                   "per language and register instead")
    p.add_argument("--followups", type=Path,
                   help="with --newsqa: a follow-up pairs JSONL to score too")
    p.add_argument("--squad", type=Path, help="SQuAD-format JSON with the gold answers")
    p.add_argument("--split", help="only queries whose 'split' field is this (e.g. test)")
    p.add_argument("--distractors", type=Path, action="append", default=[],
                   help="an archive indexed beside the corpus (e.g. SaudiNewsNet)")
    p.add_argument("--unanswerable", type=Path, action="append", default=[],
                   help="queries JSONL the corpus cannot answer: measures refusals")
    p.add_argument("--calibrate", action="store_true",
                   help="print the refusal threshold that best separates the two")
    p.add_argument("--methods", default="bm25,dense,hybrid",
                   help="bm25, dense, hybrid, hybrid-no-names (comma-separated)")
    p.add_argument("--names-weight", type=float, metavar="W",
                   help="weight of English names matched across scripts (default 0.3)")
    p.add_argument("--lowercase", action="store_true",
                   help="ask the questions in lower case (as people type in a chat)")
    p.add_argument("--limit", type=int, help="at most this many queries per file")
    _store_flags(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_eval)
    return parser


def _llm_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--llm-provider", choices=("openai", "ollama"),
                   help="answer with an LLM (env AKHBAR_LLM_PROVIDER); default: extractive")
    p.add_argument("--llm-base-url",
                   help="OpenAI-compatible or Ollama URL (env AKHBAR_LLM_BASE_URL)")
    p.add_argument("--llm-model", help="model name on that server (env AKHBAR_LLM_MODEL)")


def _open_archive(settings: Settings) -> Any:
    from assistant.archive import Archive

    return Archive.open(settings)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.archive import Delta

    archive = _open_archive(settings)
    try:
        filters = archive.filters(since=args.since, until=args.until, sources=args.source)
        answer = None
        streamed = False
        for event in archive.ask_stream(args.question, filters=filters):
            if isinstance(event, Delta):
                if not args.json and settings.llm_provider:
                    print(printable(event.text, multiline=True), end="", flush=True)
                    streamed = True
            else:
                answer = event
        _warn_stale(archive)
    finally:
        archive.close()
    assert answer is not None
    if args.json:
        print(json.dumps(answer.as_dict(), ensure_ascii=False))
        return 0
    from assistant.render import answer_text

    if streamed:
        print("\n")
    print(answer_text(_printable_answer(answer), color=sys.stdout.isatty(), streamed=streamed))
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    archive = _open_archive(settings)
    try:
        filters = archive.filters(since=args.since, until=args.until, sources=args.source)
        hits = archive.search(args.question, filters=filters)
        _warn_stale(archive)
    finally:
        archive.close()
    if args.json:
        from assistant.render import hit_dict

        print(json.dumps({"query": args.question, "hits": [hit_dict(h) for h in hits]},
                         ensure_ascii=False))
        return 0
    from assistant.render import hits_text

    print(hits_text([_printable_hit(h) for h in hits]) or "no passages found")
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.render import article_text

    archive = _open_archive(settings)
    try:
        article = archive.article(args.article_id)
    finally:
        archive.close()
    span = _span(args.span, len(article.text)) if args.span else None
    if args.json:
        from dataclasses import asdict

        print(json.dumps({**asdict(article), "span": span}, ensure_ascii=False))
        return 0
    article, span = _printable_article(article, span)
    print(article_text(article, span, color=sys.stdout.isatty()))
    return 0


# What the archive holds is printed through these: one-line fields escaped whole, texts
# with their line breaks kept (see `printable`).

def _printable_answer(answer: Any) -> Any:
    citations = tuple(dataclasses.replace(
        c, article_id=printable(c.article_id), title=printable(c.title),
        source=printable(c.source), date=printable(c.date) if c.date else c.date,
        url=printable(c.url), quote=printable(c.quote),
    ) for c in answer.citations)
    return dataclasses.replace(
        answer, text=printable(answer.text, multiline=True), citations=citations,
        notes=tuple(printable(n, multiline=True) for n in answer.notes),
    )


def _printable_hit(hit: Any) -> Any:
    return dataclasses.replace(
        hit, article_id=printable(hit.article_id), title=printable(hit.title),
        source=printable(hit.source), date=printable(hit.date) if hit.date else hit.date,
        url=printable(hit.url), text=printable(hit.text, multiline=True),
        also_in=tuple(printable(a) for a in hit.also_in),
    )


def _printable_article(
    article: Any, span: tuple[int, int] | None,
) -> tuple[Any, tuple[int, int] | None]:
    """The article with its fields escaped, and `span` moved onto the escaped text."""
    text = article.text
    if span:
        before, inside = (printable(part, multiline=True)
                          for part in (text[:span[0]], text[span[0]:span[1]]))
        span = (len(before), len(before) + len(inside))
    printed = dataclasses.replace(
        article, id=printable(article.id), title=printable(article.title),
        source=printable(article.source),
        date=printable(article.date) if article.date else article.date,
        url=printable(article.url), text=printable(text, multiline=True),
    )
    return printed, span


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation.evaluate import HEADER, table
    from assistant.evaluation.run import EvalOptions, run_eval

    if args.newsqa is not None:
        return _eval_newsqa(args, settings)
    if len(args.corpus) != 1 or not args.queries or args.qrels is None:
        raise UsageError("eval needs one --corpus, --queries and --qrels (or --newsqa DIR "
                         "--corpus ARCHIVE...)")
    options = EvalOptions(
        corpus=args.corpus[0], queries=tuple(args.queries), qrels=args.qrels, squad=args.squad,
        split=args.split, distractors=tuple(args.distractors),
        unanswerable=tuple(args.unanswerable),
        methods=tuple(m.strip() for m in args.methods.split(",") if m.strip()),
        names_weight=args.names_weight, lowercase=args.lowercase, limit=args.limit,
        store=args.store,
    )

    def indexed(path: Path, report: Any) -> None:
        print(f"indexed {path}: {report.added} added, {report.unchanged} unchanged "
              f"({report.seconds:.0f} s)", file=sys.stderr)

    report = run_eval(options, settings, on_indexed=indexed)
    if args.json:
        print(json.dumps({
            "results": [{"queries": run.queries, **{k: v for k, v in vars(run.result).items()
                                                    if k != "top_scores"}}
                        for run in report.runs],
            "unanswerable": [{"queries": r.queries, "n": r.n, "refused": r.refused,
                              "language": r.language, "threshold": r.threshold}
                             for r in report.refusals]}, ensure_ascii=False))
        return 0
    print(table([[run.queries, *run.result.row()] for run in report.runs],
                ["queries", *HEADER]))
    for r in report.refusals:
        print(f"out-of-archive {r.queries}: {r.n} questions, refused {r.refused:.3f} "
              f"(threshold {r.threshold} for '{r.language}')")
    if args.calibrate:
        for c in report.calibrations():
            print(f"calibrated threshold for '{c.language}': {c.threshold:.3f} "
                  f"(balanced accuracy {c.balanced_accuracy:.3f})")
            for t, false_refusal, refusal in c.tradeoff:
                print(f"  threshold {t:.3f}: refuses {false_refusal:.1%} of answerable, "
                      f"{refusal:.1%} of out-of-archive")
    return 0


SEEDS = Path(__file__).resolve().parents[1] / "seeds"  # the sample archive a first chat indexes


def _eval_newsqa(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation.newsqa import NewsQaOptions, render, run_newsqa

    if not args.corpus:
        raise UsageError("--newsqa needs the archives its questions were written over: "
                         "--corpus SAMPLE.jsonl --corpus seeds/")
    options = NewsQaOptions(questions=args.newsqa, archives=tuple(args.corpus),
                            distractors=tuple(args.distractors), followups=args.followups,
                            store=args.store)

    def indexed(path: Path, report: Any) -> None:
        print(f"indexed {path}: {report.added} added, {report.unchanged} unchanged "
              f"({report.seconds:.0f} s)", file=sys.stderr)

    report = run_newsqa(options, settings, on_indexed=indexed)
    print(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else render(report))
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the chat app; the login comes from AKHBAR_UI_USER / AKHBAR_UI_PASSWORD."""
    from assistant.ui.limits import private_temp_dir, sigterm_interrupts

    # Gradio's temp folder is this server's own, set before gradio is imported (it reads
    # GRADIO_TEMP_DIR then, too) and removed when the server stops, by Ctrl-C or SIGTERM.
    with sigterm_interrupts(), private_temp_dir():
        return _serve_chat(args, settings)


def _serve_chat(args: argparse.Namespace, settings: Settings) -> int:
    import ipaddress

    from assistant.ui.app import ServeOptions, serve

    user, password = os.environ.get("AKHBAR_UI_USER"), os.environ.get("AKHBAR_UI_PASSWORD")
    if bool(user) != bool(password):
        raise UsageError("set both AKHBAR_UI_USER and AKHBAR_UI_PASSWORD for a login, or neither")
    if args.concurrency < 1 or args.queue_size < 1:
        raise UsageError("--concurrency and --queue-size must be at least 1")
    try:
        loopback = args.host == "localhost" or ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        print(f"akhbar: WARNING: serving on {args.host}, not on this machine only: anyone who "
              "can reach it can read the archive"
              + ("." if user else ". Set AKHBAR_UI_USER and AKHBAR_UI_PASSWORD to require a "
                 "login."), file=sys.stderr)
    _seed_if_empty(settings)
    # Never served as files, whatever Gradio is told: the store, this checkout, the folder the
    # app runs in (its .env), the home folder and the config file.
    blocked = {settings.store.resolve(), SEEDS.parent, Path.cwd().resolve(), Path.home()}
    if os.environ.get("AKHBAR_CONFIG"):
        blocked.add(Path(os.environ["AKHBAR_CONFIG"]).resolve())
    options = ServeOptions(
        host=args.host, port=args.port, auth=(user, password) if user and password else None,
        concurrency=args.concurrency, queue_size=args.queue_size,
        blocked_paths=tuple(sorted(blocked)),
    )
    try:
        serve(settings, options)
    except OSError:  # Gradio's own message names its internals, not our flags
        print(f"akhbar: error: cannot serve on {args.host}:{args.port}: the port is in use, or "
              f"{args.host} is not an address of this machine. Choose another --port or --host.",
              file=sys.stderr)
        return 1
    return 0


def _seed_if_empty(settings: Settings) -> None:
    """A first chat over an empty store indexes the sample archive (seeds/) into it."""
    from assistant.archive import Archive

    archive = Archive.open(settings, create=True)
    try:
        if not archive.is_empty():
            return
        print(f"akhbar: the store at {settings.store} is empty: indexing the sample archive "
              f"{SEEDS} first", file=sys.stderr)
        report = archive.index([SEEDS])
    finally:
        archive.close()
    print(f"akhbar: indexed {report.added} sample articles into {settings.store}",
          file=sys.stderr)


def _span(text: str, length: int) -> tuple[int, int]:
    start, sep, end = text.partition(":")
    if not sep or not start.isdigit() or not end.isdigit():
        raise UsageError(f"--span expects START:END character offsets, got {text!r}")
    s, e = int(start), int(end)
    if not 0 <= s < e <= length:
        raise UsageError(f"--span {text} is outside the article (0:{length})")
    return s, e


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.archive import Archive
    from index.articles import DEFAULT_FIELDS, iter_articles
    from index.build import IndexSettings

    overrides = dict(_pair(f, "--field") for f in args.field)
    index_settings = IndexSettings(
        fields=DEFAULT_FIELDS.with_overrides(overrides), max_chars=args.max_chars,
        encoding=args.encoding, prune=args.prune,
    )
    printed = [0]

    def warn(problem: object) -> None:
        printed[0] += 1
        if not args.quiet and printed[0] <= MAX_PRINTED_PROBLEMS:
            print(f"warning: {printable(str(problem))}", file=sys.stderr)

    # A missing PATH or an unknown --encoding fails here (iter_articles checks them when it is
    # called; nothing is read), before the store folder is made.
    iter_articles(args.paths, fields=index_settings.fields, encoding=args.encoding,
                  on_problem=warn)
    archive = Archive.open(settings, create=True, threads=args.threads)
    bar = None if args.quiet else _progress_bar()
    try:
        report = archive.index(args.paths, index_settings, on_problem=warn,
                               progress=bar.update if bar else None)
        stats = archive.stats()
    finally:
        if bar:
            bar.close()
        archive.close()
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
    for path, kept in sorted(report.not_pruned.items()):
        print(f"  not pruned: {kept} stored articles of {printable(path)}, which was not read "
              "completely")
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
    stats["dictionary"] = _dictionary_state(settings)
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        _print_stats(stats)
    return 0


def _dictionary_state(settings: Settings) -> dict[str, Any]:
    """Whether English questions get the dictionary leg (assistant.translate)."""
    from assistant.translate import Translator, missing_note
    from index.dictionary import DEFAULT_DICTIONARY

    path = settings.dictionary or DEFAULT_DICTIONARY
    used = bool(settings.scoring.fusion.translated)
    missing = Translator(path).missing if used else None
    return {"path": str(path), "available": missing is None, "used": used,
            "note": missing_note(missing) if missing else None}


def _warn_stale(archive: Any) -> None:
    """Say so on stderr when answers came from an out-of-date keyword index."""
    if (warning := archive.warning) is not None:
        print(f"akhbar: warning: {warning.message}", file=sys.stderr)


def _print_stats(stats: dict[str, Any]) -> None:
    print(f"store: {stats['articles']} articles, {stats['chunks']} chunks, "
          f"model {printable(str(stats['model']))} ({stats['dim']}-d)")
    if stats["first_date"]:
        print(printable(f"dates: {stats['first_date']} .. {stats['last_date']}"))
    sources = ", ".join(f"{printable(name)} ({n})" for name, n in stats["sources"].items())
    if sources:
        print(f"outlets: {sources}")
    if stats.get("lexical_stale"):
        what = "missing" if stats["lexical_missing"] else (
            f"out of date (built from generation {stats['lexical_generation']}, "
            f"the store is at {stats['generation']})")
        todo = ("an `akhbar index` run is writing now" if stats["indexing"]
                else "run `akhbar index` on the archive again")
        print(f"warning: the keyword index is {what}: {todo}")
    if note := (stats.get("dictionary") or {}).get("note"):
        print(printable(f"note: {note}"))


def _pair(text: str, flag: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise UsageError(f"{flag} expects NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


if __name__ == "__main__":
    raise SystemExit(main())
