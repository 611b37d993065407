"""Load check of the chat app: concurrent gradio_client users asking `/ask` for a while.

    .venv/bin/python tests/bench/ui_load.py                  # 10 users, 60 s, seeds/
    .venv/bin/python tests/bench/ui_load.py --users 20 --seconds 120 --store DIR

Starts a real `akhbar chat` (extractive answers) on a free port, over DIR or over a fresh
store of seeds/, and prints one table: requests, errors (by kind), latency percentiles and the
server's peak resident memory. A benchmark, not a test: it asserts nothing but prints errors.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the server helper

from gradio_client import Client  # noqa: E402
from ui_server import ERBIL, OFF_TOPIC, ChatServer, akhbar, chat_server  # noqa: E402

from assistant.ui.app import EXAMPLES  # noqa: E402

QUESTIONS = [*EXAMPLES, ERBIL["en"], ERBIL["ar"], OFF_TOPIC]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--store", type=Path, help="an indexed store (default: seeds/)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="akhbar-load-") as tmp:
        home = Path(tmp)
        store = args.store
        if store is None:
            store = home / "store"
            akhbar("index", str(Path(__file__).resolve().parents[2] / "seeds"),
                   "--store", str(store), "--quiet")
        with chat_server(store, cwd=home) as server:
            latencies, errors, wall = run_users(server, args.users, args.seconds)
            peak = peak_rss_mib(server)
    print(table(args.users, wall, latencies, errors, peak))
    return 0


def run_users(
    server: ChatServer, users: int, seconds: float,
) -> tuple[list[float], Counter[str], float]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    clients = [Client(server.url, verbose=False) for _ in range(users)]
    start = time.perf_counter()
    deadline = start + seconds

    def user(n: int) -> None:
        i = n
        while time.perf_counter() < deadline:
            question = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            began = time.perf_counter()
            try:
                result = clients[n].predict(question, api_name="/ask")
                problem = None if isinstance(result, dict) and "answer" in result else "bad reply"
            except Exception as err:  # counted and reported, not raised: this is a benchmark
                problem = f"{type(err).__name__}: {str(err)[:80]}"
            with lock:
                if problem is None:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors[problem] += 1

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - start


def peak_rss_mib(server: ChatServer) -> float:
    """The server's high-water resident memory (VmHWM), read before it is stopped."""
    pid = server.pid
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def table(
    users: int, wall: float, latencies: list[float], errors: Counter[str], peak: float,
) -> str:
    ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, round(p / 100 * (len(ms) - 1)))] if ms else float("nan")

    head = ["users", "seconds", "requests", "errors", "req/s", "p50 ms", "p95 ms", "max ms",
            "mean ms", "peak RSS MiB"]
    row = [str(users), f"{wall:.0f}", str(len(ms) + sum(errors.values())),
           str(sum(errors.values())), f"{len(ms) / wall:.1f}", f"{pct(50):.0f}", f"{pct(95):.0f}",
           f"{ms[-1] if ms else float('nan'):.0f}",
           f"{statistics.fmean(ms) if ms else float('nan'):.0f}", f"{peak:.0f}"]
    widths = [max(len(h), len(r)) for h, r in zip(head, row, strict=True)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)),
             "  ".join(r.rjust(w) for r, w in zip(row, widths, strict=True))]
    lines += [f"error x{n}: {kind}" for kind, n in errors.most_common()]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
