"""Hostile requests against a chat server on 127.0.0.1, each loop bounded (tests, bench).

Raw sockets for the big bodies: the client keeps sending only until the server answers (a
server that refuses a body early must not be waited on), and never more than it was told to.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import time
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MB = 1_000_000
CHUNK = 256 * 1024


@dataclass(frozen=True)
class Reply:
    status: int | None  # None: the server closed the connection without answering
    sent: int  # body bytes the client got to send
    body: str = ""


def host_port(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname == "127.0.0.1", url  # these requests go to this machine only
    return parts.hostname, int(parts.port or 80)


def post_big(
    url: str, path: str, size: int, *, fn_index: int | None = None, chunked: bool = False,
    timeout: float = 120,
) -> Reply:
    """POST a call of handler `fn_index` whose first value (a question) is `size` bytes,
    by Content-Length or chunked, stopping as soon as the server answers."""
    session = uuid.uuid4().hex
    head = b'{"data": ["'
    tail = (f'", "", "", null], "fn_index": {json.dumps(fn_index)}, '
            f'"session_hash": "{session}", "event_data": null, "trigger_id": null}}').encode()
    return stream(url, path, [head, *_filler(size - len(head) - len(tail), b"x"), tail],
                  {"Content-Type": "application/json"}, chunked=chunked, timeout=timeout)


def upload(url: str, size: int, name: str = "hostile.bin", timeout: float = 60) -> Reply:
    """POST one file of `size` bytes to Gradio's upload route, as its client does."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return stream(url, "/gradio_api/upload", [head, *_filler(size, b"\0"), tail],
                  {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                  timeout=timeout)


def _filler(size: int, byte: bytes) -> Iterator[bytes]:
    block = byte * CHUNK
    while size > 0:
        yield block[:min(size, CHUNK)]
        size -= CHUNK


def stream(
    url: str, path: str, pieces: Iterable[bytes], headers: dict[str, str], *,
    chunked: bool = False, timeout: float = 60,
) -> Reply:
    """POST `pieces` as one body (by Content-Length, or chunked), piece by piece, and stop
    sending as soon as the server answers (a server that refuses a body early closes the
    connection: writing on would only fail)."""
    parts = list(pieces)  # (the filler pieces are one bytes object, shared)
    host, port = host_port(url)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
             *(f"{k}: {v}" for k, v in headers.items())]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    else:
        lines.append(f"Content-Length: {sum(len(p) for p in parts)}")
    deadline = time.monotonic() + timeout
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        sent = 0
        try:
            for piece in parts:
                if _readable(sock) or time.monotonic() > deadline:  # answered: stop sending
                    break
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked
                             else piece)
                sent += len(piece)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading; its answer may still be there
        return _reply(sock, sent, deadline)


def _reply(sock: socket.socket, sent: int, deadline: float) -> Reply:
    status, body = _read_reply(sock, deadline)
    return Reply(status, sent, body)


def _readable(sock: socket.socket) -> bool:
    ready, _, _ = select.select([sock], [], [], 0)
    return bool(ready)


def _read_reply(sock: socket.socket, deadline: float) -> tuple[int | None, str]:
    data = b""
    try:
        while len(data) < MB:  # until the server closes the connection (Connection: close)
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
    except (ConnectionResetError, TimeoutError, OSError):
        pass
    if not data.startswith(b"HTTP/"):
        return None, ""
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")


def request(
    url: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> Reply:
    host, port = host_port(url)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, len(body), response.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def post_json(url: str, path: str, payload: Any) -> Reply:
    return stream(url, path, [json.dumps(payload).encode()],
                  {"Content-Type": "application/json"})


def fn_index(url: str, api_name: str) -> int:
    """The fn_index of the app's event handler named `api_name` (from its /config)."""
    config = json.loads(request(url, "GET", "/config").body)
    for dependency in config["dependencies"]:
        if dependency.get("api_name") == api_name:
            return int(dependency["id"])
    raise LookupError(f"no handler named {api_name!r} in {url}config")


def wrong_arity(url: str, index: int, size: int, session: str = "hostile-arity") -> Reply:
    """Join the queue for handler `index` with one value of `size` bytes (it takes more)."""
    payload = {"data": ["x" * size], "fn_index": index, "session_hash": session,
               "event_data": None, "trigger_id": None}
    reply = post_json(url, "/gradio_api/queue/join", payload)
    if reply.status == 200:  # let the server run it (and log what it logs) before we measure
        wait_for_completion(url, session)
    return reply


def wait_for_completion(url: str, session: str, timeout: float = 60) -> None:
    """Read the session's event stream until its event completes (or `timeout`)."""
    host, port = host_port(url)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    deadline = time.monotonic() + timeout
    try:
        conn.request("GET", f"/gradio_api/queue/data?session_hash={session}")
        response = conn.getresponse()
        while time.monotonic() < deadline:
            line = response.readline()
            if not line or b"process_completed" in line or b"close_stream" in line:
                return
    except (TimeoutError, OSError):
        return
    finally:
        conn.close()


def rss_kib(pid: int) -> int:
    """Resident memory of process `pid` (VmRSS, KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"no VmRSS for pid {pid}")


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
