"""Conversations as a visitor has them: transcripts through the REST channel.

Every test runs on SQLite and on PostgreSQL (the `store` below is parametrized),
talks to `POST /webhooks/rest/webhook` the way the web widget does, and checks
what was stored through the store or the `faqbot handoffs export` command.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from bot.errors import StorageError
from bot.knowledge import KnowledgeBase
from bot.runtime import build_runtime
from bot.settings import Settings
from bot.storage import Conversation, NewMessage, Store
from bot.storage import schema as tables
from bot.understanding.crisis import CrisisDetector, CrisisSignal
from bot.understanding.parser import Parser
from webhook import create_app

Send = Callable[..., list[dict[str, Any]]]
Converse = Callable[..., list[str]]

NAME_Q = "what is your full name?"
PHONE_Q = "What is the best phone number to reach you?"
EMAIL_Q = "What is your email address?"
TIME_Q = "When is a good time for us to contact you?"
CONDITION_Q = "what pain condition would you like help with?"
CONSENT_Q = "do you agree that"
RECEIVED = "We have received your consultation request"
CANCELLED = "I have cancelled your consultation request"
FALLBACK_OPENINGS = ("Sorry, I didn't understand", "Sorry, I'm not sure I understood")
CONSULTATION_BUTTON = {
    "title": "Request a consultation",
    "payload": "/request_consultation",
}


@pytest.fixture
def export(
    runner: Callable[..., tuple[int, str]],
    database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[], list[dict[str, Any]]]:
    """`faqbot handoffs export --format json` on the app's database, parsed."""
    monkeypatch.setenv("FAQBOT_DATABASE_URL", database)

    def run() -> list[dict[str, Any]]:
        status, out = runner("handoffs", "export", "--format", "json")
        assert status == 0, out
        return json.loads(out)

    return run


@pytest.fixture
def send(client: FlaskClient) -> Send:
    """Send one message; return the bot's messages as the REST channel renders them."""

    def post(text: str, *, sender: str = "visitor") -> list[dict[str, Any]]:
        response = client.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": text}
        )
        assert response.status_code == 200, response.get_json()
        assert response.mimetype == "application/json"
        return response.get_json()

    return post


