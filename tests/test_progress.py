"""`akhbar index` shows a progress bar with articles/s on a terminal, and nothing when piped."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

from helpers import AKHBAR, make_articles, write_jsonl


def _run(archive: Path, store: Path, *, terminal: bool) -> str:
    if not terminal:
        done = subprocess.run([AKHBAR, "index", str(archive), "--store", str(store)],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stderr
    leader, follower = pty.openpty()
    # a real terminal has a size; tqdm draws nothing in a zero-column one
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([AKHBAR, "index", str(archive), "--store", str(store)],
                            stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=300) == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    archive = write_jsonl(tmp_path / "archive.jsonl", make_articles(80, seed=7))
    shown = _run(archive, tmp_path / "tty-store", terminal=True)
    assert "articles/s" in shown
    assert re.search(r"\b80 articles\b", shown), shown  # the final count, not any "80"
    assert "chars" in shown
    piped = _run(archive, tmp_path / "piped-store", terminal=False)
    assert "articles/s" not in piped and "\r" not in piped
