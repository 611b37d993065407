"""For the UI tests: a real `akhbar chat` server on a free port, and the questions they ask."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from helpers import AKHBAR, free_port, stop_process

STARTUP_SECONDS = 240  # a first start indexes seeds/ and loads the encoder

ERBIL = {
    "en": "who was blamed for the Erbil attack?",
    "ar": "من يقف وراء الهجمات على أربيل؟",
}
IRAN_BACKED = "فصائل مسلحة مدعومة من إيران"  # in the seed story's last sentence
OFF_TOPIC = "كم عدد أقمار كوكب المشتري؟"  # nothing in seeds/ answers it

# An ingested article is untrusted: every field here must render as inert text.
EVIL_ARTICLE = {
    "id": "evil-dates-festival",
    "title": "<img src=x onerror=\"window.__pwned=1;alert('title')\"> مهرجان التمور في بريدة",
    "date": "2021-02-10",
    "source": "<script>alert('source')</script>Evil Outlet",
    "url": "javascript:alert('url')",
    "text": "اختتم مهرجان التمور السنوي في مدينة بريدة أعماله بمشاركة واسعة من المزارعين "
    "والتجار. <script>window.__pwned=1;alert('script')</script>\n"
    "وقال المنظمون إن المهرجان شهد بيع كميات قياسية من تمور السكري. "
    "<img src=x onerror=\"window.__pwned=1;alert('img')\"> "
    "<a href=\"javascript:alert('link')\">اضغط هنا</a>\n"
    "![pixel](http://evil.example/pixel.png) [رابط](javascript:alert('md')) ${alert('tpl')} "
    "{{constructor.constructor('alert(1)')()}} <svg onload=alert('svg')></svg> "
    "<iframe src=\"http://evil.example/\"></iframe>\n"
    "وأضافوا أن أسعار التمور استقرت خلال أيام المهرجان.",
}
EVIL_QUESTION = "ماذا حدث في مهرجان التمور في بريدة؟"


@dataclass(frozen=True)
class ChatServer:
    url: str
    log: Path
    store: Path
    pid: int

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


def akhbar(*args: str) -> str:
    """Run the CLI; its stdout."""
    run = subprocess.run([AKHBAR, *args], capture_output=True, text=True, timeout=240,
                         env=clean_env())
    assert run.returncode == 0, run.stderr
    return run.stdout


def clean_env(extra: Mapping[str, str] = {}) -> dict[str, str]:
    """The caller's environment without AKHBAR_* or GRADIO_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AKHBAR_", "GRADIO_"))}
    return {**env, **extra}


@contextmanager
def chat_server(
    store: Path, *args: str, cwd: Path, env: Mapping[str, str] = {},
) -> Iterator[ChatServer]:
    port = free_port()
    log = cwd / f"akhbar-chat-{port}.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [AKHBAR, "chat", "--store", str(store), "--port", str(port), *args],
            cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=clean_env(env),
        )
    server = ChatServer(f"http://127.0.0.1:{port}/", log, store, process.pid)
    try:
        _wait_until_up(server, process)
        yield server
    finally:
        stop_process(process)


def _wait_until_up(server: ChatServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"akhbar chat exited with {process.returncode}:\n"
                               f"{server.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(server.url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"akhbar chat did not answer on {server.url} within {STARTUP_SECONDS} s:\n"
                       f"{server.log_text()[-3000:]}")
