"""Real `faqbot serve` processes for tests that need gunicorn, sockets and signals."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAQBOT = Path(sys.executable).with_name("faqbot")
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running `faqbot serve`."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def connection(self, timeout: float = 20) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 20,
    ) -> tuple[int, Any, http.client.HTTPResponse]:
        """One request on a new connection; (status, parsed JSON or None, response)."""
        conn = self.connection(timeout)
        try:
            data = None if body is None else json.dumps(body)
            sent = {"Content-Type": "application/json", **(headers or {})}
            conn.request(method, path, data, sent)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed, response

    def say(self, sender: str, text: str) -> list[str]:
        status, body, _ = self.request(
            "POST", "/webhooks/rest/webhook", {"sender": sender, "message": text}
        )
        assert status == 200, body
        return [m["text"] for m in body]

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"faqbot serve exited:\n{log.read_text()[-3000:]}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/health")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"faqbot serve did not come up:\n{log.read_text()[-3000:]}")


SECRET_KEY = "test-session-key-" + "0" * 32


def start(
    tmp_path: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    name: str = "server",
) -> Server:
    """Start `faqbot serve ARGS` on a free port with an instance under tmp_path."""
    port = free_port()
    log = tmp_path / f"{name}-{port}.log"
    environ = {
        **os.environ,
        "FAQBOT_INSTANCE_PATH": str(tmp_path / "instance"),
        # One key for every server a test starts, as a deployment shares one
        # (a PostgreSQL deployment refuses to start without it).
        "FAQBOT_SECRET_KEY": SECRET_KEY,
        **(env or {}),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(FAQBOT), "serve", "--port", str(port), *args],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own process group: a crash test kills master and workers at once.
            start_new_session=True,
        )
    try:
        wait_until_up(port, process, log)
    except BaseException:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return Server(process, port, log)


def crash(server: Server) -> None:
    """SIGKILL the master and every worker at once, as a power cut would."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


def stop(server: Server, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
    """Signal the server and wait for it; return its exit status."""
    if server.process.poll() is None:
        server.process.send_signal(sig)
    try:
        return server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
        raise


@contextmanager
def serving(
    tmp_path: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    name: str = "server",
) -> Iterator[Server]:
    server = start(tmp_path, *args, env=env, name=name)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            stop(server)
