"""Two crisis tiers, as visitors meet them on the REST channel, SMS and Messenger.

A clear crisis gets the crisis reply alone (Poison Control for an overdose,
Spanish for a Spanish message) and flags the conversation; mid-form it pauses
the form and offers to continue it. A possible crisis gets one safety line,
then exactly the handling the message would have had.

The parser's crisis detector is the real one, except for the phrases in
`crisis_signals`, whose tier, kind and language these tests fix.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from channel_fakes import (
    PAGE_TOKEN,
    TWILIO_URL,
    GraphServer,
    messenger_body,
    messenger_signature,
    text_event,
    twilio_form,
    twilio_signature,
)
from crisis_signals import (
    CHEST_PAIN,
    OVERDOSE_QUESTION,
    PAST_ATTEMPT,
    SPANISH_OVERDOSE,
    SPANISH_OVERDOSE_QUESTION,
    SPANISH_SUICIDE,
    PhraseDetector,
)
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from bot.channels.graph_api import KIND, SendApi
from bot.channels.sms_text import segments
from bot.conversation.crisis_replies import CRISIS_TEXT, crisis_reply, safety_line
from bot.conversation.replies import FORM_QUESTIONS
from bot.delivery import Backoff, DeliveryWorker
from bot.gsm import is_gsm7
from bot.knowledge import KnowledgeBase
from bot.runtime import Runtime
from bot.storage import Store
from bot.storage import schema as tables
from bot.understanding.parser import Parser

Send = Callable[..., list[dict[str, Any]]]

POISON_CONTROL = "1-800-222-1222"
CONTINUE = {"title": "Continue my request", "payload": "/request_consultation"}
SEGUIR = {"title": "Seguir mi solicitud", "payload": "/request_consultation"}
CLEAR_CRISIS = "i want to end it all"
CLEAR_OVERDOSE = "i took all my pills an hour ago"
BOOK = "I'd like to book a consultation"
NAME = "Grace Whitfield"
PHONE = "513-555-0163"
SMS_SENDER = "+15135550134"
PSID = "6011223344556677"


@pytest.fixture(scope="module")
def parser(knowledge: KnowledgeBase, parser: Parser) -> Parser:
    """The product's parser (its sentence model shared) with the phrase detector."""
    return Parser(knowledge, encoder=parser.encoder, crisis=PhraseDetector())


@pytest.fixture
def send(client: FlaskClient) -> Send:
    """One message to the REST channel; the bot's messages as it renders them."""

    def post(text: str, *, sender: str = "visitor") -> list[dict[str, Any]]:
        response = client.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": text}
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return post


