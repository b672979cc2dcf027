"""Serving the widget: its script, its config, CORS, message ids, the demo page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bot.errors import ConfigurationError
from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings, parse_origins
from bot.storage import Store
from bot.understanding.parser import Parser
from webhook import create_app

CHAT = "/webhooks/rest/webhook"
SITE = "https://clinic.example"
WIDGET = Path(__file__).resolve().parents[1] / "webhook" / "static" / "widget.js"


@pytest.fixture
def site_client(
    knowledge: KnowledgeBase, parser: Parser, store: Store, tmp_path: Path
) -> FlaskClient:
    """A client of an app that lets https://clinic.example embed the widget."""
    settings = Settings.from_env(
        {"FAQBOT_INSTANCE_PATH": str(tmp_path), "FAQBOT_ALLOWED_ORIGINS": SITE}
    )
    runtime = build_runtime(settings, knowledge=knowledge, store=store, parser=parser)
    return create_app(runtime=runtime).test_client()


def user_lines(runtime: Runtime, sender: str) -> list[str]:
    conversation = runtime.store.conversation("rest", sender)
    return [
        line.text
        for line in runtime.store.transcript(conversation.id)
        if line.sender == "user"
    ]


# -- the script ---------------------------------------------------------------


def test_the_script_is_served_with_an_etag_and_revalidated(
    client: FlaskClient,
) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.data == WIDGET.read_bytes()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.cache_control.max_age == 300
    etag = response.headers["ETag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_the_versioned_script_may_be_cached_for_a_year(client: FlaskClient) -> None:
    version = client.get("/widget.js").get_etag()[0]
    response = client.get(f"/widget.js?v={version}")
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable
    stale = client.get("/widget.js?v=0000")
    assert stale.cache_control.max_age == 300 and not stale.cache_control.immutable


def test_the_script_is_small_and_never_writes_html() -> None:
    source = WIDGET.read_text(encoding="utf-8")
    assert len(source.encode()) < 32 * 1024
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in source
    assert "eval(" not in source and "new Function" not in source


def test_the_config_has_the_greeting_and_the_consultation_button(
    client: FlaskClient, knowledge: KnowledgeBase
) -> None:
    config = client.get("/widget/config").get_json()
    assert config["title"] == knowledge.clinic.name
    assert "automated assistant" in config["greeting"]["text"]
    assert "not medical advice" in config["greeting"]["text"]
    assert len(config["greeting"]["buttons"]) >= 3
    assert config["consultation"]["title"] == "Request a consultation"
    assert config["max_message_chars"] > 0


# -- CORS ---------------------------------------------------------------------


def test_an_allowed_site_gets_its_preflight_and_the_answer(
    site_client: FlaskClient,
) -> None:
    preflight = site_client.options(
        CHAT,
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    response = site_client.post(
        CHAT, json={"sender": "s", "message": "hello"}, headers={"Origin": SITE}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response.headers["Vary"]
    config = site_client.get("/widget/config", headers={"Origin": SITE})
    assert config.headers["Access-Control-Allow-Origin"] == SITE


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://clinic.example", "null"]
)
def test_any_other_site_is_refused_before_anything_is_stored(
    site_client: FlaskClient, runtime: Runtime, origin: str
) -> None:
    response = site_client.post(
        CHAT, json={"sender": "s", "message": "hello"}, headers={"Origin": origin}
    )
    assert response.status_code == 403
    assert "FAQBOT_ALLOWED_ORIGINS" in response.get_json()["error"]
    assert user_lines(runtime, "s") == []


def test_unset_only_the_bots_own_pages_may_call_it(client: FlaskClient) -> None:
    own = client.post(
        CHAT,
        json={"sender": "s", "message": "hello"},
        headers={"Origin": "http://localhost"},
    )
    assert own.status_code == 200
    other = client.post(
        CHAT, json={"sender": "s", "message": "hello"}, headers={"Origin": SITE}
    )
    assert other.status_code == 403
    # Servers and scripts send no Origin and are not browsers' cross-site calls.
    assert client.post(CHAT, json={"sender": "s", "message": "hi"}).status_code == 200


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("", ()),
        (" https://Clinic.Example/ ", ("https://clinic.example",)),
        (
            "https://a.example:443, http://b.example:8080,https://a.example",
            ("https://a.example", "http://b.example:8080"),
        ),
        ("http://localhost:80", ("http://localhost",)),
    ],
)
def test_allowed_origins_are_read_as_browsers_write_them(
    value: str, origins: tuple[str, ...]
) -> None:
    assert parse_origins(value) == origins


@pytest.mark.parametrize(
    "value", ["clinic.example", "https://clinic.example/chat", "*", "ftp://x.example"]
)
def test_an_origin_that_is_not_one_stops_the_start(value: str) -> None:
    with pytest.raises(ConfigurationError, match="FAQBOT_ALLOWED_ORIGINS"):
        Settings.from_env({"FAQBOT_ALLOWED_ORIGINS": value})


# -- message ids --------------------------------------------------------------


def test_a_repeated_message_id_is_answered_again_but_handled_once(
    client: FlaskClient, runtime: Runtime
) -> None:
    body = {
        "sender": "s",
        "message": "i'd like a consultation",
        "metadata": {"message_id": "m-1"},
    }
    first = client.post(CHAT, json=body)
    again = client.post(CHAT, json=body)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert user_lines(runtime, "s") == ["i'd like a consultation"]
    other = client.post(CHAT, json={**body, "metadata": {"message_id": "m-2"}})
    assert other.get_json() != first.get_json()  # a new id is a new message


@pytest.mark.parametrize("message_id", [5, "", "  ", "x" * 129, "a\nb", ["m"]])
def test_a_malformed_message_id_is_a_clear_400(
    client: FlaskClient, runtime: Runtime, message_id: object
) -> None:
    metadata = {"message_id": message_id}
    response = client.post(
        CHAT, json={"sender": "s", "message": "hello", "metadata": metadata}
    )
    assert response.status_code == 400
    assert "message_id" in response.get_json()["error"]
    assert user_lines(runtime, "s") == []


# -- the demo page and /api ---------------------------------------------------


def test_the_demo_page_is_the_article_with_the_widget(client: FlaskClient) -> None:
    knowledge = load_knowledge_base()
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f"<h1>{knowledge.title}</h1>" in page
    assert "<h2>Safety of Ketamine Infusions</h2>" in page
    version = client.get("/widget.js").get_etag()[0]
    assert f'<script src="/widget.js?v={version}" defer></script>' in page
    # Every placeholder of clinic.yml is marked where it shows.
    assert "[placeholder]" not in page
    marks = page.count('<mark class="placeholder"')
    assert marks >= 1 + sum(
        value.endswith("[placeholder]") for value in vars(knowledge.clinic).values()
    )


def test_the_demo_page_has_a_strict_policy_and_nothing_inline(
    client: FlaskClient,
) -> None:
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe" not in policy
    page = response.get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert "<style" not in page and " style=" not in page
    assert re.search(r"\son[a-z]+=", page) is None
    with client.get("/static/demo.css") as stylesheet:
        assert stylesheet.status_code == 200