def stored_rows(url: str) -> int:
    """How many conversations, messages and handoffs the database holds."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return sum(
                conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (tables.conversations, tables.messages, tables.handoffs)
            )
    finally:
        engine.dispose()


# --- greeting, FAQ answers, fallback, out of scope, bot challenge -----------------


def test_greeting_introduces_an_automated_assistant_with_topic_questions(
    send: Send,
) -> None:
    [greeting] = send("hi")
    assert "automated assistant" in greeting["text"]
    assert "not medical advice" in greeting["text"]
    topics = [b for b in greeting["buttons"] if b["payload"].startswith("/faq/")]
    assert len(topics) >= 3
    for button in topics:
        assert button["title"].endswith("?")
    for button in greeting["buttons"]:
        assert "faq/" not in button["title"]
        assert "_" not in button["title"]
    assert CONSULTATION_BUTTON in greeting["buttons"]


@pytest.mark.parametrize(
    ("question", "topic_id"),
    [
        ("what are the side effects?", "side_effects"),
        ("is ketamine addictive?", "addiction_risk"),
        ("what is chronic pain?", "what_is_chronic_pain"),
    ],
)
def test_faq_answer_cites_its_section_and_offers_related_questions(
    send: Send, knowledge: KnowledgeBase, question: str, topic_id: str
) -> None:
    topic = knowledge.topic(topic_id)
    [answer] = send(question)
    assert topic.answer in answer["text"]
    source = answer["text"].splitlines()[-1]
    assert source.startswith("Source:")
    assert topic.section in source
    related = answer["buttons"]
    assert 1 <= len(related) <= 3
    for button in related:
        assert button["title"].endswith("?")
        assert button["payload"].startswith("/faq/")
        related_topic = knowledge.topic(button["payload"].removeprefix("/faq/"))
        assert button["title"] == related_topic.question
        [reply] = send(button["payload"])
        assert related_topic.answer in reply["text"]


def test_fallback_suggests_questions_then_offers_a_consultation(
    send: Send, knowledge: KnowledgeBase
) -> None:
    [first] = send("pain")
    assert "Did you mean" in first["text"]
    questions = {t.question: t for t in knowledge.topics}
    assert 1 <= len(first["buttons"]) <= 3
    for button in first["buttons"]:
        assert button["title"] in questions
        assert button["payload"] == "/" + questions[button["title"]].intent

    [second] = send("zxqv blorp wibble")
    assert "Did you mean" not in second["text"]
    assert "contact you" in second["text"]
    assert knowledge.clinic.phone in second["text"]
    assert second["buttons"] == [CONSULTATION_BUTTON]


def test_a_suggested_question_is_answered_when_tapped(
    send: Send, knowledge: KnowledgeBase
) -> None:
    [suggestion] = send("pain")
    button = suggestion["buttons"][0]
    topic = knowledge.topic(button["payload"].removeprefix("/faq/"))
    assert topic.answer in send(button["payload"])[0]["text"]


def test_gibberish_gets_example_questions_not_a_guess(send: Send) -> None:
    [reply] = send("asdf qwerty zxcv")
    assert "didn't understand" in reply["text"]
    assert reply["buttons"]
    for button in reply["buttons"]:
        assert button["title"].endswith("?")
        assert button["payload"].startswith("/faq/")


@pytest.mark.parametrize(
    "in_between",
    [
        ["what are the side effects?"],
        ["I'd like to book a consultation", "cancel"],
    ],
    ids=["faq", "form-then-cancel"],
)
def test_an_understood_message_ends_a_run_of_fallbacks(
    send: Send, in_between: list[str]
) -> None:
    send("zxqv blorp wibble")
    for text in in_between:
        send(text)
    [reply] = send("zxqv blorp wibble")
    assert "didn't understand" in reply["text"]
    assert "contact you" not in reply["text"]


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("how much does it cost?", "cost"),
        ("do you take insurance?", "insurance"),
        ("where are you located?", "location"),
        ("what are your hours?", "hours"),
        ("is the infusion painful?", "infusion_pain"),
        ("how long does an infusion take", "infusion_duration"),
        ("how many infusions will I need?", "number_of_infusions"),
        ("can i drive home afterwards?", "driving_home"),
        ("do i need a referral", "referral"),
    ],
)
def test_out_of_scope_question_is_answered_honestly(
    send: Send, knowledge: KnowledgeBase, question: str, topic: str
) -> None:
    [reply] = send(question)
    subject = next(t.subject for t in knowledge.out_of_scope if t.id == topic)
    assert f"Our article doesn't say {subject}" in reply["text"]
    assert knowledge.clinic.phone in reply["text"]
    assert reply["buttons"] == [CONSULTATION_BUTTON]
    # Never another topic's answer.
    assert all(t.answer not in reply["text"] for t in knowledge.topics)


def test_unrelated_chit_chat_gets_the_general_honest_answer(send: Send) -> None:
    [reply] = send("what's the weather forecast for tomorrow")
    assert "I don't have that information" in reply["text"]


@pytest.mark.parametrize("question", ["are you a bot", "is this a real person?"])
def test_bot_challenge_is_answered_truthfully(
    send: Send, knowledge: KnowledgeBase, question: str
) -> None:
    [reply] = send(question)
    assert "I am an automated assistant, not a person" in reply["text"]
    assert knowledge.clinic.phone in reply["text"]
    assert CONSULTATION_BUTTON in reply["buttons"]


# --- crisis -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "message", ["i want to end it all", "I want to kill myself tonight"]
)
def test_crisis_gets_988_and_911_first_and_flags_the_conversation(
    converse: Converse, store: Store, message: str
) -> None:
    replies = converse(message)
    assert "988" in replies[0]
    assert "911" in replies[0]
    assert store.conversation("rest", "visitor").crisis


@pytest.mark.parametrize(
    "payload",
    [
        '/greet{"x": "i want to kill myself"}',
        '/faq/side_effects{"note": "i took all my pills an hour ago"}',
        '/request_consultation{"name": "i cant breathe"}',
    ],
)
def test_a_crisis_inside_a_button_payload_gets_the_crisis_reply(
    converse: Converse, store: Store, payload: str
) -> None:
    replies = converse(payload)
    assert "988" in replies[0] and "911" in replies[0]
    assert store.conversation("rest", "visitor").crisis


def test_crisis_pauses_the_form_and_a_consultation_request_resumes_it(
    converse: Converse, store: Store
) -> None:
    converse("I'd like to book a consultation")
    assert PHONE_Q in converse("Grace Whitfield")[0]

    replies = converse("i want to end it all")
    assert len(replies) == 1
    assert "988" in replies[0] and "911" in replies[0]
    assert PHONE_Q not in replies[0]
    conversation = store.conversation("rest", "visitor")
    assert conversation.crisis
    assert conversation.state["active_loop"] is None

    # Paused: a question now gets its answer and no form question after it.
    assert all(PHONE_Q not in r for r in converse("what are the side effects?"))

    # Resumed: the name given before the crisis is not asked again.
    assert converse("I'd like a consultation") == [PHONE_Q]
    for text in ("513-555-0163", "skip", "skip", "skip"):
        converse(text)
    assert RECEIVED in converse("yes")[0]
    [handoff] = store.handoffs()
    assert handoff.name == "Grace Whitfield"
    assert handoff.phone == "+15135550163"
    assert handoff.crisis


class MissingDetector(CrisisDetector):
    """Finds nothing: the parser misses every crisis, as a stock classifier can."""

    def detect(
        self, normalized: str, vectors: object = None, *, language: str = "en"
    ) -> CrisisSignal | None:
        return None


def test_a_crisis_the_parser_missed_is_answered_and_flagged_by_the_fallback(
    knowledge: KnowledgeBase, store: Store, tmp_path: Path
) -> None:
    parser = Parser(knowledge)
    parser.crisis = MissingDetector()
    assert parser.parse("kms")["intent"]["name"] == "nlu_fallback"
    settings = Settings.from_env({"FAQBOT_INSTANCE_PATH": str(tmp_path)})
    runtime = build_runtime(settings, knowledge=knowledge, store=store, parser=parser)
    response = create_app(runtime=runtime).test_client().post(
        "/webhooks/rest/webhook", json={"sender": "visitor", "message": "kms"}
    )
    [reply] = response.get_json()
    assert "988" in reply["text"] and "911" in reply["text"]
    assert store.conversation("rest", "visitor").crisis


class OutageStore(Store):
    """A real store whose `broken` methods fail the way a database outage does."""

    broken: frozenset[str] = frozenset()

    def _fail_if_broken(self, method: str) -> None:
        if method in self.broken:
            raise StorageError(f"could not {method.replace('_', ' ')}")

    def conversation(self, channel: str, sender_id: str) -> Conversation:
        self._fail_if_broken("conversation")
        return super().conversation(channel, sender_id)

    def find_conversation(self, channel: str, sender_id: str) -> Conversation | None:
        # The engine's read of the conversation: "conversation" breaks it too.
        self._fail_if_broken("conversation")
        return super().find_conversation(channel, sender_id)

    def record_turn(
        self,
        conversation_id: int | None,
        messages: Sequence[NewMessage],
        **options: Any,
    ) -> int:
        self._fail_if_broken("record_turn")
        return super().record_turn(conversation_id, messages, **options)


@pytest.fixture(params=["conversation", "record_turn"])
def outage(
    request: pytest.FixtureRequest,
    database: str,
    knowledge: KnowledgeBase,
    parser: Parser,
    tmp_path: Path,
) -> Iterator[FlaskClient]:
    """The REST channel's client over a store whose reads or writes fail."""
    store = OutageStore.from_url(database)
    store.upgrade()
    store.broken = frozenset({request.param})
    settings = Settings.from_env({"FAQBOT_INSTANCE_PATH": str(tmp_path)})
    runtime = build_runtime(settings, knowledge=knowledge, store=store, parser=parser)
    yield create_app(runtime=runtime).test_client()
    store.dispose()


