"""Learning from unanswered questions: grouped, taught, live without a restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from flask import Flask
from flask.testing import FlaskClient

from bot.runtime import Runtime
from bot.storage import NewMessage
from staff.helpers import csrf_token
from webhook import create_app
from webhook.staff.services import SERVICES_KEY

Send = Callable[..., list[str]]
PARKING = ["is there parking at the clinic", "is there any parking at your clinic?"]


def test_unanswered_messages_are_grouped_with_counts(
    signed_in: FlaskClient, visitor: Send
) -> None:
    for n, text in enumerate([*PARKING, "is there parking at the clinic"]):
        visitor(text, sender=f"v{n}")
    visitor("is ketamine safe?")  # answered: not listed
    page = signed_in.get("/staff/unanswered").get_data(as_text=True)
    assert page.count('class="card group"') == 1
    assert "Asked 3 times" in page and "just now" in page
    assert "is ketamine safe" not in page


def test_a_clinic_topic_is_answered_in_a_new_conversation(
    staff_app: Flask, signed_in: FlaskClient, visitor: Send, runtime: Runtime
) -> None:
    for n, text in enumerate(PARKING):
        visitor(text, sender=f"v{n}")
    group = staff_app.extensions[SERVICES_KEY].learning.unanswered()[0]
    form = signed_in.get(f"/staff/unanswered/new-topic?key={group.key}")
    assert "Write the clinic" in form.get_data(as_text=True)
    response = signed_in.post(
        "/staff/unanswered/new-topic",
        data={
            "key": group.key,
            "slug": "parking",
            "question": "Is there parking at the clinic?",
            "answer": "Yes: free parking behind the building.",
            "sms": "Yes, free parking behind the building.",
            "csrf_token": csrf_token(signed_in, "/staff/unanswered"),
        },
    )
    assert response.status_code == 302
    replies = visitor("is there parking at the clinic", sender="newcomer")
    assert replies[0].startswith("Yes: free parking behind the building.")
    assert "staff" in replies[0]  # the source is the clinic, not the article
    listing = signed_in.get("/staff/unanswered").get_data(as_text=True)
    assert "Asked" not in listing
    # Audited: who wrote it, and when.
    assert "<strong>alice</strong> wrote the clinic answer" in listing
    # Another worker of the same database picks it up without a restart.
    other = create_app({"KNOWLEDGE_POLL_SECONDS": 0}, runtime=runtime)
    reply = other.test_client().post(
        "/webhooks/rest/webhook",
        json={"sender": "elsewhere", "message": "any parking at the clinic?"},
    )
    assert reply.get_json()[0]["text"].startswith("Yes: free parking")


def test_a_wording_attached_to_a_topic_is_matched(
    staff_app: Flask, signed_in: FlaskClient, visitor: Send
) -> None:
    wording = "any chance of the wobbles afterwards"
    before = signed_in.post("/model/parse", json={"text": wording}).get_json()
    assert before["intent"]["name"] == "nlu_fallback"
    visitor(wording, sender="v1")
    group = staff_app.extensions[SERVICES_KEY].learning.unanswered()[0]
    response = signed_in.post(
        "/staff/unanswered/attach",
        data={
            "key": group.key,
            "topic": "faq/side_effects",
            "csrf_token": csrf_token(signed_in, "/staff/unanswered"),
        },
    )
    assert response.status_code == 302
    parse = signed_in.post("/model/parse", json={"text": wording}).get_json()
    assert parse["intent"]["name"] == "faq/side_effects"


def test_a_wording_too_close_to_another_topic_is_refused_with_the_reason(
    staff_app: Flask, signed_in: FlaskClient, runtime: Runtime
) -> None:
    # A message the bot guessed at: it reads like the ketamine-safety topic.
    store = runtime.store
    conversation = store.conversation("rest", "v1")
    guess = {"intent": {"name": "nlu_fallback", "confidence": 0.3}}
    store.record_turn(
        conversation.id,
        [NewMessage("user", "is ketamine safe for grown ups", parse=guess)],
        state={},
    )
    learning = staff_app.extensions[SERVICES_KEY].learning
    group = learning.unanswered()[0]
    response = signed_in.post(
        "/staff/unanswered/attach",
        data={
            "key": group.key,
            "topic": "faq/side_effects",
            "csrf_token": csrf_token(signed_in, "/staff/unanswered"),
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Not added:" in page and "is too close to the topic" in page
    assert learning.learned().phrasings == ()
    assert learning.unanswered()[0].key == group.key  # still listed


def test_dismissed_wordings_are_no_longer_listed(
    staff_app: Flask, signed_in: FlaskClient, visitor: Send
) -> None:
    visitor("what is the capital of peru")
    group = staff_app.extensions[SERVICES_KEY].learning.unanswered()[0]
    signed_in.post(
        "/staff/unanswered/dismiss",
        data={"key": group.key, "csrf_token": csrf_token(signed_in, "/staff/")},
    )
    assert staff_app.extensions[SERVICES_KEY].learning.unanswered() == []


def test_knowledge_export_writes_reviewable_yaml(
    staff_app: Flask,
    runner: Callable[..., tuple[int, str]],
    tmp_path: Path,
    database: str,
    monkeypatch,
) -> None:
    learning = staff_app.extensions[SERVICES_KEY].learning
    learning.add_phrasings("faq/side_effects", ["does it make you loopy"], author="al")
    learning.add_topic(
        "parking",
        question="Is there parking?",
        answer="Yes.",
        sms="Yes.",
        examples=["any parking?"],
        author="al",
    )
    monkeypatch.setenv("FAQBOT_DATABASE_URL", database)
    status, out = runner("knowledge", "export", str(tmp_path / "learned"))
    assert status == 0 and "1 phrasing(s) and 1 clinic topic(s)" in out
    phrasings = yaml.safe_load((tmp_path / "learned/learned_phrasings.yml").read_text())
    assert phrasings == {"phrasings": {"faq/side_effects": ["does it make you loopy"]}}
    topics = yaml.safe_load((tmp_path / "learned/clinic_topics.yml").read_text())
    topic = topics["topics"][0]
    assert topic["id"] == "clinic_parking" and topic["examples"] == ["any parking?"]
    assert set(topic) >= {"question", "section", "answer", "sms", "related"}
