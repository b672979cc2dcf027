"""The Twilio SMS channel: signatures, TwiML, keywords, retries, WhatsApp.

Requests are signed with the twilio library's own validator math, and every test
that stores something runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from channel_fakes import TWILIO_URL, twilio_form, twilio_signature
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bot.channels.keywords import help_text
from bot.channels.sms_text import segments
from bot.gsm import is_gsm7
from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.storage import Store
from bot.understanding.parser import Parser
from webhook import create_app

SENDER = "+15135550134"
PATH = "/webhooks/twilio/webhook"

Text = Callable[..., list[str]]


def post(
    client: FlaskClient,
    form: dict[str, str],
    *,
    signature: str | None = None,
    url: str = TWILIO_URL,
    base_url: str = "http://localhost",
) -> TestResponse:
    headers = {}
    if signature is None:
        signature = twilio_signature(url, form)
    if signature:
        headers["X-Twilio-Signature"] = signature
    return client.post(PATH, data=form, headers=headers, base_url=base_url)


def bodies(response: TestResponse) -> list[str]:
    """The <Message> bodies of a TwiML answer."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == "Response"
    return [m.text or "" for m in root.iter("Message")]


@pytest.fixture
def text(channel_client: FlaskClient) -> Text:
    """Text the bot as SENDER; return the SMS bodies it answers with."""
    counter = iter(range(1, 10_000))

    def send(body: str, *, sender: str = SENDER, sid: str | None = None) -> list[str]:
        sid = sid or f"SM{next(counter):032d}"
        return bodies(post(channel_client, twilio_form(body, sender=sender, sid=sid)))

    return send


# --- signatures --------------------------------------------------------------------


def test_a_validly_signed_message_is_answered_with_twiml(
    channel_client: FlaskClient,
) -> None:
    [body] = bodies(post(channel_client, twilio_form("is ketamine addictive?")))
    assert "addiction" in body.lower()


@pytest.mark.parametrize(
    "tamper",
    ["tampered body", "wrong url", "missing header", "wrong token", "garbage"],
)
def test_a_badly_signed_request_is_refused_and_nothing_is_stored(
    channel_client: FlaskClient, store: Store, tamper: str
) -> None:
    form = twilio_form("is ketamine addictive?", sid="SM" + "1" * 32)
    signature = twilio_signature(TWILIO_URL, form)
    if tamper == "tampered body":
        form = {**form, "Body": "I want a consultation"}
    elif tamper == "wrong url":
        signature = twilio_signature("https://elsewhere.example/sms", form)
    elif tamper == "missing header":
        signature = ""
    elif tamper == "wrong token":
        signature = twilio_signature(TWILIO_URL, form, token="not-the-token")
    else:
        signature = "bm90IGEgc2lnbmF0dXJl"
    response = post(channel_client, form, signature=signature)
    assert response.status_code == 403
    assert "X-Twilio-Signature" in response.get_json()["error"]
    assert store.handoffs() == []
    assert store.transcript(store.conversation("sms", SENDER).id) == []


def test_behind_a_proxy_the_public_url_is_what_twilio_signed(
    knowledge: KnowledgeBase, parser: Parser, store: Store, tmp_path: Path
) -> None:
    settings = Settings.from_env(
        {
            "FAQBOT_INSTANCE_PATH": str(tmp_path),
            "FAQBOT_TWILIO_AUTH_TOKEN": "proxy-token",
            "FAQBOT_PUBLIC_URL": "https://bot.clinic.example/",
        }
    )
    runtime = build_runtime(settings, knowledge=knowledge, store=store, parser=parser)
    client = create_app(runtime=runtime).test_client()
    form = twilio_form("what is chronic pain?")
    public = "https://bot.clinic.example/webhooks/twilio/webhook"
    signed = twilio_signature(public, form, token="proxy-token")
    # The app sees an internal address; the public one is what counts.
    assert bodies(post(client, form, signature=signed, base_url="http://10.0.0.5:8000"))
    internal = twilio_signature(
        "http://10.0.0.5:8000/webhooks/twilio/webhook", form, token="proxy-token"
    )
    refused = post(client, form, signature=internal, base_url="http://10.0.0.5:8000")
    assert refused.status_code == 403


