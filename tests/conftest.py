"""Shared fixtures: the knowledge base, a store per backend, the app and its client.

The Flask tutorial's trio (`app`, `client`, `runner`) plus `converse`, which
talks to the REST channel the way a visitor's browser does.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from channel_fakes import GraphServer, channel_environment
from flask import Flask
from flask.testing import FlaskClient
from storage_backends import BACKENDS, database_url

from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.runtime import Runtime, build_parser, build_runtime
from bot.settings import Settings
from bot.storage import Store
from bot.understanding.parser import Parser
from webhook import create_app
from webhook.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def parser(knowledge: KnowledgeBase) -> Parser:
    """The product's parser, sentence model included."""
    return build_parser(knowledge)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database's URL, on each backend: SQLite, then PostgreSQL."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    """The app's store, on a database whose URL the CLI can be pointed at too."""
    store = Store.from_url(database)
    store.upgrade()
    yield store
    store.dispose()


@pytest.fixture
def runtime(
    knowledge: KnowledgeBase, parser: Parser, store: Store, tmp_path: Path
) -> Runtime:
    settings = Settings.from_env({"FAQBOT_INSTANCE_PATH": str(tmp_path)})
    return build_runtime(settings, knowledge=knowledge, store=store, parser=parser)


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., tuple[int, str]]:
    """Runs the `faqbot` command line against a database under tmp_path."""
    monkeypatch.setenv("FAQBOT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("FAQBOT_DATABASE_URL", raising=False)

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        status = main(list(argv), out=out)
        return status, out.getvalue()

    return run


@pytest.fixture
def converse(client: FlaskClient) -> Callable[..., list[str]]:
    """Send one message to the REST channel; return the bot's texts."""

    def send(text: str, *, sender: str = "visitor") -> list[str]:
        response = client.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": text}
        )
        assert response.status_code == 200, response.get_json()
        return [m.get("text", "") for m in response.get_json()]

    return send


@pytest.fixture
def graph() -> Iterator[GraphServer]:
    """Meta's Send API, standing in on loopback."""
    server = GraphServer()
    yield server
    server.close()


@pytest.fixture
def channel_runtime(
    knowledge: KnowledgeBase,
    parser: Parser,
    store: Store,
    tmp_path: Path,
    graph: GraphServer,
) -> Runtime:
    """The runtime with the SMS and Messenger channels on (Messenger at `graph`)."""
    settings = Settings.from_env(
        {"FAQBOT_INSTANCE_PATH": str(tmp_path), **channel_environment(graph.url)}
    )
    return build_runtime(settings, knowledge=knowledge, store=store, parser=parser)


@pytest.fixture
def channel_client(channel_runtime: Runtime) -> FlaskClient:
    return create_app(runtime=channel_runtime).test_client()
