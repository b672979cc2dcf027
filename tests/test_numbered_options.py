"""Typing a button's number presses it: on every channel, and in `faqbot chat`."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from bot.knowledge import KnowledgeBase
from bot.storage import Store

Runner = Callable[..., tuple[int, str]]


@pytest.fixture
def send(client: FlaskClient) -> Callable[[str], list[dict[str, Any]]]:
    def post(text: str) -> list[dict[str, Any]]:
        response = client.post(
            "/webhooks/rest/webhook", json={"sender": "visitor", "message": text}
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return post


def test_a_number_presses_the_button_it_was_shown_for(
    send: Callable[[str], list[dict[str, Any]]], knowledge: KnowledgeBase
) -> None:
    [greeting] = send("hello")
    fourth = greeting["buttons"][3]
    topic = knowledge.topic(fourth["payload"].removeprefix("/faq/"))
    [answer] = send("4")
    assert answer["text"].startswith(topic.answer)


def test_the_last_button_starts_the_consultation(
    send: Callable[[str], list[dict[str, Any]]],
) -> None:
    [greeting] = send("hi")
    assert greeting["buttons"][-1]["payload"] == "/request_consultation"
    [question] = send(str(len(greeting["buttons"])))
    assert "full name" in question["text"]


def test_a_number_with_no_such_option_is_not_a_button(
    send: Callable[[str], list[dict[str, Any]]], knowledge: KnowledgeBase
) -> None:
    send("what are the side effects?")  # three related questions
    [reply] = send("9")
    assert not any(reply["text"].startswith(t.answer) for t in knowledge.topics)


def test_options_last_one_turn_only(
    send: Callable[[str], list[dict[str, Any]]], store: Store
) -> None:
    send("hello")
    send("thanks")  # no buttons: the greeting's options are gone
    assert "options" not in store.conversation("rest", "visitor").state
    [reply] = send("1")
    assert "what is ketamine" not in reply["text"].lower()


def test_the_stored_transcript_keeps_what_was_typed(
    send: Callable[[str], list[dict[str, Any]]], store: Store
) -> None:
    send("hello")
    send("2")
    lines = store.transcript(store.conversation("rest", "visitor").id)
    assert [line.text for line in lines if line.sender == "user"] == ["hello", "2"]


def test_chat_numbers_the_buttons_and_a_number_picks_one(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, knowledge: KnowledgeBase
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("hello\n4\n\n"))
    status, out = runner("chat")
    assert status == 0
    assert "[4] " in out and "type a number" in out
    fourth = out.split("[4] ", 1)[1].splitlines()[0]
    topic = next(t for t in knowledge.topics if t.question == fourth)
    replies = [line for line in out.splitlines() if line.startswith("bot> ")]
    assert replies[1].removeprefix("bot> ").startswith(topic.answer.splitlines()[0])
