"""What a hostile request can cost a real `akhbar chat` server on 127.0.0.1: memory, disk, log
and errors (assistant/ui/limits.py). Every request loop here is bounded."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client
from hostile_requests import (
    MB,
    files_under,
    fn_index,
    post_big,
    post_json,
    request,
    rss_kib,
    upload,
    wrong_arity,
)
from ui_server import ERBIL, IRAN_BACKED, ChatServer, akhbar, chat_server

MAX_BODY_BYTES = 64 * 1024  # assistant.ui.limits.MAX_BODY_BYTES, the documented cap
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("limits")
    akhbar("index", str(REPO / "seeds"), "--store", str(home / "store"), "--quiet")
    return home


@pytest.fixture(scope="module")
def server(home: Path) -> Iterator[ChatServer]:
    """Gradio's temp folder is named through GRADIO_TEMP_DIR, to be watched."""
    with chat_server(home / "store", cwd=home,
                     env={"GRADIO_TEMP_DIR": str(home / "gradio-tmp")}) as running:
        answer = Client(running.url, verbose=False).predict(ERBIL["ar"], api_name="/ask")
        assert answer["citations"]  # warm: what follows measures the requests, not a first use
        yield running


def log_size(server: ChatServer) -> int:
    return server.log.stat().st_size


# --- no server ---

def test_bounded_stream_cuts_long_writes_and_says_so() -> None:
    from assistant.ui.limits import BoundedStream

    out = io.StringIO()
    stream = BoundedStream(out, limit=10)  # type: ignore[arg-type]
    assert stream.write("short\n") == 6
    assert stream.write("y" * 1000 + "\n") == 1001
    assert out.getvalue() == "short\n" + "y" * 10 + "… [991 more characters not logged]\n"


# --- a real server ---

@pytest.mark.slow
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_big_body_is_refused_without_growing_the_server(
    server: ChatServer, chunked: bool,
) -> None:
    ask = fn_index(server.url, "ask")
    before = rss_kib(server.pid)
    for _ in range(3):
        reply = post_big(server.url, "/gradio_api/queue/join", 50 * MB, fn_index=ask,
                         chunked=chunked)
        assert reply.status == 413, reply
        assert f"over the limit of {MAX_BODY_BYTES:,} bytes" in reply.body
        assert reply.sent < 5 * MB  # refused early, not after reading it all
    grown = rss_kib(server.pid) - before
    assert grown < 4 * 1024, f"RSS grew by {grown} KiB"


@pytest.mark.slow
def test_uploads_are_refused_and_nothing_reaches_the_temp_folder(
    server: ChatServer, home: Path,
) -> None:
    temp = home / "gradio-tmp"
    for n in range(3):
        reply = upload(server.url, 20_000, name=f"f{n}.bin")
        assert reply.status == 404, reply
        assert "no file uploads" in reply.body
    for route in ("/gradio_api/upload/", "/gradio_api/process_recording",
                  "/gradio_api/stream/abc"):
        assert request(server.url, "POST", route, b"x").status == 404, route
    assert files_under(temp) == []
    # The server has a temp folder of its own there (removed when it stops, tested below).
    assert [p.name.startswith("akhbar-chat-") for p in temp.iterdir()] == [True]


@pytest.mark.slow
def test_a_request_cannot_fill_the_log(server: ChatServer) -> None:
    ask = fn_index(server.url, "ask")
    before = log_size(server)
    big = wrong_arity(server.url, ask, MB, session="hostile-1mb")  # over the body cap
    assert big.status == 413, big
    assert log_size(server) - before < 10_000
    before = log_size(server)
    under = wrong_arity(server.url, ask, MAX_BODY_BYTES - 1000, session="hostile-60k")
    assert under.status == 422, under
    assert "takes 4 input values; the request gives 1" in under.body
    assert log_size(server) - before < 10_000


@pytest.mark.slow
def test_an_unknown_event_handler_is_a_client_error(server: ChatServer) -> None:
    bad = {"data": [], "fn_index": 9999, "session_hash": "hostile-fn", "event_data": None}
    for path in ("/gradio_api/queue/join", "/gradio_api/run/predict"):
        reply = post_json(server.url, path, bad)
        assert reply.status == 422, (path, reply)
        assert "fn_index 9999 names no event handler" in reply.body
    reply = post_json(server.url, "/gradio_api/queue/join", {**bad, "fn_index": "x" * 5000})
    assert reply.status == 422 and len(reply.body) < 200, reply
    for path in ("/gradio_api/call/nope", "/gradio_api/run/nope"):
        reply = post_json(server.url, path, {"data": []})
        assert reply.status == 404, (path, reply)


@pytest.mark.slow
def test_ask_still_answers_after_all_of_it(server: ChatServer) -> None:
    # run after the hostile tests above (pytest keeps the file's order)
    result = Client(server.url, verbose=False).predict(ERBIL["en"], api_name="/ask")
    assert any(IRAN_BACKED in c["quote"] for c in result["citations"]), result["citations"]
    assert "Traceback" not in server.log_text()


@pytest.mark.slow
def test_the_temp_folder_goes_when_the_server_stops(home: Path, tmp_path: Path) -> None:
    """SIGTERM (what a service manager sends, and the tests' stop_process) stops the server
    cleanly, its temp folder with it."""
    temp = tmp_path / "gradio-tmp"
    with chat_server(home / "store", cwd=tmp_path, env={"GRADIO_TEMP_DIR": str(temp)}) as running:
        assert [p.name[:12] for p in temp.iterdir()] == ["akhbar-chat-"]
    assert list(temp.iterdir()) == []
    assert "Traceback" not in running.log_text()
