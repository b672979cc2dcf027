"""Exports faqbot as a Rasa 3.x project: stock Rasa trains it, faqbot runs the actions.

The domain is the one faqbot's engine hands its actions (`bot.domain`), so a Rasa
deployment and the engine run the same actions against the same slots and form.
The training data comes from the knowledge base, the crisis examples, the
cancel phrases and the short answers the form accepts; the rules follow the
engine's order of decisions. The output is deterministic: exporting twice writes
byte-identical files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.actions.consultation import FORM_NAME
from bot.actions.registry import build_actions
from bot.answers import CANCEL_PHRASES, is_cancel, is_skip, parse_consent
from bot.domain import INTENT_ACTIONS, build_domain
from bot.errors import ConfigurationError, KnowledgeBaseError
from bot.knowledge import FAQ_PREFIX, KnowledgeBase, default_directory
from bot.storage.records import HandoffDetails, TranscriptLine

FORMAT_VERSION = "3.1"
DEFAULT_ACTION_ENDPOINT = "http://localhost:5005/webhook"
ASSISTANT_ID = "faqbot"
CRISIS_EXAMPLES_FILE = "crisis_examples.yml"
FAQ = FAQ_PREFIX.rstrip("/")
CRISIS = "crisis"
CANCEL = "cancel"
FORM_ANSWER = "form_answer"
NLU_FALLBACK = "nlu_fallback"  # Rasa's built-in intent for low-confidence messages
REQUEST_CONSULTATION = "request_consultation"
ANSWER_FAQ = "action_answer_faq"
FALLBACK = "action_fallback"
CRISIS_ACTION = "action_crisis"
SUBMIT = "action_submit_consultation"
CANCEL_ACTION = "action_cancel_consultation"
DEACTIVATE_LOOP = "action_deactivate_loop"  # Rasa's built-in action

_HEADER = "# Written by `faqbot export-rasa`; edit faqbot's knowledge base instead.\n"
# Rasa reads "[text](entity)" and "[text]{...}" inside an example as entity markup.
_ENTITY_MARKUP = re.compile(r"\[[^\]]*\][({\[]")
# People type the apostrophes the phrase keys drop; teach Rasa both spellings.
_APOSTROPHES = {"dont": "don't", "ive": "i've", "lets": "let's"}
_CANCEL_VERBS = frozenset({"cancel", "stop", "quit", "exit", "abort", "forget", "nvm"})
_CANCEL_HEADS = ("actually", "ok", "no", "oh")
_CANCEL_TAILS = ("please", "now", "thanks")
# Short answers to the form's questions. Without an intent of their own, Rasa's
# classifier files them under the nearest one: "no" under cancel, "i'd rather not
# say" under crisis, and an ordinary answer would end the form.
_FORM_ANSWERS = (
    "yes", "yes please", "yep", "yeah", "sure", "ok", "of course", "absolutely",
    "that's fine", "i agree", "go ahead", "no", "nope", "nah", "no thanks",
    "no thank you", "i don't agree", "no you may not", "not really", "skip", "skip it",
    "skip that", "pass", "none", "n/a", "nothing", "no email", "i don't have an email",
    "i don't have one", "i'd rather not say", "rather not say", "prefer not to say",
    "i'd prefer not to say", "i'd rather not", "no comment", "next",
)


class _NoHandoffs:
    """The store the exported actions are built with: the export never runs them."""

    def save_handoff(
        self,
        details: HandoffDetails,
        *,
        channel: str,
        sender_id: str,
        transcript: list[TranscriptLine],
        crisis: bool = False,
    ) -> int:
        raise RuntimeError("the Rasa export builds actions only to list their names")


class _Block(str):
    """Text written as a YAML literal block (`|`), the layout of Rasa's NLU files."""


