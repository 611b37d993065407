"""What a user sees when an archive is damaged, and what it costs the store: one row per input.

    .venv/bin/python tests/bench/bad_input.py

For each input, the intact archive is indexed into a fresh temporary store, then the real
`akhbar index ARCHIVE --prune` runs on the damaged one (as a user would after the damage) and
one Markdown table is printed: the input, the first warning line the CLI prints (its
temporary folder written $TMP), the articles that went in (added, updated or unchanged) and
the stored articles that survived the run.
A demonstration, not a test: it asserts nothing.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]  # this checkout's code, and the test helpers

from damaged import csv_text, cut_gzip, jsonl_lines, with_byte  # noqa: E402
from helpers import make_articles  # noqa: E402

from index.build import IndexSettings, build  # noqa: E402
from index.embed import Embedder, UseEmbedder  # noqa: E402
from index.store import StoreConfig, open_store  # noqa: E402

AKHBAR = str(Path(sys.executable).with_name("akhbar"))
ARTICLES = make_articles(46, seed=9)
WITH_URLS = [{**a, "url": f"https://example.org/{a['id']}"} for a in ARTICLES[:8]]


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # what is indexed, relative to the case's folder
    intact: Callable[[Path], None]  # writes the archive as it was first indexed
    damage: Callable[[Path], None]  # then changes it
    flags: tuple[str, ...] = ()


def _bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def write(home: Path) -> None:
        (home / "archive").mkdir(exist_ok=True)
        (home / "archive" / name).write_bytes(data)

    return write


def _link_out(home: Path) -> None:
    (home / "outside").mkdir()
    (home / "outside" / "passwd.txt").write_text("root:x:0:0:root:/root:/bin/bash\n", "utf-8")
    (home / "archive" / "passwd.txt").symlink_to(home / "outside" / "passwd.txt")


LINES = jsonl_lines(ARTICLES)
TEN = b"".join(jsonl_lines(ARTICLES[:10]))
EMPTY_7 = [{**a, "text": ""} if i == 6 else a for i, a in enumerate(ARTICLES)]
CASES = [
    Case("0xFF byte in line 5 of a 46-article JSONL", "archive",
         _bytes("news.jsonl", b"".join(LINES)), _bytes("news.jsonl", with_byte(LINES, 5, b"\xff"))),
    Case("NUL byte in line 2 of a 46-article JSONL", "archive",
         _bytes("news.jsonl", b"".join(LINES)), _bytes("news.jsonl", with_byte(LINES, 2, b"\x00"))),
    Case("`.jsonl.gz` of 10 records cut short after 6 (4 KiB)", "archive",
         _bytes("news.jsonl.gz", gzip.compress(TEN)), _bytes("news.jsonl.gz", cut_gzip(TEN, 6))),
    Case("CSV, 8 rows; row 4's title holds an unquoted comma", "archive",
         _bytes("news.csv", csv_text(WITH_URLS).encode()),
         _bytes("news.csv", csv_text(WITH_URLS, unquoted_comma_in=WITH_URLS[3]["id"]).encode())),
    Case("symbolic link in the folder to a file outside it", "archive",
         _bytes("news.jsonl", b"".join(LINES)), _link_out),
    Case("broken JSON in line 3 of a 46-article JSONL", "archive",
         _bytes("news.jsonl", b"".join(LINES)),
         _bytes("news.jsonl", b"".join(LINES[:2] + [LINES[2][:-2] + b"\n"] + LINES[3:]))),
    Case("empty text in line 7 of a 46-article JSONL", "archive",
         _bytes("news.jsonl", b"".join(LINES)),
         _bytes("news.jsonl", b"".join(jsonl_lines(EMPTY_7)))),
    Case("Windows-1256 JSONL indexed again with `--encoding utf-8`", "archive",
         _bytes("news.jsonl", b"".join(LINES).decode().encode("cp1256")), lambda home: None,
         ("--encoding", "utf-8")),
]


def main() -> int:
    embedder = UseEmbedder()
    rows = ["| input (then `akhbar index --prune`) | what the user sees (first warning line) "
            "| articles that went in | stored articles that survived |",
            "|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="akhbar-bad-input-") as tmp:
        for n, case in enumerate(CASES):
            home = Path(tmp) / str(n)
            home.mkdir()
            rows.append(_row(case, home, embedder))
    print("\n".join(rows))
    return 0


def _row(case: Case, home: Path, embedder: Embedder) -> str:
    store_path = home / "store"
    case.intact(home)
    store = open_store(StoreConfig(store_path), create=True)
    try:
        build([home / case.path], store, embedder, IndexSettings(), on_problem=lambda _: None)
    finally:
        store.close()
    before = _ids(store_path)
    case.damage(home)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("AKHBAR_CONFIG", None)
    run = subprocess.run(
        [AKHBAR, "index", case.path, "--store", "store", "--prune", "--json", *case.flags],
        cwd=home, capture_output=True, text=True, env=env, timeout=600,
    )
    shown = run.stderr.replace(f"{home}/", "$TMP/")  # the case's temporary folder
    warnings = [line for line in shown.splitlines() if line.strip()]
    seen = warnings[0] if warnings else "(nothing)"
    if run.returncode != 0:
        return f"| {case.name} | `{seen}` (exit {run.returncode}) | - | - |"
    summary = json.loads(run.stdout)
    went_in = summary["added"] + summary["updated"] + summary["unchanged"]
    survived = len(before & _ids(store_path))
    more = f" (+{len(warnings) - 1} more)" if len(warnings) > 1 else ""
    return (f"| {case.name} | `{seen}`{more} | {went_in} of {len(before)} "
            f"| {survived} of {len(before)} |")


def _ids(store_path: Path) -> set[str]:
    db = sqlite3.connect(store_path / "catalog.sqlite3")
    try:
        return {str(r[0]) for r in db.execute("SELECT id FROM articles")}
    finally:
        db.close()


if __name__ == "__main__":
    raise SystemExit(main())