def test_a_crisis_is_answered_when_storage_fails(
    outage: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    sender = "+15135550163"
    message = "I want to kill myself tonight"
    with caplog.at_level(logging.INFO):
        response = outage.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": message}
        )
    assert response.status_code == 200
    first = response.get_json()[0]["text"]
    assert "988" in first and "911" in first
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert sender not in logged
    assert "kill" not in logged.lower()


def test_other_messages_still_fail_when_storage_fails(outage: FlaskClient) -> None:
    response = outage.post(
        "/webhooks/rest/webhook",
        json={"sender": "visitor", "message": "what are the side effects?"},
    )
    assert response.status_code == 503
    assert response.get_json()["error"]


# --- the consultation form --------------------------------------------------------

# Each step: the visitor's message, then one snippet per bot message, in order.
Step = tuple[str, list[str]]
START: list[Step] = [("I'd like to book a consultation", [NAME_Q])]
HAPPY: list[Step] = [
    *START,
    ("Grace Whitfield", [PHONE_Q]),
    ("513-555-0163", [EMAIL_Q]),
    ("grace.whitfield@example.com", [TIME_Q]),
    ("weekday mornings", [CONDITION_Q]),
    ("chronic back pain for five years", [CONSENT_Q]),
    ("yes", [RECEIVED]),
]
GRACE = {
    "name": "Grace Whitfield",
    "phone": "+15135550163",
    "email": "grace.whitfield@example.com",
    "preferred_time": "weekday mornings",
    "condition": "chronic back pain for five years",
}

