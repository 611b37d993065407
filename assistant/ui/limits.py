"""What one request may cost the chat server: body size, uploads, calls, log lines, temp files.

`RequestLimits` is an ASGI middleware on the FastAPI app that Gradio builds (passed through
`launch(app_kwargs=...)`), in front of every Gradio route:

- a body over `max_body` bytes is refused with 413, from its Content-Length before anything is
  read, or, for a chunked body, as soon as the bytes received pass the cap (so a request can
  hold at most `max_body` bytes of memory);
- the routes that take files (`/gradio_api/upload` and the like) answer 404: the app has no
  upload feature, so nothing reaches Gradio's temp folder;
- a call naming an event handler the app does not have, or giving it fewer values than it
  takes, gets a 4xx with a one-line reason, not Gradio's 500 (and not its error message,
  which quotes every value received into the server log).

`sigterm_interrupts` makes SIGTERM stop the server as Ctrl-C does, so that it cleans up.
`bounded_output` caps what any one write to stdout/stderr (prints, tracebacks, log records)
may put in the server log; `private_temp_dir` gives Gradio a temp folder of its own, removed
when the server stops.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 64 * 1024  # a question is at most 1,000 characters; the UI's requests are small
MAX_LOG_WRITE_CHARS = 2000  # one print, log record or traceback line
API = "/gradio_api"
# Gradio's routes that write what they receive to its temp folder.
FILE_ROUTES = (f"{API}/upload", f"{API}/upload_progress", f"{API}/process_recording",
               f"{API}/stream")
# Gradio's routes that run an event handler, named by fn_index (or api_name) in a JSON body.
CALL_ROUTES = (f"{API}/queue/join", f"{API}/run/", f"{API}/api/")


class RequestLimits:
    """ASGI middleware enforcing the limits above. `handlers()` gives, for each fn_index of
    the app, the number of input values its handler takes; `api_names()` its named APIs."""

    def __init__(
        self, app: ASGIApp, *, max_body: int, handlers: Callable[[], Mapping[int, int]],
        api_names: Callable[[], frozenset[str]],
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.handlers = handlers
        self.api_names = api_names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].rstrip("/") or "/"
        if any(path == route or path.startswith(route + "/") for route in FILE_ROUTES):
            await respond(send, 404, "This app takes no file uploads.")
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await respond(send, 413, f"The request body is over the limit of "
                                     f"{self.max_body:,} bytes.")
            return
        body = await self._read_body(receive)
        if body is None:
            await respond(send, 413, f"The request body is over the limit of "
                                     f"{self.max_body:,} bytes.")
            return
        if scope["method"] == "POST":
            problem = self._check_call(path, body)
            if problem is not None:
                await respond(send, *problem)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the cap (the rest is never read)."""
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return b"".join(parts)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)

    def _check_call(self, path: str, body: bytes) -> tuple[int, str] | None:
        """(status, reason) when a call names no handler of this app or gives it too few
        values; None to let Gradio handle it (it answers malformed bodies itself)."""
        api_name = _api_name(path)
        if path.startswith(f"{API}/call/"):
            name = path.removeprefix(f"{API}/call/").removeprefix("v2/")
            if name.strip("/") and name not in self.api_names():
                return 404, f"No API named {_short(name)!r}."
            return None
        if not any(path == r.rstrip("/") or path.startswith(r) for r in CALL_ROUTES):
            return None
        try:
            request = json.loads(body)
        except ValueError:
            return None
        if not isinstance(request, dict):
            return None
        fn_index = request.get("fn_index")
        if fn_index is None:
            if api_name is not None and api_name not in self.api_names():
                return 404, f"No API named {_short(api_name)!r}."
            return None
        handlers = self.handlers()
        if isinstance(fn_index, bool) or not isinstance(fn_index, int) \
                or fn_index not in handlers:
            return 422, f"fn_index {_short(json.dumps(fn_index))} names no event handler."
        data = request.get("data")
        if isinstance(data, list) and len(data) < handlers[fn_index]:
            return 422, (f"fn_index {fn_index} takes {handlers[fn_index]} input values; "
                         f"the request gives {len(data)}.")
        return None


async def respond(send: Send, status: int, detail: str) -> None:
    """A JSON error response, as FastAPI writes them: {"detail": ...}."""
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def _api_name(path: str) -> str | None:
    for prefix in (f"{API}/run/", f"{API}/api/"):
        if path.startswith(prefix):
            return path.removeprefix(prefix)
    return None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive() that gives the body already read, then whatever the client sends next
    (a disconnect, which streaming responses wait for)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class BoundedStream:
    """A text stream that cuts any one write over `limit` characters, saying how much it cut,
    so that no request can make the server write megabytes of its data to the log."""

    def __init__(self, inner: TextIO, limit: int = MAX_LOG_WRITE_CHARS) -> None:
        self.inner = inner
        self.limit = limit

    def write(self, text: str) -> int:
        if len(text) > self.limit:
            cut = len(text) - self.limit
            ending = "\n" if text.endswith("\n") else ""
            self.inner.write(f"{text[:self.limit]}… [{cut:,} more characters not logged]"
                             f"{ending}")
        else:
            self.inner.write(text)
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, ...
        return getattr(self.inner, name)


@contextmanager
def bounded_output(limit: int = MAX_LOG_WRITE_CHARS) -> Iterator[None]:
    """sys.stdout and sys.stderr cut to `limit` characters a write while this lasts (logging
    handlers made meanwhile, uvicorn's among them, write through them too)."""
    saved = sys.stdout, sys.stderr
    sys.stdout = BoundedStream(saved[0], limit)
    sys.stderr = BoundedStream(saved[1], limit)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


_private: list[Path] = []  # the folder private_temp_dir() made, while it lasts


@contextmanager
def private_temp_dir() -> Iterator[Path]:
    """A temp folder for Gradio (GRADIO_TEMP_DIR) that is this server's alone and is removed
    when it stops; made inside the GRADIO_TEMP_DIR the caller set, if any. Entered before
    gradio is imported (`akhbar chat` does), it holds the folders Gradio makes at import too;
    entered again inside itself, it is the same folder."""
    if _private:
        yield _private[-1]
        return
    previous = os.environ.get("GRADIO_TEMP_DIR")
    if previous:
        Path(previous).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="akhbar-chat-", dir=previous or None))
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    _private.append(folder)
    try:
        yield folder
    finally:
        _private.pop()
        if previous is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = previous
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM stops the server as Ctrl-C does, so that it cleans up (its temp folder)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