def test_without_a_token_the_channel_is_off_and_says_so(
    client: FlaskClient, store: Store
) -> None:
    form = twilio_form("hello")
    response = post(client, form, signature=twilio_signature(TWILIO_URL, form))
    assert response.status_code == 404
    assert "FAQBOT_TWILIO_AUTH_TOKEN" in response.get_json()["error"]


def test_the_app_says_at_start_up_that_sms_is_off(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="webhook"):
        create_app(runtime=runtime)
    assert "Twilio SMS channel off: FAQBOT_TWILIO_AUTH_TOKEN" in caplog.text


def test_a_body_that_is_not_twilios_form_is_refused(
    channel_client: FlaskClient,
) -> None:
    signature = twilio_signature(TWILIO_URL, {})
    response = channel_client.post(
        PATH, json={"Body": "hi"}, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 415


# --- SMS rendering ---------------------------------------------------------------


def test_sms_answers_use_the_sms_form_and_numbered_options(
    text: Text, knowledge: KnowledgeBase
) -> None:
    [body] = text("what are the side effects?")
    topic = knowledge.topic("side_effects")
    assert body.startswith(topic.sms)
    assert "Source:" not in body
    assert "Reply 1 for " in body and ", 2 for " in body
    # The number answers the option it was shown for.
    first = knowledge.topic(topic.related[0])
    [answer] = text("1")
    assert answer.startswith(first.sms)


def test_the_greeting_lists_its_buttons_as_numbers(text: Text) -> None:
    [body] = text("hello")
    assert "automated assistant" in body and "not medical advice" in body
    assert "5 for consultation request" in body
    assert is_gsm7(body) and segments(body) <= 2
    [question] = text("5")
    assert "full name" in question


def test_an_empty_or_media_only_message_gets_a_clear_answer(text: Text) -> None:
    [body] = text("   ")
    assert "only read text" in body


# --- keywords and opt-outs --------------------------------------------------------


@pytest.mark.parametrize(
    "word", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "cancel", "END", "quit", "Stop."]
)
def test_an_opt_out_keyword_gets_no_reply_and_is_stored(
    text: Text, store: Store, word: str
) -> None:
    assert text(word) == []
    assert store.is_opted_out("sms", SENDER)
    # Opted out: nothing more is sent.
    assert text("is ketamine addictive?") == []


def test_start_opts_back_in_and_the_bot_answers_again(text: Text, store: Store) -> None:
    text("STOP")
    [body] = text("START")
    assert "subscribed again" in body
    assert not store.is_opted_out("sms", SENDER)
    [answer] = text("is ketamine addictive?")
    assert "addiction" in answer.lower()
    text("stop")
    assert text("unstop") and not store.is_opted_out("sms", SENDER)


def test_help_gives_the_clinic_phone(text: Text, knowledge: KnowledgeBase) -> None:
    [body] = text("HELP")
    assert knowledge.clinic.phone in body
    assert "STOP" in body


def test_an_opted_out_sender_in_crisis_still_gets_988_and_911(
    text: Text, store: Store
) -> None:
    text("STOP")
    [body] = text("i want to end it all")
    assert "988" in body and "911" in body
    assert store.conversation("sms", SENDER).crisis


def test_a_keyword_inside_a_sentence_is_an_ordinary_message(
    text: Text, store: Store
) -> None:
    assert text("can ketamine stop my pain?")
    assert not store.is_opted_out("sms", SENDER)


@pytest.mark.parametrize("word", ["stop", "cancel", "STOP"])
def test_stop_or_cancel_inside_the_form_ends_the_form_without_opting_out(
    text: Text, store: Store, word: str
) -> None:
    text("I'd like a consultation")
    [body] = text(word)
    assert "cancelled your consultation request" in body
    assert not store.is_opted_out("sms", SENDER)
    assert store.conversation("sms", SENDER).state["active_loop"] is None


