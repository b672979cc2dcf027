"""The Rasa export: a project stock Rasa 3.6 trains, wired to faqbot's actions."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.actions.consultation import FORM_NAME, FORM_SLOTS, REQUESTED_SLOT
from bot.conversation.actions.registry import build_actions
from bot.conversation.answers import is_cancel, is_skip, parse_consent
from bot.conversation.domain import build_domain
from bot.conversation.validators import SKIPPED
from bot.errors import ConfigurationError, KnowledgeBaseError
from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.tooling.rasa_export import (
    DEACTIVATE_LOOP,
    DEFAULT_ACTION_ENDPOINT,
    export_rasa_project,
)
from bot.tooling.rasa_training import (
    cancel_examples,
    form_answer_examples,
    load_crisis_examples,
)

ENDPOINT = "http://actions.test:8080/webhook"
INTENTS = (
    "faq",
    "greet",
    "goodbye",
    "thanks",
    "bot_challenge",
    "request_consultation",
    "crisis",
    "out_of_scope",
    "cancel",
    "affirm",
    "deny",
    "forget_me",
    "form_answer",
)
FILES = (
    "domain.yml",
    "config.yml",
    "endpoints.yml",
    "credentials.yml",
    "data/nlu.yml",
    "data/rules.yml",
    "README.md",
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def project(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("rasa")
    export_rasa_project(kb, directory, action_endpoint=ENDPOINT)
    return directory


@pytest.fixture(scope="module")
def served(kb: KnowledgeBase) -> set[str]:
    """The names faqbot's action server answers to."""
    return set(build_actions(kb, store=object()))  # type: ignore[arg-type]


def load(project: Path, name: str) -> Any:
    return yaml.safe_load((project / name).read_text(encoding="utf-8"))


def nlu(project: Path) -> dict[str, list[str]]:
    """Intent -> examples, read the way Rasa reads an `examples: |` block."""
    table: dict[str, list[str]] = {}
    for item in load(project, "data/nlu.yml")["nlu"]:
        lines = item["examples"].splitlines()
        assert all(line.startswith("- ") for line in lines), item["intent"]
        table[item["intent"]] = [line[2:] for line in lines]
    return table


def key(text: str) -> str:
    return " ".join(text.lower().split())


def rules(project: Path) -> list[dict[str, Any]]:
    return load(project, "data/rules.yml")["rules"]


def test_writes_every_file_and_returns_their_paths(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    written = export_rasa_project(kb, tmp_path / "out")
    assert written == [tmp_path / "out" / name for name in FILES]
    for path in written:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".yml":
            assert isinstance(yaml.safe_load(text), dict), path.name


def test_readme_says_how_to_train_and_run(project: Path) -> None:
    readme = (project / "README.md").read_text(encoding="utf-8")
    for needle in ("rasa train", "rasa run --enable-api", "faqbot serve", ENDPOINT):
        assert needle in readme


def test_readme_says_to_give_both_sides_the_same_token(project: Path) -> None:
    readme = " ".join((project / "README.md").read_text(encoding="utf-8").split())
    assert "export FAQBOT_ACTION_TOKEN=" in readme
    assert "same value for both processes" in readme


def test_credentials_enable_the_rest_channel(project: Path) -> None:
    assert load(project, "credentials.yml") == {"rest": None}


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [({"action_endpoint": ENDPOINT}, ENDPOINT), ({}, DEFAULT_ACTION_ENDPOINT)],
)
def test_endpoints_point_at_faqbots_action_server(
    kb: KnowledgeBase, tmp_path: Path, kwargs: dict[str, str], url: str
) -> None:
    export_rasa_project(kb, tmp_path, **kwargs)
    assert load(tmp_path, "endpoints.yml") == {
        "action_endpoint": {"url": url, "token": "${FAQBOT_ACTION_TOKEN}"}
    }


def test_the_token_is_left_for_rasa_to_read_from_the_environment(
    project: Path,
) -> None:
    # Rasa substitutes ${NAME} through an implicit YAML resolver, which sees only
    # plain scalars: a quoted '${FAQBOT_ACTION_TOKEN}' would be sent as it is.
    raw = (project / "endpoints.yml").read_text(encoding="utf-8")
    assert "\n  token: ${FAQBOT_ACTION_TOKEN}\n" in raw


@pytest.mark.parametrize(
    "url", ["localhost:5005/webhook", "ftp://example.com/webhook", "", "http://"]
)
def test_an_endpoint_that_is_not_an_http_url_is_refused(
    kb: KnowledgeBase, tmp_path: Path, url: str
) -> None:
    with pytest.raises(ConfigurationError):
        export_rasa_project(kb, tmp_path, action_endpoint=url)
    assert not any(tmp_path.iterdir())