def stored_parses(database: str) -> list[dict[str, Any]]:
    """The parse stored with each visitor message, in order."""
    engine = create_engine(database, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            query = (
                select(tables.messages.c.parse)
                .where(tables.messages.c.sender == "user")
                .order_by(tables.messages.c.id)
            )
            return [row.parse for row in conn.execute(query)]
    finally:
        engine.dispose()


def is_normal_reply(text: str, intent: str, knowledge: KnowledgeBase) -> bool:
    """Whether `text` is how the bot answers a message parsed as `intent`."""
    if intent.startswith("faq/"):
        return text.startswith(knowledge.topic(intent.removeprefix("faq/")).answer)
    assert intent == "nlu_fallback", intent
    return text.startswith(
        ("Sorry, I", "Our article doesn't say", "I'm sorry, I don't have")
    )


# --- a possible crisis: one safety line, then the normal handling -------------------


@pytest.mark.parametrize(
    ("message", "kind", "language"),
    [
        (PAST_ATTEMPT, "suicide", "en"),
        (OVERDOSE_QUESTION, "overdose", "en"),
        (SPANISH_OVERDOSE_QUESTION, "overdose", "es"),
        (CHEST_PAIN, "medical_emergency", "en"),
    ],
)
def test_a_possible_crisis_gets_a_safety_line_then_its_answer(
    send: Send,
    store: Store,
    database: str,
    parser: Parser,
    knowledge: KnowledgeBase,
    message: str,
    kind: str,
    language: str,
) -> None:
    line, *answer = send(message)
    assert line["text"] == safety_line(kind, language).text
    assert "911" in line["text"]
    assert line["custom"]["safety_line"] is True
    assert not line.get("buttons")
    # Then the message's own handling, never the crisis reply instead.
    intent = parser.parse(message)["intent"]["name"]
    assert len(answer) == 1
    assert is_normal_reply(answer[0]["text"], intent, knowledge)
    assert "988 (the Suicide" not in answer[0]["text"]
    # Not flagged for staff; the signal is kept with the message.
    assert not store.conversation("rest", "visitor").crisis
    [stored] = stored_parses(database)
    assert stored["crisis"]["level"] == "possible"
    assert stored["crisis"]["kind"] == kind


def test_the_safety_lines_name_the_right_numbers() -> None:
    suicide = safety_line("suicide", "en").text
    assert "call or text 988" in suicide and "call 911" in suicide
    assert POISON_CONTROL in safety_line("overdose", "en").text
    spanish = safety_line("suicide", "es").text
    assert "llame o envíe un mensaje de texto al 988" in spanish
    assert "marque 911" in spanish
    assert POISON_CONTROL in safety_line("overdose", "es").text
    assert "marque 911" in safety_line("infusion_reaction", "es").text


def test_a_possible_crisis_answer_mid_form_is_taken_and_the_form_goes_on(
    send: Send, store: Store
) -> None:
    for text in (BOOK, NAME, PHONE, "skip", "skip"):
        send(text)
    line, question = send(CHEST_PAIN)
    assert line["custom"]["safety_line"] is True
    assert "do you agree that" in question["text"]
    assert store.conversation("rest", "visitor").state["active_loop"] is not None
    assert "We have received" in send("yes")[0]["text"]
    [handoff] = store.handoffs()
    assert handoff.condition == CHEST_PAIN
    assert not handoff.crisis
    assert not store.conversation("rest", "visitor").crisis


def test_a_possible_crisis_question_mid_form_is_answered_then_asked_again(
    send: Send, store: Store, parser: Parser, knowledge: KnowledgeBase
) -> None:
    send(BOOK)
    send(NAME)
    line, answer, question = send(PAST_ATTEMPT)
    assert line["text"] == safety_line("suicide", "en").text
    assert is_normal_reply(
        answer["text"], parser.parse(PAST_ATTEMPT)["intent"]["name"], knowledge
    )
    assert question["text"] == FORM_QUESTIONS["phone"]
    assert send(PHONE)[0]["text"].startswith("What is your email address?")
    assert store.conversation("rest", "visitor").state["slots"]["name"] == NAME


# --- a clear crisis: the crisis reply alone, suited to the crisis --------------------


def test_a_clear_crisis_gets_988_and_911_without_poison_control(send: Send) -> None:
    [reply] = send(CLEAR_CRISIS)
    assert reply["text"] == CRISIS_TEXT
    assert POISON_CONTROL not in reply["text"]
    assert reply["custom"]["crisis"] is True
    assert not reply.get("buttons")


def test_a_clear_overdose_adds_poison_control_after_988_and_911(
    send: Send, store: Store
) -> None:
    [reply] = send(CLEAR_OVERDOSE)
    text = reply["text"]
    assert text.index("988") < text.index("911") < text.index(POISON_CONTROL)
    assert reply["custom"]["kind"] == "overdose"
    assert store.conversation("rest", "visitor").crisis


@pytest.mark.parametrize(
    ("message", "kind"), [(SPANISH_SUICIDE, "suicide"), (SPANISH_OVERDOSE, "overdose")]
)
def test_a_spanish_crisis_is_answered_in_spanish(
    send: Send, store: Store, message: str, kind: str
) -> None:
    [reply] = send(message)
    assert reply["text"] == crisis_reply(kind, "es").text
    assert "llame o envíe un mensaje de texto al 988" in reply["text"]
    assert "marque 911" in reply["text"]
    assert (POISON_CONTROL in reply["text"]) == (kind == "overdose")
    assert reply["custom"]["language"] == "es"
    assert store.conversation("rest", "visitor").crisis


# --- mid-form: the form is kept and the reply offers to continue it ----------------


def test_a_crisis_mid_form_offers_to_continue_where_it_left_off(
    send: Send, store: Store
) -> None:
    send(BOOK)
    send(NAME)
    [reply] = send(CLEAR_CRISIS)
    assert reply["text"] == CRISIS_TEXT
    assert reply["buttons"] == [CONTINUE]
    state = store.conversation("rest", "visitor").state
    assert state["active_loop"] is None and state["slots"]["name"] == NAME
    # A second crisis while the form is paused offers it again.
    assert send(CLEAR_OVERDOSE)[0]["buttons"] == [CONTINUE]
    # Pressed: the question pending before the crisis, the name not asked again.
    assert [r["text"] for r in send(CONTINUE["payload"])] == [FORM_QUESTIONS["phone"]]
    for text in (PHONE, "skip", "skip", "skip"):
        send(text)
    assert "We have received" in send("yes")[0]["text"]
    [handoff] = store.handoffs()
    assert (handoff.name, handoff.phone) == (NAME, "+15135550163")
    assert handoff.crisis


def test_a_spanish_crisis_mid_form_offers_to_continue_in_spanish(send: Send) -> None:
    send(BOOK)
    send(NAME)
    [reply] = send(SPANISH_SUICIDE)
    assert reply["buttons"] == [SEGUIR]


def test_no_continue_button_once_the_form_was_cancelled(send: Send) -> None:
    send(BOOK)
    send(NAME)
    send("cancel")
    [reply] = send(CLEAR_CRISIS)
    assert not reply.get("buttons")


# --- SMS: numbered options and segments ----------------------------------------------


@pytest.fixture
def text(channel_client: FlaskClient) -> Callable[[str], list[str]]:
    """Text the bot; return the SMS bodies it answers with."""
    counter = iter(range(1, 10_000))

    def send(body: str) -> list[str]:
        form = twilio_form(body, sender=SMS_SENDER, sid=f"SM{next(counter):032d}")
        response = channel_client.post(
            "/webhooks/twilio/webhook",
            data=form,
            headers={"X-Twilio-Signature": twilio_signature(TWILIO_URL, form)},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        root = ElementTree.fromstring(response.get_data())
        return [message.text or "" for message in root.iter("Message")]

    return send


def fits(body: str) -> bool:
    return is_gsm7(body) and segments(body) <= 2


def test_sms_a_crisis_mid_form_offers_to_continue_as_option_1(
    text: Callable[[str], list[str]], store: Store
) -> None:
    text(BOOK)
    [phone_question] = text(NAME)
    [crisis] = text(CLEAR_OVERDOSE)
    assert crisis.startswith(crisis_reply("overdose", "en").sms)
    assert POISON_CONTROL in crisis
    assert crisis.endswith("Reply 1 for continuing your request.")
    assert fits(crisis)
    # "1" resumes the form with the question it was at.
    assert text("1") == [phone_question]
    assert store.conversation("sms", SMS_SENDER).state["active_loop"] is not None


def test_sms_a_spanish_crisis_offers_to_continue_in_spanish(
    text: Callable[[str], list[str]],
) -> None:
    text(BOOK)
    text(NAME)
    [crisis] = text(SPANISH_OVERDOSE)
    assert crisis.startswith(crisis_reply("overdose", "es").sms)
    assert crisis.endswith("Responda 1 para seguir con su solicitud.")
    assert fits(crisis)


def test_sms_a_safety_line_that_would_not_fit_goes_first_on_its_own(
    text: Callable[[str], list[str]], knowledge: KnowledgeBase, parser: Parser
) -> None:
    line, answer = text(PAST_ATTEMPT)
    assert line == safety_line("suicide", "en").sms
    assert fits(line) and fits(answer)
    topic = parser.parse(PAST_ATTEMPT)["intent"]["name"].removeprefix("faq/")
    assert answer.startswith(knowledge.topic(topic).sms)
    assert "Reply 1 for " in answer


# --- Messenger: quick replies --------------------------------------------------------


def messenger(client: FlaskClient, event: dict[str, Any]) -> None:
    body = messenger_body(event)
    response = client.post(
        "/webhooks/facebook/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": messenger_signature(body),
        },
    )
    assert response.status_code == 200, response.get_json()


def deliver(runtime: Runtime) -> None:
    """Send what the outbox holds, as the background worker does."""
    worker = DeliveryWorker(
        runtime.store,
        {KIND: SendApi(runtime.settings.messenger_graph_url, PAGE_TOKEN)},
        backoff=Backoff(first=timedelta(0), most=timedelta(0)),
    )
    worker.run_once()


def test_messenger_a_crisis_mid_form_offers_continue_as_a_quick_reply(
    channel_client: FlaskClient, channel_runtime: Runtime, graph: GraphServer
) -> None:
    for number, message in enumerate((BOOK, NAME, CLEAR_CRISIS)):
        messenger(channel_client, text_event(PSID, message, f"m_{number}"))
    deliver(channel_runtime)
    crisis = graph.bodies()[-1]["message"]
    assert crisis["text"] == CRISIS_TEXT
    assert crisis["quick_replies"] == [{"content_type": "text", **CONTINUE}]
    # Tapped: Messenger sends the title as text and the payload beside it.
    tapped = text_event(PSID, CONTINUE["title"], "m_tap")
    tapped["message"]["quick_reply"] = {"payload": CONTINUE["payload"]}
    messenger(channel_client, tapped)
    deliver(channel_runtime)
    assert graph.texts(PSID)[-1] == FORM_QUESTIONS["phone"]


def test_messenger_a_safety_line_comes_first_and_the_quick_replies_last(
    channel_client: FlaskClient, channel_runtime: Runtime, graph: GraphServer
) -> None:
    messenger(channel_client, text_event(PSID, PAST_ATTEMPT, "m_1"))
    deliver(channel_runtime)
    typing, line, answer = graph.bodies()
    assert typing["sender_action"] == "typing_on"
    assert line["message"] == {"text": safety_line("suicide", "en").text}
    assert answer["message"]["quick_replies"]
