"""Opt-in: a stock Rasa 3.6 trains the export and talks through faqbot's actions.

Rasa 3.6 needs Python 3.8 to 3.10 and about 2.7 GB of dependencies, so it stays
out of faqbot's environment; these tests are skipped unless FAQBOT_RASA_PYTHON
names an interpreter that has it:

    ~/.pyenv/versions/3.10.13/bin/python -m venv /tmp/rasa36
    /tmp/rasa36/bin/pip install rasa==3.6.21
    FAQBOT_RASA_PYTHON=/tmp/rasa36/bin/python .venv/bin/pytest tests/rasa_stock -q

Training takes about five minutes on two CPU cores. The conversations run in
one Rasa process (`Agent.handle_text`, the message processor and collecting
output channel behind Rasa's REST channel) against faqbot's action server,
served for real on loopback and storing to a real database. Both processes get
the same FAQBOT_ACTION_TOKEN, which Rasa reads into the exported endpoints.yml.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from bot.conversation.actions.consultation import FORM_SLOTS
from bot.conversation.replies import (
    CANCELLED,
    CONSENT_REFUSED,
    CRISIS_TEXT,
    FORM_QUESTIONS,
    consent_question,
    greeting,
    no_information,
)
from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.runtime import build_runtime
from bot.settings import Settings, sqlite_url
from bot.storage import Store
from bot.tooling.rasa_export import export_rasa_project
from bot.tooling.rasa_training import load_crisis_examples
from webhook import create_app

RASA_VERSION = "3.6.21"
PYTHON_VARIABLE = "FAQBOT_RASA_PYTHON"
TOKEN = "c3RvY2stcmFzYS1zaGFyZWQtdG9rZW4"
# Rasa's environment: no telemetry, and the token endpoints.yml names.
RASA_ENV = {"RASA_TELEMETRY_ENABLED": "false", "FAQBOT_ACTION_TOKEN": TOKEN}
# Warnings of `rasa data validate` that mean the export is wired wrongly.
MISWIRING = (
    "is not listed in the domain",
    "is not found in the NLU training data",
    "labeled with multiple different intents",
    "is not present in the domain slots",
)
PARSE = """
import asyncio, json, sys
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
print(json.dumps([asyncio.run(agent.parse_message(t)) for t in sys.argv[2:]]))
"""
CONVERSE = """
import asyncio, json, sys
from rasa.core.agent import Agent
from rasa.core.utils import AvailableEndpoints

async def converse(model, endpoints, conversations):
    action = AvailableEndpoints.read_endpoints(endpoints).action
    agent = Agent.load(model, action_endpoint=action)
    turns = {}
    for sender, texts in conversations.items():
        turns[sender] = []
        for text in texts:
            turns[sender].append(await agent.handle_text(text, sender_id=sender))
    return turns