def test_every_topic_is_a_retrieval_intent_with_its_answer(
    kb: KnowledgeBase, project: Path
) -> None:
    examples = nlu(project)
    responses = load(project, "domain.yml")["responses"]
    for topic in kb.topics:
        assert topic.question in examples[f"faq/{topic.id}"]
        assert len(examples[f"faq/{topic.id}"]) >= 13, topic.id
        assert responses[f"utter_faq/{topic.id}"] == [{"text": topic.answer}]
    assert len(responses) == len(kb.topics)


def test_intents_of_the_nlu_data_and_the_domain_agree(project: Path) -> None:
    examples = nlu(project)
    declared = load(project, "domain.yml")["intents"]
    assert {name.split("/")[0] for name in examples} == set(declared)
    assert declared == list(INTENTS)
    assert all(len(texts) >= 2 for texts in examples.values())


def test_the_other_intents_come_from_the_knowledge_base(
    kb: KnowledgeBase, project: Path
) -> None:
    examples = nlu(project)
    for name, phrases in kb.intents.items():
        # The knowledge base's phrasings first; generated ones may follow.
        assert examples[name][: len(phrases)] == list(phrases)


def test_no_example_is_labelled_with_two_intents(project: Path) -> None:
    owners: dict[str, str] = {}
    for intent, texts in nlu(project).items():
        for text in texts:
            assert owners.setdefault(key(text), intent) == intent, text


def test_examples_are_written_as_literal_blocks(project: Path) -> None:
    raw = (project / "data/nlu.yml").read_text(encoding="utf-8")
    assert raw.count("  examples: |\n") == len(nlu(project))


def test_crisis_examples_are_enough_and_unlike_any_other_intent(
    kb: KnowledgeBase, project: Path
) -> None:
    crisis = load_crisis_examples()
    assert len(crisis) >= 30
    others = {key(p) for phrases in kb.phrasings().values() for p in phrases}
    assert [c for c in crisis if key(c) in others] == []
    assert nlu(project)["crisis"] == list(crisis)


def test_cancel_examples_are_exactly_what_faqbot_cancels_on(
    kb: KnowledgeBase, project: Path
) -> None:
    examples = cancel_examples()
    assert len(examples) >= 2
    assert [e for e in examples if not is_cancel(e)] == []
    exported = nlu(project)["cancel"]
    own = list(kb.intents["cancel"])
    assert exported[: len(own)] == own
    keys = {" ".join(e.lower().split()) for e in exported}
    assert keys >= {" ".join(e.lower().split()) for e in examples}


@pytest.mark.parametrize(
    "answer",
    ["no", "nope", "skip", "i don't have one", "i'd rather not say", "yes"],
)
def test_answers_the_form_accepts_have_an_intent_of_their_own(
    project: Path, answer: str
) -> None:
    # Left without one, stock Rasa 3.6 filed "no" under cancel and "i'd rather
    # not say" under crisis: the form ended on an ordinary answer. A plain yes
    # or no is the knowledge base's affirm or deny, which the form keeps too.
    owners = [name for name, texts in nlu(project).items() if answer in texts]
    assert owners in (["form_answer"], ["affirm"], ["deny"])


def test_form_answer_examples_are_answers_faqbot_accepts(project: Path) -> None:
    examples = form_answer_examples()
    assert len(examples) >= 20
    for text in examples:
        assert not is_cancel(text), text
        assert is_skip(text) or parse_consent(text) is not None, text
    claimed = {
        t
        for name, texts in nlu(project).items()
        if name != "form_answer"
        for t in texts
    }
    assert nlu(project)["form_answer"] == [e for e in examples if e not in claimed]


def test_slots_and_form_are_faqbots_domain(
    kb: KnowledgeBase, project: Path, served: set[str]
) -> None:
    domain = load(project, "domain.yml")
    faqbot = build_domain(kb, sorted(served))
    assert domain["slots"] == faqbot["slots"]
    assert domain["forms"] == {FORM_NAME: {"required_slots": list(FORM_SLOTS)}}
    assert domain["session_config"] == faqbot["session_config"]
    assert domain["version"] == "3.1"


def test_domain_lists_every_action_faqbot_serves(
    project: Path, served: set[str]
) -> None:
    assert load(project, "domain.yml")["actions"] == sorted(served)


def test_every_action_of_the_rules_is_served_by_faqbot(
    project: Path, served: set[str]
) -> None:
    domain = load(project, "domain.yml")
    steps = [step for rule in rules(project) for step in rule["steps"]]
    named = {step["action"] for step in steps if "action" in step}
    assert named
    for action in named - {FORM_NAME, DEACTIVATE_LOOP}:
        assert action in domain["actions"] and action in served, action
    assert FORM_NAME in domain["forms"]


