"""Hostile requests against a real chat server, and what each one costs it.

    .venv/bin/python tests/bench/server_limits.py

Indexes seeds/ into a temporary store, starts `akhbar chat` on 127.0.0.1 (Gradio's temp folder
named through GRADIO_TEMP_DIR, to be watched), sends each hostile request a bounded number of
times and prints a Markdown table: what was sent, how often, the statuses returned, the
server's resident memory before and after, the files left in Gradio's temp folder and the
bytes added to the server's log. Then checks that `/ask` still answers. A benchmark, not a
test (tests/test_ui_limits.py asserts the limits): it prints what it sees.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the server helpers

from gradio_client import Client  # noqa: E402
from hostile_requests import (  # noqa: E402
    MB,
    Reply,
    files_under,
    fn_index,
    post_big,
    post_json,
    rss_kib,
    upload,
    wrong_arity,
)
from ui_server import ERBIL, IRAN_BACKED, ChatServer, akhbar, chat_server  # noqa: E402

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="akhbar-limits-") as tmp:
        home = Path(tmp)
        temp = home / "gradio-tmp"
        akhbar("index", str(SEEDS), "--store", str(home / "store"), "--quiet")
        with chat_server(home / "store", cwd=home, env={"GRADIO_TEMP_DIR": str(temp)}) as server:
            ok = ask_ok(server)  # warm: the rows measure the requests, not a first use
            ask = fn_index(server.url, "ask")
            bad_fn = {"data": [], "fn_index": 9999, "session_hash": "bench-fn",
                      "event_data": None}
            rows = [
                measure(server, temp, "50 MB body, Content-Length (`/gradio_api/queue/join`)",
                        15, lambda _: post_big(server.url, "/gradio_api/queue/join", 50 * MB,
                                              fn_index=ask)),
                measure(server, temp, "50 MB body, chunked (`/gradio_api/queue/join`)", 15,
                        lambda _: post_big(server.url, "/gradio_api/queue/join", 50 * MB,
                                           fn_index=ask, chunked=True)),
                measure(server, temp, "1 MB upload (`/gradio_api/upload`)", 20,
                        lambda n: upload(server.url, MB, name=f"bench-{n}.bin")),
                measure(server, temp, "1 MB request, wrong number of inputs (`/ask`)", 1,
                        lambda _: wrong_arity(server.url, ask, MB, session="bench-arity")),
                measure(server, temp, "60 KB request, wrong number of inputs (`/ask`)", 1,
                        lambda _: wrong_arity(server.url, ask, 60_000, session="bench-60k")),
                measure(server, temp, "bad fn_index (`/gradio_api/queue/join`)", 1,
                        lambda _: post_json(server.url, "/gradio_api/queue/join", bad_fn)),
                measure(server, temp, "bad fn_index (`/gradio_api/run/predict`)", 1,
                        lambda _: post_json(server.url, "/gradio_api/run/predict", bad_fn)),
            ]
            still = ask_ok(server)
    print("| request | count | status returned | server RSS before → after | "
          "temp files left | log bytes added |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"`/ask` before: {'answers' if ok else 'FAILS'}; after all of it: "
          f"{'answers' if still else 'FAILS'}")
    return 0 if still else 1


def measure(
    server: ChatServer, temp: Path, what: str, count: int, send: Callable[[int], Reply],
) -> list[str]:
    before_rss, before_log = rss_kib(server.pid), server.log.stat().st_size
    statuses: Counter[str] = Counter()
    for n in range(count):
        try:
            reply = send(n)
            statuses[str(reply.status) if reply.status else "no answer"] += 1
        except OSError as err:  # counted, not raised: this is a benchmark
            statuses[type(err).__name__] += 1
    time.sleep(1)  # let the server finish what the requests started (and log it)
    after_rss, after_log = rss_kib(server.pid), server.log.stat().st_size
    files = files_under(temp)
    size = sum(f.stat().st_size for f in files)
    return [what, str(count), ", ".join(f"{s} ×{n}" for s, n in sorted(statuses.items())),
            f"{before_rss / 1024:,.0f} → {after_rss / 1024:,.0f} MiB",
            f"{len(files)} ({size / MB:.1f} MB)", f"{after_log - before_log:,}"]


def ask_ok(server: ChatServer) -> bool:
    try:
        result = Client(server.url, verbose=False).predict(ERBIL["ar"], api_name="/ask")
    except Exception as err:  # reported, not raised
        print(f"/ask failed: {type(err).__name__}: {str(err)[:200]}", file=sys.stderr)
        return False
    return any(IRAN_BACKED in c["quote"] for c in result.get("citations", []))


if __name__ == "__main__":
    raise SystemExit(main())
