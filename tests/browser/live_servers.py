"""Servers for browser tests: faqbot live on loopback, a stand-in clinic site."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, select
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from bot.runtime import Runtime
from bot.storage.schema import conversations, messages
from webhook import create_app

WSGIApp = Callable[..., Any]


class _OneRequestPerConnection(WSGIRequestHandler):
    """HTTP/1.0: no kept-alive connection outlives a stopped server."""

    protocol_version = "HTTP/1.0"

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Quiet: the tests' output is the assertions'."""


class LiveServer:
    """A WSGI app on 127.0.0.1 in a thread; `stop` and `start` keep its port."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.port = 0
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._server = make_server(
            "127.0.0.1",
            self.port,
            self.app,
            threaded=True,
            request_handler=_OneRequestPerConnection,
        )
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


class HostSite:
    """The clinic's website: pages registered by path, with their own headers."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, dict[str, str]]] = {}
        self.server = LiveServer(self.wsgi)

    def add(self, path: str, html: str, headers: dict[str, str] | None = None) -> str:
        """Serve `html` at `path`; return its URL."""
        self.pages[path] = (html, headers or {})
        return self.server.origin + path

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        if request.path not in self.pages:
            return Response("not found", status=404)(environ, start_response)
        html, headers = self.pages[request.path]
        response = Response(html, mimetype="text/html", headers=headers)
        return response(environ, start_response)


class Gate:
    """Holds the bot's chat answers while closed, so a test sees the wait."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._open = threading.Event()
        self._open.set()

    def close(self) -> None:
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        if environ.get("REQUEST_METHOD") == "POST":
            self._open.wait(timeout=30)
        return self.app(environ, start_response)


class Bot(LiveServer):
    """The faqbot app, live, with its runtime and a gate for its answers."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.gate = Gate(create_app(runtime=runtime))
        super().__init__(self.gate)

    def user_messages(self) -> list[str]:
        """Every visitor message the REST channel stored, read from the database."""
        query = (
            select(messages.c.text)
            .join(conversations, conversations.c.id == messages.c.conversation_id)
            .where(conversations.c.channel == "rest", messages.c.sender == "user")
            .order_by(messages.c.id)
        )
        engine = create_engine(self.runtime.settings.database_url)
        try:
            with engine.connect() as conn:
                return list(conn.scalars(query))
        finally:
            engine.dispose()


class PageErrors:
    """Script errors and CSP violations a page reported."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []


def widget_page(
    bot: Bot,
    *,
    attributes: str = "",
    head: str = "",
    body: str = "",
    with_widget: bool = True,
) -> str:
    """A page of the clinic's site with the widget embedded by its one tag."""
    tag = f"<script src='{bot.url}widget.js' defer {attributes}></script>"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Clinic</title>{head}{tag if with_widget else ''}"
        f"</head><body><h1>Our clinic</h1>{body}</body></html>"
    )