FORM_PATHS: dict[str, tuple[list[Step], dict[str, Any] | None]] = {
    "happy path": (HAPPY, GRACE),
    "re-ask with the reason": (
        [
            *START,
            ("12345", ["shouldn't contain numbers"]),
            ("Grace Whitfield", [PHONE_Q]),
            ("call me maybe", ["doesn't look like a phone number"]),
            ("513-555-0163", [EMAIL_Q]),
            ("grace.whitfield@example", ["needs a full domain"]),
            ("grace.whitfield@example.com", [TIME_Q]),
            ("weekday mornings", [CONDITION_Q]),
            ("chronic back pain for five years", [CONSENT_Q]),
            ("maybe", ['Please answer "yes" or "no"']),
            ("yes", [RECEIVED]),
        ],
        GRACE,
    ),
    "faq mid-form": (
        [
            *HAPPY[:3],
            ("what are the side effects?", ["Source:", EMAIL_Q]),
            ("is this a real person?", ["automated assistant", EMAIL_Q]),
            *HAPPY[3:],
        ],
        GRACE,
    ),
    "out-of-scope question mid-form": (
        [
            *HAPPY[:4],
            ("how much does it cost?", ["Our article doesn't say", TIME_Q]),
            HAPPY[4],
            ("do you take insurance?", ["Our article doesn't say", CONDITION_Q]),
            *HAPPY[5:],
        ],
        GRACE,
    ),
    "correction": (
        [
            *HAPPY[:3],
            (
                "actually my number is 513-555-0177",
                ["updated your phone number", EMAIL_Q],
            ),
            *HAPPY[3:5],
            (
                "actually my name is Grace Whitfield-Smith",
                ["updated your name", CONDITION_Q],
            ),
            *HAPPY[5:],
        ],
        {**GRACE, "name": "Grace Whitfield-Smith", "phone": "+15135550177"},
    ),
    "refused consent": (
        [*HAPPY[:-1], ("no", ["without your consent I have not sent"])],
        None,
    ),
    "details in the first message": (
        [
            (
                "I'm Grace Whitfield, call me at 513.555.0163 — I'd like a"
                " consultation",
                [EMAIL_Q],
            ),
            *HAPPY[3:],
        ],
        GRACE,
    ),
    "international number": (
        [*HAPPY[:2], ("+44 20 7946 0958", [EMAIL_Q]), *HAPPY[3:]],
        {**GRACE, "phone": "+442079460958"},
    ),
    "optional details skipped": (
        [
            *HAPPY[:3],
            ("skip", [TIME_Q]),
            ("no thanks", [CONDITION_Q]),
            ("skip", [CONSENT_Q]),
            ("yes", [RECEIVED]),
        ],
        {**GRACE, "email": None, "preferred_time": None, "condition": None},
    ),
    "consultation button pressed again": (
        [
            *HAPPY[:2],
            ("/request_consultation", [PHONE_Q]),
            *HAPPY[2:],
        ],
        GRACE,
    ),
}


