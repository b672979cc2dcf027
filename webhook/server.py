"""Serving the app with gunicorn, a production WSGI server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from bot.retention import RetentionPurge
from webhook import RUNTIME_KEY


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
        app = self._factory()
        # Each worker process delivers the outbox in a thread of its own; entries
        # are claimed with a lease, so workers never deliver one twice.
        runtime = app.extensions[RUNTIME_KEY]
        runtime.delivery.start()
        purge = None
        if runtime.settings.retention_days is not None:
            purge = RetentionPurge(runtime.store, runtime.settings.retention_days)
            purge.start()

        def worker_exit(_server: Any, _worker: Any) -> None:
            runtime.delivery.stop()
            if purge is not None:
                purge.stop()

        self.cfg.set("worker_exit", worker_exit)
        return app


def serve(
    factory: Callable[[], Flask],
    *,
    host: str,
    port: int,
    workers: int = 2,
    threads: int = 1,
) -> None:
    """Run until interrupted: `workers` processes with `threads` threads each."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": None,  # access logs would carry sender ids in URLs and timing
        "loglevel": "info",
        "timeout": 30,
        "graceful_timeout": 10,
    }
    _GunicornApp(factory, options).run()