@pytest.mark.parametrize(
    ("intent", "action"),
    [
        ("greet", "action_greet"),
        ("goodbye", "action_goodbye"),
        ("thanks", "action_thanks"),
        ("bot_challenge", "action_bot_challenge"),
        ("faq", "action_answer_faq"),
        ("out_of_scope", "action_fallback"),
        ("nlu_fallback", "action_fallback"),
        ("form_answer", "action_fallback"),
    ],
)
def test_an_intent_outside_the_form_runs_its_action(
    project: Path, intent: str, action: str
) -> None:
    general = [r["steps"] for r in rules(project) if "condition" not in r]
    matching = [steps for steps in general if steps[0] == {"intent": intent}]
    assert matching == [[{"intent": intent}, {"action": action}]]


def test_one_crisis_rule_ends_any_form_the_way_rasa_ends_loops(
    project: Path,
) -> None:
    # Rasa 3.6 refuses to train when two rules disagree on whether action_crisis
    # ends the loop; and only action_deactivate_loop also clears requested_slot,
    # without which the resumed form took "I'd like a consultation" as the answer
    # to the question pending before the crisis.
    naming = [r for r in rules(project) if {"action": "action_crisis"} in r["steps"]]
    assert [(r.get("condition"), r["steps"]) for r in naming] == [
        (
            None,
            [
                {"intent": "crisis"},
                {"action": "action_crisis"},
                {"action": "action_deactivate_loop"},
                {"active_loop": None},
            ],
        )
    ]


def test_one_cancel_rule_ends_any_form(project: Path) -> None:
    # A general cancel rule beside an in-form one that ends the loop made stock
    # Rasa 3.6 refuse to train ("does not set the 'active_loop'").
    naming = [r for r in rules(project) if {"intent": "cancel"} in r["steps"]]
    assert [(r.get("condition"), r["steps"]) for r in naming] == [
        (
            None,
            [
                {"intent": "cancel"},
                {"action": "action_cancel_consultation"},
                {"active_loop": None},
            ],
        )
    ]


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (
            {"intent": "faq"},
            [
                {"action": "action_answer_faq"},
                {"action": FORM_NAME},
                {"active_loop": FORM_NAME},
            ],
        ),
        (
            {"action": FORM_NAME},
            [
                {"active_loop": None},
                {"slot_was_set": [{REQUESTED_SLOT: None}]},
                {"action": "action_submit_consultation"},
            ],
        ),
    ],
    ids=["faq", "submit"],
)
def test_inside_the_form(
    project: Path, first: dict[str, str], then: list[dict[str, Any]]
) -> None:
    condition = [{"active_loop": FORM_NAME}]
    in_form = [r["steps"] for r in rules(project) if r.get("condition") == condition]
    assert [steps for steps in in_form if steps[0] == first] == [[first, *then]]


def test_request_consultation_activates_the_form(project: Path) -> None:
    steps = [{"action": FORM_NAME}, {"active_loop": FORM_NAME}]
    assert any(
        r["steps"] == [{"intent": "request_consultation"}, *steps]
        for r in rules(project)
    )


def test_config_has_the_pipeline_and_policies(project: Path) -> None:
    config = load(project, "config.yml")
    assert (config["recipe"], config["language"]) == ("default.v1", "en")
    assert config["assistant_id"]
    pipeline = {c["name"]: c for c in config["pipeline"]}
    assert pipeline["ResponseSelector"]["retrieval_intent"] == "faq"
    assert pipeline["FallbackClassifier"]["threshold"] == 0.4
    assert pipeline["FallbackClassifier"]["ambiguity_threshold"] == 0.1
    assert pipeline["DIETClassifier"]["epochs"] == 100
    assert {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}.items() <= [
        c for c in config["pipeline"] if c["name"] == "CountVectorsFeaturizer"
    ][1].items()
    policies = {p["name"]: p for p in config["policies"]}
    assert list(policies) == ["MemoizationPolicy", "RulePolicy", "TEDPolicy"]
    assert policies["RulePolicy"]["core_fallback_threshold"] == 0.3
    assert policies["RulePolicy"]["enable_fallback_prediction"] is True
    assert policies["TEDPolicy"]["max_history"] == 5