@pytest.mark.parametrize(
    ("steps", "expected"), FORM_PATHS.values(), ids=list(FORM_PATHS)
)
def test_consultation_form_path(
    converse: Converse,
    store: Store,
    steps: list[Step],
    expected: dict[str, Any] | None,
) -> None:
    for message, snippets in steps:
        replies = converse(message)
        assert len(replies) == len(snippets), (message, replies)
        for reply, snippet in zip(replies, snippets, strict=True):
            assert snippet in reply, (message, reply)
    state = store.conversation("rest", "visitor").state
    assert state["active_loop"] is None
    # Finished either way: the conversation keeps none of the form's details.
    assert {state["slots"].get(s) for s in ("name", "phone", "email")} == {None}
    handoffs = store.handoffs()
    if expected is None:
        assert handoffs == []
        return
    [handoff] = handoffs
    stored = {field: getattr(handoff, field) for field in expected}
    assert stored == expected
    assert handoff.consent is True


@pytest.mark.parametrize(
    ("answers", "bad", "reason", "question"),
    [
        ([], "12345", "shouldn't contain numbers", NAME_Q),
        (["Grace Whitfield"], "call me maybe", "doesn't look like a phone", PHONE_Q),
        (["Grace Whitfield", "513-555-0163"], "grace@", "full domain", EMAIL_Q),
        (
            ["Grace Whitfield", "513-555-0163", "skip", "skip", "skip"],
            "perhaps",
            "yes",
            CONSENT_Q,
        ),
    ],
    ids=["name", "phone", "email", "consent"],
)
def test_a_rejected_answer_gets_the_reason_as_the_only_message(
    converse: Converse, answers: list[str], bad: str, reason: str, question: str
) -> None:
    for text in ["I'd like to book a consultation", *answers]:
        converse(text)
    replies = converse(bad)
    assert len(replies) == 1
    assert reason in replies[0]
    assert question not in replies[0]


@pytest.mark.parametrize(
    ("answered", "cancel"),
    [
        (0, "cancel"),
        (1, "stop"),
        (2, "never mind"),
        (3, "Cancel, please"),
        (4, "forget it"),
        (5, "quit"),
    ],
    ids=["at-name", "at-phone", "at-email", "at-time", "at-condition", "at-consent"],
)
def test_cancel_at_any_prompt_keeps_nothing(
    converse: Converse, store: Store, answered: int, cancel: str
) -> None:
    answers = ["Grace Whitfield", "513-555-0163", "skip", "skip", "skip"]
    converse("I'd like to book a consultation")
    for text in answers[:answered]:
        converse(text)
    replies = converse(cancel)
    assert len(replies) == 1
    assert CANCELLED in replies[0]
    assert store.handoffs() == []
    state = store.conversation("rest", "visitor").state
    assert state["active_loop"] is None
    assert state["slots"]["name"] is None and state["slots"]["phone"] is None
    # The form is over: "yes" is no longer a consent and stores nothing.
    assert all(RECEIVED not in r for r in converse("yes"))
    assert store.handoffs() == []


def test_yes_after_an_offer_starts_the_consultation(converse: Converse) -> None:
    assert "not a person" in converse("are you a bot?")[0]
    assert converse("yes please") == [
        "A member of our staff will call you back to arrange a consultation."
        " First, what is your full name?"
    ]


def test_yes_to_the_second_fallback_starts_the_consultation(converse: Converse) -> None:
    converse("zxqv blorp")
    assert "Would you like someone from" in converse("wibble frotz")[0]
    assert converse("sure")[0].startswith("A member of our staff will call you back")


@pytest.mark.parametrize(
    ("answer", "reply"),
    [
        ("yes", "Great! What would you like to know?"),
        ("no thanks", "No problem. Is there anything else I can help you with?"),
    ],
)
def test_a_plain_yes_or_no_with_no_offer_is_acknowledged(
    converse: Converse, answer: str, reply: str
) -> None:
    assert converse(answer) == [reply]


def test_an_offer_lasts_one_turn(converse: Converse) -> None:
    converse("are you a bot?")
    converse("what are the side effects?")
    assert converse("yes") == ["Great! What would you like to know?"]


@pytest.mark.parametrize("text", ["cancel", "stop", "never mind"])
def test_cancel_with_no_form_says_there_is_nothing_to_cancel(
    converse: Converse, text: str
) -> None:
    assert converse(text) == [
        "There is nothing to cancel: no consultation request is in progress."
        " Ask me anything about chronic pain or ketamine infusions."
    ]