print(json.dumps(asyncio.run(converse(**json.load(sys.stdin)))))
"""
BOOK = "I'd like to book a consultation"
CONTINUE = "/request_consultation"
SAFETY = "ketamine_safety"
CONVERSATIONS = {
    "greeting": ["hello"],
    "faq": ["Is ketamine infusion therapy safe?"],
    "out_of_scope": ["how much does it cost?"],
    "form": [
        BOOK,
        "Grace Hopper",
        "513-555-0163",
        "skip",
        "weekday mornings",
        "fibromyalgia",
        "yes",
    ],
    "cancel": [BOOK, "Grace Hopper", "cancel"],
    "crisis": [BOOK, "Grace Hopper", "i want to end it all", BOOK, "513-555-0163"],
    # The crisis reply's "Continue my request" button, pressed.
    "crisis_button": [BOOK, "Grace Hopper", "i want to end it all", CONTINUE],
    "faq_in_form": [
        BOOK,
        "Grace Hopper",
        "Is ketamine infusion therapy safe?",
        "513-555-0163",
    ],
    # Answers the first export let Rasa take for a cancel, a crisis or an answer.
    "answers": [
        BOOK,
        "Ada Lovelace",
        "513-555-0164",
        "no",
        "i'd rather not say",
        "how much does it cost?",
        "lower back pain",
        "no",
    ],
}

pytestmark = pytest.mark.skipif(
    not os.environ.get(PYTHON_VARIABLE),
    reason=f"set {PYTHON_VARIABLE} to a Python that has rasa=={RASA_VERSION}",
)


def rasa(
    python: str, project: Path, *args: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run Rasa's command line in `project`, without telemetry."""
    return subprocess.run(
        [python, "-m", "rasa", *args],
        cwd=project,
        env={**os.environ, **RASA_ENV},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def texts(turn: list[dict[str, Any]]) -> list[str]:
    """The text replies of one turn (a custom payload arrives as its own message)."""
    return [message["text"] for message in turn if message.get("text")]


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def rasa_python() -> str:
    python = os.environ[PYTHON_VARIABLE]
    probe = subprocess.run(
        [python, "-c", "import rasa; print(rasa.__version__)"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if probe.returncode or probe.stdout.strip() != RASA_VERSION:
        pytest.fail(
            f"{PYTHON_VARIABLE}={python} does not have rasa=={RASA_VERSION}:"
            f" {probe.stdout}{probe.stderr}"
        )
    return python


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store.from_url(
        sqlite_url(tmp_path_factory.mktemp("faqbot") / "faqbot.db")
    )
    store.upgrade()
    yield store
    store.dispose()


@pytest.fixture(scope="module")
def action_endpoint(
    knowledge: KnowledgeBase, store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """faqbot's action server, listening on a free loopback port."""
    settings = Settings.from_env(
        {
            "FAQBOT_INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "FAQBOT_ACTION_TOKEN": TOKEN,
        }
    )
    app = create_app(runtime=build_runtime(settings, knowledge=knowledge, store=store))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/webhook"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def project(
    knowledge: KnowledgeBase,
    action_endpoint: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    directory = tmp_path_factory.mktemp("rasa_project")
    export_rasa_project(knowledge, directory, action_endpoint=action_endpoint)
    return directory


@pytest.fixture(scope="module")
def model(rasa_python: str, project: Path) -> Path:
    trained = rasa(
        rasa_python, project, "train", "--fixed-model-name", "t", timeout=3600
    )
    assert trained.returncode == 0, trained.stdout + trained.stderr
    return project / "models" / "t.tar.gz"


@pytest.fixture(scope="module")
def turns(
    rasa_python: str, project: Path, model: Path, action_endpoint: str
) -> dict[str, list[list[dict[str, Any]]]]:
    """Each conversation's replies, turn by turn, from stock Rasa."""
    # The exported endpoints.yml, so Rasa itself fills in the token.
    request = {
        "model": str(model),
        "endpoints": str(project / "endpoints.yml"),
        "conversations": CONVERSATIONS,
    }
    ran = subprocess.run(
        [rasa_python, "-c", CONVERSE],
        cwd=project,
        input=json.dumps(request),
        env={**os.environ, **RASA_ENV},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout.strip().splitlines()[-1])


def test_rasa_validates_the_export(rasa_python: str, project: Path) -> None:
    checked = rasa(rasa_python, project, "data", "validate", timeout=900)
    output = checked.stdout + checked.stderr
    assert checked.returncode == 0, output
    assert [w for w in MISWIRING if w in output] == [], output


def test_rasa_trains_the_export(model: Path) -> None:
    assert model.is_file()


def test_the_trained_model_speaks_faqbots_intents(
    rasa_python: str, project: Path, model: Path, knowledge: KnowledgeBase
) -> None:
    topic = knowledge.topics[0]
    messages = [load_crisis_examples()[0], topic.question, "cancel", "no", "skip"]
    parsed = subprocess.run(
        [rasa_python, "-c", PARSE, str(model), *messages],
        cwd=project,
        env={**os.environ, **RASA_ENV},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert parsed.returncode == 0, parsed.stderr
    crisis, faq, cancel, no, skip = json.loads(parsed.stdout.strip().splitlines()[-1])
    assert crisis["intent"]["name"] == "crisis"
    assert cancel["intent"]["name"] == "cancel"
    # A plain no is the knowledge base's deny, never a cancel; the form keeps both.
    assert no["intent"]["name"] == "deny"
    assert skip["intent"]["name"] == "form_answer"
    assert faq["intent"]["name"] == "faq"
    # The layout action_answer_faq reads to pick the topic.
    selected = faq["response_selector"]["faq"]["response"]["intent_response_key"]
    assert selected == topic.intent


def test_greeting_faq_and_out_of_scope(
    turns: dict[str, Any], knowledge: KnowledgeBase
) -> None:
    clinic = knowledge.clinic
    [hello] = texts(turns["greeting"][0])
    assert hello.startswith(greeting(clinic))
    [answer] = texts(turns["faq"][0])
    assert answer.startswith(knowledge.topic(SAFETY).answer)
    assert texts(turns["out_of_scope"][0]) == [no_information(clinic)]


def test_the_full_form_stores_the_handoff(
    turns: dict[str, Any], knowledge: KnowledgeBase, store: Store
) -> None:
    clinic = knowledge.clinic
    replies = [texts(turn) for turn in turns["form"]]
    asked = [FORM_QUESTIONS.get(s) or consent_question(clinic) for s in FORM_SLOTS]
    assert replies[:-1] == [[question] for question in asked]
    assert replies[-1][0].startswith("Thank you, Grace Hopper.")
    [handoff] = [h for h in store.handoffs() if h.sender_id == "form"]
    assert (handoff.name, handoff.phone, handoff.email) == (
        "Grace Hopper",
        "+15135550163",
        None,
    )
    assert (handoff.preferred_time, handoff.condition) == (
        "weekday mornings",
        "fibromyalgia",
    )
    assert handoff.consent and not handoff.crisis


def test_cancel_ends_the_form_and_keeps_nothing(
    turns: dict[str, Any], store: Store
) -> None:
    assert texts(turns["cancel"][-1]) == [CANCELLED]
    assert [h for h in store.handoffs() if h.sender_id == "cancel"] == []


def test_crisis_pauses_the_form_and_a_request_resumes_it(
    turns: dict[str, Any],
) -> None:
    _, _, crisis, resumed, phone = turns["crisis"]
    assert texts(crisis) == [CRISIS_TEXT]
    assert crisis[-1]["custom"]["crisis"] is True
    assert [b["payload"] for b in crisis[-1]["buttons"]] == [CONTINUE]
    # The name given before the crisis is kept, and the form asks what it had
    # asked, instead of taking the request for an answer.
    assert texts(resumed) == [FORM_QUESTIONS["phone"]]
    assert texts(phone) == [FORM_QUESTIONS["email"]]
    # The button does the same.
    assert texts(turns["crisis_button"][-1]) == [FORM_QUESTIONS["phone"]]


def test_an_faq_inside_the_form_is_answered_then_the_question_asked_again(
    turns: dict[str, Any], knowledge: KnowledgeBase
) -> None:
    answer, question = texts(turns["faq_in_form"][2])
    assert answer.startswith(knowledge.topic(SAFETY).answer)
    assert question == FORM_QUESTIONS["phone"]
    assert texts(turns["faq_in_form"][3]) == [FORM_QUESTIONS["email"]]


def test_answers_rasa_could_misread_stay_answers(
    turns: dict[str, Any], knowledge: KnowledgeBase, store: Store
) -> None:
    clinic = knowledge.clinic
    replies = [texts(turn) for turn in turns["answers"][3:]]
    assert replies == [
        [FORM_QUESTIONS["preferred_time"]],  # "no" skips the email, cancels nothing
        [FORM_QUESTIONS["condition"]],  # "i'd rather not say" is no crisis
        [no_information(clinic), FORM_QUESTIONS["condition"]],  # not the condition
        [consent_question(clinic)],
        [CONSENT_REFUSED],
    ]
    assert [h for h in store.handoffs() if h.sender_id == "answers"] == []