def test_export_is_byte_identical_when_repeated(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    first = export_rasa_project(kb, tmp_path / "a")
    second = export_rasa_project(kb, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_an_extra_knowledge_base_intent_falls_back_like_the_engine(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    extended = replace(
        kb,
        intents=MappingProxyType(
            {**kb.intents, "compliment": ("you are great", "nice bot")}
        ),
    )
    export_rasa_project(extended, tmp_path)
    assert "compliment" in load(tmp_path, "domain.yml")["intents"]
    assert nlu(tmp_path)["compliment"] == ["you are great", "nice bot"]
    steps = [{"intent": "compliment"}, {"action": "action_fallback"}]
    assert [r["steps"] for r in rules(tmp_path) if r["steps"] == steps] == [steps]


@pytest.mark.parametrize(
    "greetings",
    [("hi [there](person)", "hello"), ("hi",), ("hello", "   ")],
    ids=["entity markup", "one example", "blank example"],
)
def test_examples_rasa_would_misread_fail_the_export(
    kb: KnowledgeBase, tmp_path: Path, greetings: tuple[str, ...]
) -> None:
    broken = replace(kb, intents=MappingProxyType({**kb.intents, "greet": greetings}))
    with pytest.raises(KnowledgeBaseError, match="greet"):
        export_rasa_project(broken, tmp_path)


@pytest.mark.parametrize(
    "content",
    [None, "examples: just one string\n", "examples:\n  - 3\n", "- a\n- b\n", ":\n"],
    ids=["missing", "not a list", "not text", "no mapping", "not yaml"],
)
def test_a_broken_crisis_file_names_itself(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "crisis_examples.yml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="crisis_examples.yml"):
        load_crisis_examples(tmp_path)


def validate_in_form(
    kb: KnowledgeBase, text: str, ranking: list[str], requested: str
) -> list[dict[str, Any]]:
    """The slots faqbot's form validation fills from a message Rasa parsed."""
    actions = build_actions(kb, store=object())  # type: ignore[arg-type]
    # Rasa 3.6's layout: the top intent first, nlu_fallback ahead of the rest.
    message = {
        "text": text,
        "intent": {"name": ranking[0], "confidence": 0.9},
        "intent_ranking": [{"name": n, "confidence": 0.9} for n in ranking],
    }
    tracker = Tracker(
        sender_id="visitor",
        slots={REQUESTED_SLOT: requested},
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message}],
        paused=False,
        followup_action=None,
        active_loop={"name": FORM_NAME},
        latest_action_name="action_listen",
    )
    events = asyncio.run(
        actions[f"validate_{FORM_NAME}"].run(
            CollectingDispatcher(), tracker, build_domain(kb, sorted(actions))
        )
    )
    return [e for e in events if e["event"] == "slot" and e["name"] != REQUESTED_SLOT]


@pytest.mark.parametrize(
    ("text", "ranking", "requested"),
    [
        ("i want to kill myself", ["crisis"], "condition"),
        ("cancel", ["cancel"], "name"),
        ("forget it please", ["greet"], "phone"),
        ("is ketamine safe?", ["faq"], "name"),
        ("are you a bot?", ["bot_challenge"], "phone"),
        ("how much does it cost?", ["out_of_scope"], "condition"),
        ("what's the weather like?", ["nlu_fallback", "out_of_scope"], "condition"),
    ],
    ids=[
        "crisis",
        "cancel",
        "cancel phrase",
        "faq",
        "bot challenge",
        "out of scope",
        "out of scope, fell back",
    ],
)
def test_the_form_leaves_interruptions_to_the_rules(
    kb: KnowledgeBase, text: str, ranking: list[str], requested: str
) -> None:
    # Rasa's FormAction rejects, and so lets the rules act, only when the
    # validation action sets no slot other than requested_slot.
    assert validate_in_form(kb, text, ranking, requested) == []


@pytest.mark.parametrize(
    ("text", "ranking", "requested", "value"),
    [
        ("no", ["cancel"], "email", SKIPPED),
        ("no", ["cancel"], "consent", False),
        ("i don't know", ["cancel"], "condition", "i don't know"),
        ("fibromyalgia", ["faq"], "condition", "fibromyalgia"),
        ("i'd rather not say", ["form_answer"], "condition", SKIPPED),
    ],
    ids=["no to email", "no to consent", "unsure", "faq word", "declined"],
)
def test_the_form_keeps_answers_whatever_rasa_calls_them(
    kb: KnowledgeBase, text: str, ranking: list[str], requested: str, value: Any
) -> None:
    # Stock Rasa 3.6 classified "no" and "i don't know" as cancel; faqbot's engine
    # cancels only on its own cancel phrases, and so does the form under Rasa.
    filled = validate_in_form(kb, text, ranking, requested)
    assert [(e["name"], e["value"]) for e in filled] == [(requested, value)]