def test_cancel_while_paused_by_a_crisis_forgets_the_details(
    converse: Converse, store: Store
) -> None:
    converse("I'd like to book a consultation")
    converse("Grace Whitfield")
    converse("i want to end it all")
    assert CANCELLED in converse("cancel")[0]
    assert store.conversation("rest", "visitor").state["slots"]["name"] is None
    assert converse("I'd like a consultation")[0].startswith(
        "A member of our staff will call you back"
    )


def test_handoff_is_stored_with_its_transcript_when_received_returns(
    converse: Converse, store: Store
) -> None:
    for message, _ in HAPPY[:-1]:
        converse(message)
    assert store.handoffs() == []
    assert RECEIVED in converse("yes")[0]
    [handoff] = store.handoffs()
    lines = [(line.sender, line.text) for line in handoff.transcript]
    assert ("user", "Grace Whitfield") in lines
    assert ("user", "yes") in lines
    assert lines[0] == ("user", "I'd like to book a consultation")
    bot_lines = [text for sender, text in lines if sender == "bot"]
    assert any(PHONE_Q in text for text in bot_lines)
    assert any(CONSENT_Q in text for text in bot_lines)


def test_exported_handoff_has_every_field(
    converse: Converse, export: Callable[[], list[dict[str, Any]]]
) -> None:
    for message, _ in HAPPY:
        converse(message, sender="widget-42")
    [record] = export()
    assert {
        "id",
        "created_at",
        "status",
        "channel",
        "sender_id",
        "name",
        "phone",
        "email",
        "preferred_time",
        "condition",
        "consent",
        "crisis",
        "transcript",
    } <= set(record)
    assert record["status"] == "new"
    assert record["channel"] == "rest"
    assert record["sender_id"] == "widget-42"
    assert {field: record[field] for field in GRACE} == GRACE
    assert record["consent"] is True
    assert record["crisis"] is False
    assert record["created_at"].endswith("+00:00")
    assert {line["sender"] for line in record["transcript"]} == {"user", "bot"}
    assert record["transcript"][0]["text"] == "I'd like to book a consultation"


def test_skipped_details_are_exported_as_null(
    converse: Converse, export: Callable[[], list[dict[str, Any]]]
) -> None:
    steps, _ = FORM_PATHS["optional details skipped"]
    for message, _ in steps:
        converse(message)
    [record] = export()
    assert record["email"] is None
    assert record["preferred_time"] is None
    assert record["condition"] is None


@pytest.mark.parametrize(
    ("payload", "snippet"),
    [("/request_consultation", NAME_Q), ("/faq/side_effects", "dizziness")],
)
def test_button_payloads_are_understood(
    converse: Converse, payload: str, snippet: str
) -> None:
    assert snippet in converse(payload)[0]


def test_payload_for_an_unknown_topic_is_not_an_error(converse: Converse) -> None:
    [reply] = converse("/faq/no_such_topic")
    assert reply.startswith(FALLBACK_OPENINGS)


# --- requests the channel refuses -------------------------------------------------

LONG_MESSAGE = "x" * 2001
HUGE_BODY = json.dumps({"sender": "visitor", "message": "y" * 100_000})


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400),
        ({"json": ["a", "list"]}, 400),
        ({"json": "a string"}, 400),
        ({"json": {"sender": "visitor"}}, 400),
        ({"json": {"sender": "visitor", "message": ""}}, 400),
        ({"json": {"sender": "visitor", "message": "   "}}, 400),
        ({"json": {"sender": "visitor", "message": 42}}, 400),
        ({"json": {"sender": "visitor", "message": LONG_MESSAGE}}, 413),
        ({"data": "message=hi", "content_type": "text/plain"}, 415),
        ({"data": HUGE_BODY, "content_type": "application/json"}, 413),
        ({"json": {"message": "hi"}}, 400),
        ({"json": {"sender": "", "message": "hi"}}, 400),
        ({"json": {"sender": ["visitor"], "message": "hi"}}, 400),
        ({"json": {"sender": "visitor", "message": "hello\x00there"}}, 400),
        (
            {
                "data": '{"sender": "visitor", "message": "hi \\udcff"}',
                "content_type": "application/json",
            },
            400,
        ),
    ],
    ids=[
        "malformed-json",
        "list",
        "string",
        "no-message",
        "empty-message",
        "blank-message",
        "message-not-text",
        "message-too-long",
        "wrong-content-type",
        "huge-body",
        "no-sender",
        "empty-sender",
        "sender-not-text",
        "nul-in-message",
        "lone-surrogate",
    ],
)
def test_bad_request_is_refused_with_a_json_error_and_nothing_stored(
    client: FlaskClient, database: str, kwargs: dict[str, Any], status: int
) -> None:
    response = client.post("/webhooks/rest/webhook", **kwargs)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert isinstance(response.get_json()["error"], str)
    assert response.get_json()["error"]
    assert stored_rows(database) == 0