def _represent_block(dumper: yaml.SafeDumper, text: _Block) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style="|")


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes `_Block` text as literal blocks and never aliases."""

    # A copy, so yaml.SafeDumper itself is left as it was.
    yaml_representers = {**yaml.SafeDumper.yaml_representers, _Block: _represent_block}

    def ignore_aliases(self, data: Any) -> bool:
        # build_domain shares one mappings list between slots; "&id001" would
        # only make the files harder to read.
        return True


def export_rasa_project(
    knowledge: KnowledgeBase,
    directory: Path,
    *,
    action_endpoint: str = DEFAULT_ACTION_ENDPOINT,
) -> list[Path]:
    """Write a Rasa 3.x project for `knowledge` into `directory`; return its files."""
    _check_endpoint(action_endpoint)
    actions = sorted(build_actions(knowledge, _NoHandoffs()))
    examples = training_examples(knowledge, load_crisis_examples())
    files = {
        "domain.yml": _dump(_domain(knowledge, actions)),
        "config.yml": _dump(_config()),
        "endpoints.yml": _dump({"action_endpoint": {"url": action_endpoint}}),
        # `rest:` with no settings is how Rasa enables its REST channel.
        "credentials.yml": _HEADER + "rest:\n",
        "data/nlu.yml": _nlu_text(examples),
        "data/rules.yml": _dump(_rules(knowledge)),
        "README.md": _readme(action_endpoint),
    }
    written = []
    for name, text in files.items():
        path = Path(directory) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def load_crisis_examples(
    directory: Path | Traversable | None = None,
) -> tuple[str, ...]:
    """The `crisis` intent's training examples, from knowledge/crisis_examples.yml."""
    root = directory if directory is not None else default_directory()
    try:
        data = yaml.safe_load(
            root.joinpath(CRISIS_EXAMPLES_FILE).read_text(encoding="utf-8")
        )
    except (OSError, yaml.YAMLError) as e:
        raise KnowledgeBaseError(f"{CRISIS_EXAMPLES_FILE}: cannot read: {e}") from e
    raw = data.get("examples") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
        raise KnowledgeBaseError(
            f"{CRISIS_EXAMPLES_FILE}: 'examples' must be a list of text"
        )
    return tuple(_one_line(CRISIS, e) for e in raw)


def cancel_examples() -> tuple[str, ...]:
    """Training examples for `cancel`: faqbot's cancel phrases and polite variants."""
    variants: list[str] = []
    for index, phrase in enumerate(CANCEL_PHRASES):
        spelled = " ".join(_APOSTROPHES.get(w, w) for w in phrase.split())
        if index % 2 and phrase.split()[0] in _CANCEL_VERBS:
            decorated = f"{spelled} {_CANCEL_TAILS[index % len(_CANCEL_TAILS)]}"
        else:
            decorated = f"{_CANCEL_HEADS[index % len(_CANCEL_HEADS)]} {spelled}"
        variants += [phrase, spelled, decorated]
    # Only what faqbot itself takes as a cancel, so both agree on the intent.
    return tuple(_unique(v for v in variants if is_cancel(v)))


def form_answer_examples() -> tuple[str, ...]:
    """Training examples for `form_answer`: skips and yes/no answers faqbot accepts."""
    return tuple(
        text
        for text in _FORM_ANSWERS
        if not is_cancel(text) and (is_skip(text) or parse_consent(text) is not None)
    )


