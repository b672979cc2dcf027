"""No personal data in the logs: every log line of complete consultations.

Consultations run end to end on every channel that exists (the REST channel,
Rasa's action server) and the request's notice is delivered; every record any
logger emits at DEBUG and above is searched for the visitor's name, phone,
email and the words they typed.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask.testing import FlaskClient
from test_action_server import TOKEN, rasa_call

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from webhook import create_app

NAME = "Philippa Quenneville"
PHONE_TYPED, PHONE = "(513) 555-0187", "+15135550187"
EMAIL = "philippa.quenneville@example.org"
TIME = "Thursday after lunch"
CONDITION = "fibromyalgia flares in my shoulders"
QUESTION = "does the infusion hurt my quenneville shoulder"
PRIVATE = [NAME, "Philippa", "Quenneville", PHONE, "555-0187", EMAIL, TIME, CONDITION]
PRIVATE += [QUESTION, "quenneville"]


def logged(records: list[logging.LogRecord]) -> str:
    lines = []
    for record in records:
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


def app_client(runtime: Runtime, tmp_path: Any) -> tuple[FlaskClient, Runtime]:
    built = build_runtime(
        Settings.from_env(
            {"FAQBOT_INSTANCE_PATH": str(tmp_path), "FAQBOT_ACTION_TOKEN": TOKEN}
        ),
        knowledge=runtime.knowledge,
        store=runtime.store,
        parser=runtime.parser,
    )
    return create_app(runtime=built).test_client(), built


def test_no_personal_data_in_any_log_line(
    runtime: Runtime, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client, built = app_client(runtime, tmp_path)
    with caplog.at_level(logging.DEBUG):
        # The REST channel, a whole consultation with a side question.
        for text in [
            QUESTION,
            "I'd like to book a consultation",
            NAME,
            "not a phone",
            PHONE_TYPED,
            EMAIL,
            TIME,
            QUESTION,
            CONDITION,
            "yes",
        ]:
            response = client.post(
                "/webhooks/rest/webhook", json={"sender": "pq", "message": text}
            )
            assert response.status_code == 200
        # Rasa's action server: the form's validation and the submit.
        filled = {
            "name": NAME,
            "phone": PHONE,
            "email": EMAIL,
            "preferred_time": TIME,
            "condition": CONDITION,
            "consent": True,
            "requested_slot": None,
        }
        for action, text, slots in [
            ("validate_consultation_form", NAME, {"requested_slot": "name"}),
            ("validate_consultation_form", PHONE_TYPED, {"requested_slot": "phone"}),
            ("action_submit_consultation", "yes", filled),
        ]:
            call = rasa_call(
                built, action, text, slots=slots, active_loop="consultation_form"
            )
            response = client.post("/webhook", json=call, query_string={"token": TOKEN})
            assert response.status_code == 200, response.get_json()
        # The notices to staff, delivered.
        assert built.delivery.run_once() == 2
    assert len(built.store.handoffs()) == 2
    assert caplog.records, "nothing was logged: the capture is not working"
    text = logged(caplog.records).lower()
    # The capture saw the storage and delivery lines, ids and all.
    assert "saved handoff" in text and "is waiting for staff" in text
    for private in PRIVATE:
        assert private.lower() not in text, private


def test_no_personal_data_in_the_logs_of_sms_and_messenger(
    channel_client: FlaskClient,
    channel_runtime: Runtime,
    graph: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from test_channel_handoffs import PSID, SMS_NUMBER, messenger, sms

    dialogue = [
        QUESTION,
        "I'd like to book a consultation",
        NAME,
        "<phone>",
        EMAIL,
        TIME,
        CONDITION,
        "yes",
    ]
    with caplog.at_level(logging.DEBUG):
        for n, text in enumerate(dialogue):
            sms(channel_client, text.replace("<phone>", "yes"), f"SM{n:032d}")
        for n, text in enumerate(dialogue):
            messenger(
                channel_client,
                channel_runtime,
                graph,
                text.replace("<phone>", PHONE_TYPED),
                f"m_{n}",
            )
        channel_runtime.delivery.run_once()
    assert {h.channel for h in channel_runtime.store.handoffs()} == {"sms", "messenger"}
    text = logged(caplog.records).lower()
    assert "saved handoff" in text
    for private in [*PRIVATE, SMS_NUMBER, SMS_NUMBER[-4:] + " ", PSID]:
        assert private.lower() not in text, private