def test_markup_is_kept_as_text_never_interpreted(
    client: FlaskClient,
    converse: Converse,
    store: Store,
    export: Callable[[], list[dict[str, Any]]],
) -> None:
    markup = '<script>alert("hi")</script> & back pain'
    response = client.post(
        "/webhooks/rest/webhook", json={"sender": "visitor", "message": markup}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    conversation = store.conversation("rest", "visitor")
    assert store.transcript(conversation.id)[0].text == markup

    for message, _ in HAPPY[:-2]:
        converse(message)
    converse(markup)
    [summary] = converse("yes")
    assert f"- Condition: {markup}" in summary.splitlines()
    [record] = export()
    assert record["condition"] == markup
    assert markup in [line["text"] for line in record["transcript"]]


# --- /health and /model/parse -----------------------------------------------------


def test_health(client: FlaskClient, knowledge: KnowledgeBase) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "topics": len(knowledge.topics)}


def _check_shape(result: dict[str, Any], text: str) -> None:
    assert result["text"] == text
    assert set(result["intent"]) == {"name", "confidence"}
    assert isinstance(result["entities"], list)
    assert result["intent_ranking"]
    for score in result["intent_ranking"]:
        assert set(score) == {"name", "confidence"}
        assert 0 <= score["confidence"] <= 1


def test_model_parse_selects_the_faq_response(
    client: FlaskClient, knowledge: KnowledgeBase
) -> None:
    text = "what are the side effects?"
    result = client.post("/model/parse", json={"text": text}).get_json()
    _check_shape(result, text)
    assert result["intent"]["name"] == "faq/side_effects"
    assert result["intent_ranking"][0] == result["intent"]
    selected = result["response_selector"]["faq"]["response"]
    assert selected["intent_response_key"] == "faq/side_effects"
    assert selected["responses"] == [{"text": knowledge.topic("side_effects").answer}]


def test_model_parse_puts_crisis_first(client: FlaskClient) -> None:
    text = "i want to end it all"
    result = client.post("/model/parse", json={"text": text}).get_json()
    _check_shape(result, text)
    assert result["intent"] == {"name": "crisis", "confidence": 1.0}
    assert result["intent_ranking"][0] == result["intent"]


def test_model_parse_falls_back_with_real_candidates_below(
    client: FlaskClient,
) -> None:
    result = client.post("/model/parse", json={"text": "pain"}).get_json()
    _check_shape(result, "pain")
    assert result["intent"]["name"] == "nlu_fallback"
    first, *candidates = result["intent_ranking"]
    assert first == result["intent"]
    assert candidates
    assert all(c["name"] != "nlu_fallback" for c in candidates)
    assert any(c["name"].startswith("faq/") for c in candidates)
    confidences = [c["confidence"] for c in candidates]
    assert confidences == sorted(confidences, reverse=True)


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"json": {}}, 400),
        ({"json": {"text": ""}}, 400),
        ({"json": [1]}, 400),
        ({"data": "{", "content_type": "application/json"}, 400),
        ({"data": "hi", "content_type": "text/plain"}, 415),
    ],
)
def test_model_parse_refuses_bad_requests(
    client: FlaskClient, kwargs: dict[str, Any], status: int
) -> None:
    response = client.post("/model/parse", **kwargs)
    assert response.status_code == status
    assert response.get_json()["error"]


def test_the_api_address_lists_the_endpoints(client: FlaskClient) -> None:
    response = client.get("/api")
    assert response.status_code == 200
    assert response.get_json()["endpoints"]["chat"].startswith(
        "POST /webhooks/rest/webhook"
    )
