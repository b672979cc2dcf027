"""`faqbot serve` as clients meet it: gunicorn's gevent workers over real sockets.

Stalled clients cannot starve the server, gunicorn's own refusals are the app's
JSON, a chunked body over the limit is a 413, a stalled body times out with a
408, and SIGTERM lets a request in flight finish.
"""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import Server, serving, start, stop

STALLED = 40  # the bench holds 100; this is enough to starve a thread pool


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("front")
    # One worker process: nothing else could answer while it is starved.
    with serving(tmp, "--workers", "1", "--read-timeout", "2") as running:
        yield running


def raw(server: Server, data: bytes, *, timeout: float = 10) -> bytes:
    """Send raw bytes; return everything the server answers before closing."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
    return b"".join(chunks)


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def json_answer(answer: bytes) -> tuple[int, dict[str, object], str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    assert b"content-type: application/json" in head.lower(), head
    assert b"x-content-type-options: nosniff" in head.lower(), head
    return status, json.loads(body), head.decode("latin-1")


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        (
            b"GET /health HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: %s\r\n" % (n, b"a" * 100) for n in range(200))
            + b"\r\n",
            431,
        ),
    ],
    ids=["garbage", "bad-version", "headers-too-large"],
)
def test_gunicorns_own_refusals_are_json(
    server: Server, request_bytes: bytes, status: int
) -> None:
    answered, body, _ = json_answer(raw(server, request_bytes))
    assert answered == status
    assert body["status"] == status and body["error"]
    # gunicorn's log names the kind of error, not the client's input.
    assert "GARBAGE" not in server.logged()


def test_a_chunked_body_over_the_limit_is_413(server: Server) -> None:
    head = (
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b'{"sender": "v", "message": "' + b"a" * 65000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(16))
    status, answer, _ = json_answer(raw(server, head + body + b"0\r\n\r\n"))
    assert status == 413 and answer["status"] == 413


def test_stalled_clients_do_not_starve_the_server(server: Server) -> None:
    stalled = []
    try:
        for _ in range(STALLED):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(
                b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 60\r\n\r\n{"
            )
            stalled.append(s)
        # A thread-per-request server would hang here until the stalled
        # connections time out; these answers come while all are still open.
        status, body, _ = server.request("GET", "/health", timeout=5)
        assert status == 200 and body["status"] == "ok"
        assert server.say("not-stalled", "is ketamine safe?")
    finally:
        for s in stalled:
            s.close()


def test_a_stalled_body_times_out_with_408(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as s:
        s.sendall(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 60\r\n\r\n{"
        )
        started = time.monotonic()
        answer = b""
        while not _complete(answer):
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    status, body, head = json_answer(answer)
    assert status == 408 and body["status"] == 408
    assert time.monotonic() - started < 12


def test_sigterm_lets_a_request_in_flight_finish(tmp_path: Path) -> None:
    server = start(tmp_path, "--workers", "1")
    try:
        message = json.dumps({"sender": "late", "message": "is ketamine safe?"})
        data = message.encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
            s.sendall(
                b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(data), data[:10])
            )
            time.sleep(0.5)  # the request is in flight, its body half sent
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            s.sendall(data[10:])
            answer = b""
            while not _complete(answer):
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert b"ketamine" in answer.lower()
        assert stop(server, signal.SIGTERM) == 0
        # Stopped: nothing listens any more.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
    finally:
        if server.process.poll() is None:
            stop(server, signal.SIGKILL)
