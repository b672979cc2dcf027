"""Serving the app with gunicorn, a production WSGI server, behind an async front.

Each worker process runs gevent: one greenlet per connection, so slow or stalled
clients wait without holding a worker (see webhook.workers). The work itself is
CPU-bound and runs one request at a time per process; `workers` processes use
the cores. SIGTERM stops gracefully: the listening socket closes, requests in
flight finish (up to `graceful_timeout`), then each worker stops its outbox
delivery after the entry in hand and delivers what is due, for a few seconds.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from bot.retention import RetentionPurge
from webhook.workers import FaqbotGeventWorker

# Seconds: gunicorn's keep-alive is also how long a connection may take to send
# its headers; a body may pause this long between reads.
KEEPALIVE = 5
READ_TIMEOUT = 10.0
GRACEFUL_TIMEOUT = 20
FLUSH_SECONDS = 5.0
# gunicorn's own loggers as gunicorn sets them (no access log: it would carry
# sender ids in URLs and timing); faqbot's at INFO beside them. Its
# log lines name ids, kinds and counts, never what visitors wrote; rasa-sdk's
# debug lines would (slot values), so it stays at WARNING.
_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": _FORMAT, "datefmt": "%Y-%m-%d %H:%M:%S %z"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        "bot": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "webhook": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "rasa_sdk": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
    },
}



class NoAccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger without the access log.

    gunicorn builds every request's access-log fields (a dozen, with a
    formatted date) whenever a logging configuration is given, even for a
    logger with no handler: a few percent of a turn's CPU, for lines faqbot
    never writes (they would carry sender ids in URLs).
    """

    def access(self, *_args: Any, **_kwargs: Any) -> None:
        return None


class _GunicornApp(BaseApplication):  # type: ignore[misc]
    """Gunicorn driven from code: each worker builds its own app after forking."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from webhook import RUNTIME_KEY

        app = self._factory()
        # Each worker process delivers the outbox in a thread of its own; entries
        # are claimed with a lease, so workers never deliver one twice. The
        # worker stops it (finishing what it is delivering) after its last
        # request, on a graceful shutdown.
        runtime = app.extensions[RUNTIME_KEY]
        runtime.delivery.start()
        purge = None
        if runtime.settings.retention_days is not None:
            purge = RetentionPurge(runtime.store, runtime.settings.retention_days)
            purge.start()

        def worker_exit(_server: Any, _worker: Any) -> None:
            _flush(runtime)
            if purge is not None:
                purge.stop()

        self.cfg.set("worker_exit", worker_exit)
        # What the worker loaded (the knowledge base, the parser, the app) lives
        # as long as the worker: out of the garbage collector's reach, a full
        # collection walks only what requests left behind (measured: 87 ms
        # without, every few thousand turns, in one request's latency).
        gc.freeze()
        return app


def _flush(runtime: Any) -> None:
    """Stop the outbox worker, then deliver what is due (a few seconds at most)."""
    runtime.delivery.stop()
    if runtime.delivery.kinds:
        runtime.delivery.flush(seconds=FLUSH_SECONDS)


def serve(
    factory: Callable[[], Flask],
    *,
    host: str,
    port: int,
    workers: int = 2,
    connections: int = 1000,
    read_timeout: float = READ_TIMEOUT,
) -> None:
    """Run until SIGTERM or SIGINT: `workers` processes, each with up to
    `connections` open connections."""
    worker_class = type(
        "FaqbotWorker", (FaqbotGeventWorker,), {"read_timeout": read_timeout}
    )
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": worker_class,
        "worker_connections": connections,
        "accesslog": None,  # access logs would carry sender ids in URLs and timing
        "logger_class": NoAccessLogger,
        "loglevel": "info",
        "timeout": 30,
        "keepalive": KEEPALIVE,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "logconfig_dict": LOGGING,
    }
    _GunicornApp(factory, options).run()