def training_examples(
    knowledge: KnowledgeBase, crisis: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """Every intent of the NLU data mapped to its examples, in export order."""
    table = {
        name: tuple(_unique(_one_line(name, p) for p in phrases))
        for name, phrases in knowledge.phrasings().items()
    }
    claimed = {_key(e) for examples in table.values() for e in examples}
    extras = (
        (CRISIS, crisis),
        (CANCEL, cancel_examples()),
        (FORM_ANSWER, form_answer_examples()),
    )
    for name, extra in extras:
        # A text under two intents teaches Rasa nothing; the knowledge base wins.
        lines = _unique(_one_line(name, text) for text in extra)
        kept = tuple(e for e in lines if _key(e) not in claimed)
        claimed.update(_key(e) for e in kept)
        table[name] = table.get(name, ()) + kept
    for name, examples in table.items():
        if len(examples) < 2:
            raise KnowledgeBaseError(
                f"intent '{name}': Rasa needs 2 examples or more, not {len(examples)}"
            )
    return table


def _check_endpoint(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"the action endpoint must be an http(s) URL, not {url!r}"
        )


def _one_line(intent: str, text: str) -> str:
    line = " ".join(text.split())
    if not line:
        raise KnowledgeBaseError(f"intent '{intent}': an example is empty")
    if _ENTITY_MARKUP.search(line):
        raise KnowledgeBaseError(
            f"intent '{intent}': Rasa would read entity markup in example {line!r}"
        )
    return line


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _unique(texts: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for text in texts:
        if _key(text) not in seen:
            seen.add(_key(text))
            unique.append(text)
    return unique


def _dump(data: Mapping[str, Any]) -> str:
    text = yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return _HEADER + text


def _nlu_text(examples: Mapping[str, Sequence[str]]) -> str:
    nlu = [
        {"intent": name, "examples": _Block("".join(f"- {e}\n" for e in texts))}
        for name, texts in examples.items()
    ]
    return _dump({"version": FORMAT_VERSION, "nlu": nlu})


def _domain(knowledge: KnowledgeBase, actions: list[str]) -> dict[str, Any]:
    domain = build_domain(knowledge, actions)
    # nlu_fallback is one of Rasa's built-in intents; declaring it is redundant.
    intents = [i for i in domain["intents"] if i != NLU_FALLBACK]
    intents += [i for i in (*knowledge.intents, CANCEL) if i not in intents]
    domain["intents"] = [*intents, FORM_ANSWER]
    domain["responses"] = {
        f"utter_{topic.intent}": [{"text": topic.answer}] for topic in knowledge.topics
    }
    return domain


def _rule(name: str, *steps: dict[str, Any], in_form: bool = False) -> dict[str, Any]:
    rule: dict[str, Any] = {"rule": name}
    if in_form:
        rule["condition"] = [{"active_loop": FORM_NAME}]
    rule["steps"] = list(steps)
    return rule


def _after_crisis() -> list[dict[str, Any]]:
    # action_crisis pauses a form in progress but leaves requested_slot set, and
    # Rasa's form, asked to resume, would take "I'd like a consultation" as the
    # answer to the question pending before the crisis. Rasa's own loop ending
    # clears it. One rule serves in and out of the form (inside, the form rejects
    # a crisis turn): Rasa refuses to train rules that disagree on the loop.
    return [{"action": DEACTIVATE_LOOP}, {"active_loop": None}]


def _rules(knowledge: KnowledgeBase) -> dict[str, Any]:
    # Outside the form an answer answers nothing; the form itself takes answers.
    routes = {FAQ: ANSWER_FAQ, **INTENT_ACTIONS, FORM_ANSWER: FALLBACK}
    # faqbot's engine sends intents it has no action for to the fallback.
    routes.update({
        name: FALLBACK
        for name in knowledge.intents
        if name not in routes and name != REQUEST_CONSULTATION
    })
    rules = [
        _rule(
            f"{intent} -> {action}",
            {"intent": intent},
            {"action": action},
            *(_after_crisis() if action == CRISIS_ACTION else []),
        )
        for intent, action in routes.items()
    ]
    rules += [
        _rule(
            "start the consultation form",
            {"intent": REQUEST_CONSULTATION},
            {"action": FORM_NAME},
            {"active_loop": FORM_NAME},
        ),
        _rule(
            "submit the consultation form",
            {"action": FORM_NAME},
            {"active_loop": None},
            {"slot_was_set": [{"requested_slot": None}]},
            {"action": SUBMIT},
            in_form=True,
        ),
        _rule(
            "answer an FAQ inside the form, then ask the pending question again",
            {"intent": FAQ},
            {"action": ANSWER_FAQ},
            {"action": FORM_NAME},
            {"active_loop": FORM_NAME},
            in_form=True,
        ),
        _rule(
            "cancel the form",
            {"intent": CANCEL},
            {"action": CANCEL_ACTION},
            {"active_loop": None},
            in_form=True,
        ),
    ]
    return {"version": FORMAT_VERSION, "rules": rules}


def _config() -> dict[str, Any]:
    return {
        "recipe": "default.v1",
        "language": "en",
        "assistant_id": ASSISTANT_ID,
        "pipeline": [
            {"name": "WhitespaceTokenizer"},
            {"name": "RegexFeaturizer"},
            {"name": "LexicalSyntacticFeaturizer"},
            {"name": "CountVectorsFeaturizer"},
            {
                "name": "CountVectorsFeaturizer",
                "analyzer": "char_wb",
                "min_ngram": 1,
                "max_ngram": 4,
            },
            {"name": "DIETClassifier", "epochs": 100},
            {"name": "EntitySynonymMapper"},
            {"name": "ResponseSelector", "retrieval_intent": FAQ, "epochs": 100},
            {
                "name": "FallbackClassifier",
                "threshold": 0.4,
                "ambiguity_threshold": 0.1,
            },
        ],
        "policies": [
            {"name": "MemoizationPolicy"},
            {
                "name": "RulePolicy",
                "core_fallback_threshold": 0.3,
                # faqbot's fallback ("did you mean", then a consultation offer)
                # rather than Rasa's default, which needs an utter_default response.
                "core_fallback_action_name": FALLBACK,
                "enable_fallback_prediction": True,
            },
            {"name": "TEDPolicy", "max_history": 5, "epochs": 100},
        ],
    }


def _readme(action_endpoint: str) -> str:
    return f"""# faqbot as a Rasa 3.x project

Written by `faqbot export-rasa`. Do not edit these files: change faqbot's
knowledge base (`knowledge/`) and export again.

Rasa understands the messages and picks the next action; every action runs in
faqbot, which serves the Rasa action-server protocol at `{action_endpoint}`.

## Train

With Rasa 3.6 installed (`pip install rasa==3.6.21`, Python 3.8 to 3.10):

    rasa data validate
    rasa train

## Run

1. Start faqbot, the action server: `faqbot serve` (port 5005 by default).
2. Start Rasa on another port, since its default is also 5005:

       rasa run --enable-api --port 5006

3. Talk to it through Rasa's REST channel:

       curl -s localhost:5006/webhooks/rest/webhook \\
         -H 'Content-Type: application/json' \\
         -d '{{"sender": "test", "message": "what is ketamine therapy?"}}'

If faqbot runs elsewhere, export again with
`faqbot export-rasa DIR --action-endpoint URL`.
"""
