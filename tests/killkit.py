"""Killing a real `akhbar index` at a chosen stage, and comparing the store it leaves.

Used by tests/test_crash.py and tests/bench/kill_loop.py. The child is the installed `akhbar`
script; tests/killhook/sitecustomize.py (on the child's PYTHONPATH only) stops it at a stage.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HOOK = Path(__file__).resolve().with_name("killhook")
AKHBAR = str(Path(sys.executable).with_name("akhbar"))


def child_env(hook: str | None = None, signal_file: Path | None = None) -> dict[str, str]:
    """The environment of a child `akhbar`: this checkout's code first, no AKHBAR_* settings
    of whoever runs the tests, and the kill hook when asked for."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    paths = [str(ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    if hook:
        assert signal_file is not None
        paths.insert(0, str(HOOK))
        env["AKHBAR_KILLHOOK"] = hook
        env["AKHBAR_KILLHOOK_FILE"] = str(signal_file)
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def spawn_index(
    archives: list[Path], store: Path, *, prune: bool = False, hook: str | None = None,
    signal_file: Path | None = None,
) -> subprocess.Popen[bytes]:
    """`akhbar index ARCHIVES --store STORE --quiet [--prune]`, stopped by `hook` if given."""
    if signal_file is not None:
        signal_file.unlink(missing_ok=True)
    args = [AKHBAR, "index", *map(str, archives), "--store", str(store), "--quiet", "--json"]
    return subprocess.Popen(args + (["--prune"] if prune else []),
                            env=child_env(hook, signal_file),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_signal(child: subprocess.Popen[bytes], signal_file: Path,
                    timeout: float = 300) -> str:
    """Wait until the hooked child reaches its stage; returns what the hook wrote."""
    deadline = time.monotonic() + timeout
    while not signal_file.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            out, err = child.communicate(timeout=30) if child.poll() is not None else (b"", b"")
            raise AssertionError(f"the child never reached its stage (exit {child.poll()}): "
                                 f"{err.decode()[-2000:]}")
        time.sleep(0.005)
    return signal_file.read_text()


def sigkill(child: subprocess.Popen[bytes]) -> int | None:
    """SIGKILL the child and reap it; returns its exit status (-9 when the kill landed)."""
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    for stream in (child.stdout, child.stderr):
        if stream:
            stream.close()
    return child.returncode


def run_akhbar(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AKHBAR, *args], capture_output=True, text=True, timeout=timeout,
                          env=child_env())


@dataclass(frozen=True)
class Digest:
    """What two stores built from the same archive must have in common (not generations)."""

    articles: dict[str, str]  # id -> hash
    chunks: dict[str, tuple[str, int, int, int, str]]  # id -> article, ordinal, span, terms
    vector_ids: list[str]
    vectors: np.ndarray
    lexical_chunks: list[str]
    lexical_vocab: dict[str, int]
    lexical_arrays: dict[str, np.ndarray]
    dirty: str | None


def digest(store_path: Path) -> Digest:
    from index.lexical import LexicalIndex
    from index.store import StoreConfig, open_store

    db = sqlite3.connect(store_path / "catalog.sqlite3")
    try:
        articles = {str(i): str(h) for i, h in db.execute("SELECT id, hash FROM articles")}
        chunks = {str(r[0]): (str(r[1]), int(r[2]), int(r[3]), int(r[4]), str(r[5]))
                  for r in db.execute(
                      "SELECT id, article_id, ordinal, start, end, terms FROM chunks")}
        row = db.execute("SELECT value FROM meta WHERE key='dirty'").fetchone()
    finally:
        db.close()
    store = open_store(StoreConfig(store_path), create=False)
    try:
        ids, vectors = store.vectors()
    finally:
        store.close()
    lexical = LexicalIndex(store_path / "lexical")
    arrays = {name: np.asarray(getattr(lexical, name))
              for name in ("indptr", "docs", "weights", "days", "sources")}
    return Digest(
        articles=articles, chunks=chunks, vector_ids=ids, vectors=vectors,
        lexical_chunks=list(lexical.chunk_ids), lexical_vocab=dict(lexical.vocab),
        lexical_arrays=arrays, dirty=None if row is None else str(row[0]),
    )


def differences(got: Digest, want: Digest) -> list[str]:
    """What differs between two stores' digests (empty: the same store)."""
    out = []
    for name in ("articles", "chunks", "vector_ids", "lexical_chunks", "lexical_vocab",
                 "dirty"):
        if getattr(got, name) != getattr(want, name):
            out.append(name)
    if got.vectors.shape != want.vectors.shape or not np.allclose(got.vectors, want.vectors,
                                                                  atol=1e-4):
        out.append("vectors")
    for name, array in want.lexical_arrays.items():
        if not np.array_equal(got.lexical_arrays[name], array):
            out.append(f"lexical {name}")
    return out


def lexical_out_of_step(store_path: Path) -> bool | None:
    """Whether the keyword index's chunks differ from the catalog's, read from the files
    themselves (not from generation marks); None when no article is committed yet."""
    from index.errors import StoreError
    from index.lexical import LexicalIndex

    path = store_path / "catalog.sqlite3"
    if not path.exists():
        return None
    db = sqlite3.connect(path)
    try:
        stored = {str(r[0]) for r in db.execute("SELECT id FROM chunks")}
    except sqlite3.OperationalError:  # killed before the schema was written
        return None
    finally:
        db.close()
    if not stored:
        return None
    try:
        return set(LexicalIndex(store_path / "lexical").chunk_ids) != stored
    except StoreError:
        return True  # missing


def stats_json(store_path: Path) -> dict[str, object]:
    done = run_akhbar("stats", "--store", str(store_path), "--json")
    assert done.returncode == 0, done.stderr
    loaded: dict[str, object] = json.loads(done.stdout)
    return loaded