def test_opt_outs_are_per_number(text: Text, store: Store) -> None:
    text("STOP")
    assert text("is ketamine addictive?", sender="+15135550177")
    assert not store.is_opted_out("sms", "+15135550177")


# --- retries, the sender's number, WhatsApp ----------------------------------------


def test_a_retried_message_sid_is_handled_once_with_the_same_reply(
    text: Text, store: Store
) -> None:
    sid = "SM" + "7" * 32
    first = text("I'd like a consultation", sid=sid)
    again = text("I'd like a consultation", sid=sid)
    assert first == again
    conversation = store.conversation("sms", SENDER)
    assert [line.sender for line in store.transcript(conversation.id)] == [
        "user",
        "bot",
    ]
    # The retry did not move the form on: the name is still the question.
    assert text("Grace Whitfield")[0].startswith("Is 513-555-0134")


def test_the_form_offers_the_senders_number_and_yes_takes_it(
    text: Text, store: Store
) -> None:
    text("I'd like a consultation")
    [offer] = text("Grace Whitfield")
    assert offer.startswith("Is 513-555-0134 the best number to reach you?")
    [email_question] = text("yes")
    assert "email" in email_question.lower()
    for answer in ("skip", "skip", "skip"):
        text(answer)
    [summary] = text("yes")
    # The SMS form of the confirmation: every detail, in two segments.
    assert "has your consultation request" in summary
    assert f"phone {SENDER}" in summary and "name Grace Whitfield" in summary
    assert segments(summary) <= 2
    [handoff] = store.handoffs()
    assert handoff.phone == SENDER
    assert (handoff.channel, handoff.sender_id) == ("sms", SENDER)


def test_no_to_the_offered_number_asks_for_another(text: Text, store: Store) -> None:
    text("I'd like a consultation")
    text("Grace Whitfield")
    [question] = text("no")
    assert question == "What is the best phone number to reach you?"
    [email_question] = text("513-555-0199")
    assert "email" in email_question.lower()
    for answer in ("skip", "skip", "skip", "yes"):
        text(answer)
    [handoff] = store.handoffs()
    assert handoff.phone == "+15135550199"


def test_whatsapp_comes_through_the_same_endpoint_with_its_formatting(
    text: Text, store: Store, knowledge: KnowledgeBase
) -> None:
    [body] = text("what are the side effects?", sender="whatsapp:+15135550134")
    topic = knowledge.topic("side_effects")
    # The full answer (WhatsApp has no segments), options one per line in bold.
    assert body.startswith(topic.answer)
    assert "\n*1* " in body and "\n*2* " in body
    assert store.conversation("whatsapp", SENDER).id
    assert not store.transcript(store.conversation("sms", SENDER).id)


def test_the_clinic_phone_reaches_sms_help_unchanged() -> None:
    # The help text must stay GSM-7 so it costs one plain SMS.
    assert is_gsm7(help_text(load_knowledge_base().clinic))


def test_another_number_instead_of_yes_is_taken(text: Text, store: Store) -> None:
    text("I'd like a consultation")
    text("Grace Whitfield")
    [email_question] = text("call me at 513.555.0163 instead")
    assert "email" in email_question.lower()
    for answer in ("skip", "skip", "skip", "yes"):
        text(answer)
    [handoff] = store.handoffs()
    assert handoff.phone == "+15135550163"


def test_a_side_question_after_the_offer_brings_the_offer_back(
    text: Text, store: Store
) -> None:
    text("I'd like a consultation")
    text("Grace Whitfield")
    [body] = text("is ketamine addictive?")
    assert "addiction" in body.lower()
    assert "Is 513-555-0134 the best number to reach you?" in body
    text("yes")
    assert store.conversation("sms", SENDER).state["slots"]["phone"] == SENDER


def test_a_retried_answer_with_options_reads_the_same(text: Text) -> None:
    sid = "SM" + "8" * 32
    first = text("what are the side effects?", sid=sid)
    assert "Reply 1 for " in first[0]
    assert text("what are the side effects?", sid=sid) == first
