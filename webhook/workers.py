"""gunicorn worker classes: an async front, and gunicorn's own errors as JSON.

With gunicorn's threaded worker, a client that sends its headers and then
trickles (or never sends) its body holds a worker thread for as long as it
likes: two such clients stopped a two-worker server. Under the gevent worker
every connection is a greenlet: a read that waits yields to the others, so
stalled clients cost a little memory, not a worker. Header reads time out after
the keep-alive interval (gunicorn's own), body reads after `read_timeout`.

gunicorn answers requests it cannot parse (a malformed request line, headers too
large) itself, before the app sees them, with an HTML page and a log line that
repeats the offending input. Here they answer the app's JSON error shape and log
the kind of error only.

gunicorn imports this module by name (`worker_class`), after forking, in each
worker; nothing here runs at import time but imports.
"""

from __future__ import annotations

import json
import socket
import sys
import warnings
from typing import Any

import gevent.socket
from gevent.monkey import MonkeyPatchWarning
from gunicorn.http import errors as http_errors
from gunicorn.workers.ggevent import GeventWorker

# gunicorn's parse errors and the status it gives each; anything else is a 500.
_STATUSES: tuple[tuple[type[BaseException], int, str], ...] = (
    (http_errors.LimitRequestHeaders, 431, "The request's headers are too large."),
    (http_errors.LimitRequestLine, 414, "The request line is too long."),
    (http_errors.UnsupportedTransferCoding, 501, "That transfer coding is not"
     " supported."),
    (http_errors.ForbiddenProxyRequest, 403, "Proxy requests are not accepted."),
    (http_errors.ParseException, 400, "The request is not valid HTTP."),
)
_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
}
# The same security headers the app sets on its own answers (webhook.errors).
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


def error_status(exc: BaseException) -> tuple[int, str]:
    """The HTTP status and message for an error gunicorn met reading a request."""
    for kind, status, message in _STATUSES:
        if isinstance(exc, kind):
            return status, message
    return 500, "The server could not handle the request."


def error_bytes(status: int, message: str) -> bytes:
    """A complete HTTP/1.1 response carrying `{"error", "status"}`."""
    body = json.dumps({"error": message, "status": status}).encode()
    head = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
        "Connection: close",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in SECURITY_HEADERS.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class JsonErrorsMixin:
    """Overrides gunicorn's `Worker.handle_error`: JSON out, no input in the log."""

    log: Any

    def handle_error(
        self, req: Any, client: Any, addr: Any, exc: BaseException
    ) -> None:
        status, message = error_status(exc)
        if status >= 500:
            self.log.error("could not handle a request: %s", type(exc).__name__)
        else:
            # The offending line or header is the client's input: never logged.
            self.log.info("refused a malformed request: %s", type(exc).__name__)
        try:
            client.sendall(error_bytes(status, message))
        except OSError:
            pass  # the client has gone; nothing to tell it


class FaqbotGeventWorker(JsonErrorsMixin, GeventWorker):
    """gevent worker with a read timeout on request bodies and JSON errors.

    `webhook.server.serve` hands gunicorn a subclass carrying the configured
    `read_timeout` (seconds).
    """

    read_timeout: float = 10.0

    def patch(self) -> None:
        # The master imported ssl (http.client does) before this worker patches:
        # gevent warns, but faqbot makes no TLS connections of its own (a
        # reverse proxy terminates TLS, PostgreSQL's libpq has its own).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MonkeyPatchWarning)
            super().patch()
        cooperative_psycopg()

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        # gunicorn's gevent worker makes the socket blocking (no timeout). A body
        # read that waits longer than this raises TimeoutError in the app, which
        # answers 408.
        client.settimeout(self.read_timeout)
        super(GeventWorker, self).handle(listener, client, addr)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        # gunicorn sends a response's headers and its body with a write each:
        # two TCP segments, two wake-ups of the client, on the same two cores.
        # Corked, the kernel sends them together when the response is done.
        _cork(sock, True)
        try:
            super().handle_request(listener_name, req, sock, addr)
        finally:
            _cork(sock, False)
        # The connection stays open (gunicorn raises StopIteration otherwise).
        self._wait_for_next_request(sock)

    def _wait_for_next_request(self, sock: Any) -> None:
        """Wait for the client's next request through the event loop.

        gunicorn reads it straight away; a keep-alive client that has sent it
        already (wrk, a proxy) is served again without the worker ever going
        back to its event loop, where new connections are accepted: with every
        connection busy, a new one waited seconds for its turn (measured:
        /health 4 s behind 16 busy connections). Waiting here, the next request
        queues behind every connection that was ready before it.
        """
        try:
            gevent.socket.wait_read(sock.fileno(), timeout=self.cfg.keepalive)
        except OSError:  # no next request within the keep-alive, or closed
            raise StopIteration() from None

def cooperative_psycopg() -> None:
    """Make psycopg wait for PostgreSQL the way gevent can switch away from.

    psycopg chooses how to wait for the server when it is first imported: its C
    `wait_c` unless gevent has patched `select` by then. `faqbot serve` migrates
    the schema in gunicorn's master, before the workers fork and patch, so the
    workers inherited `wait_c`, and every round trip to PostgreSQL stopped the
    whole worker: a turn waiting for a conversation's lock held up every other
    visitor on that worker. This makes the choice psycopg makes when imported
    after the patch (`wait_poll`, on a `select.poll` gevent has replaced).
    """
    waiting = sys.modules.get("psycopg.waiting")
    if waiting is None:
        return  # imported later, after the patch: psycopg chooses well itself
    if getattr(waiting, "wait", None) is getattr(waiting, "wait_c", object()):
        waiting.wait = waiting.wait_poll


def _cork(sock: Any, corked: bool) -> None:
    """TCP_CORK on Linux; elsewhere, and on a closed socket, nothing."""
    option = getattr(socket, "TCP_CORK", None)
    if option is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, option, 1 if corked else 0)
    except OSError:
        pass  # the client has gone
