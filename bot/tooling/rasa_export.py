"""Exports faqbot as a Rasa 3.x project: stock Rasa trains it, faqbot runs the actions.

The domain is the one faqbot's engine hands its actions
(`bot.conversation.domain`), so a Rasa deployment and the engine run the same
actions against the same slots and form.
The training data comes from the knowledge base, the crisis examples, the
cancel phrases and the short answers the form accepts; the rules follow the
engine's order of decisions. The output is deterministic: exporting twice writes
byte-identical files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.conversation.actions.consultation import FORM_NAME
from bot.conversation.actions.registry import build_actions
from bot.conversation.domain import INTENT_ACTIONS, build_domain
from bot.errors import ConfigurationError
from bot.knowledge import FAQ_PREFIX, KnowledgeBase
from bot.storage.records import HandoffDetails, TranscriptLine
from bot.tooling.rasa_training import (
    CANCEL,
    FORM_ANSWER,
    load_crisis_examples,
    training_examples,
)

FORMAT_VERSION = "3.1"
DEFAULT_ACTION_ENDPOINT = "http://localhost:5005/webhook"
# Rasa replaces ${NAME} in endpoints.yml with the environment variable, and sends
# `token:` as the `token` query parameter faqbot's action server requires.
ACTION_TOKEN_VARIABLE = "FAQBOT_ACTION_TOKEN"
ASSISTANT_ID = "faqbot"
FAQ = FAQ_PREFIX.rstrip("/")
NLU_FALLBACK = "nlu_fallback"  # Rasa's built-in intent for low-confidence messages
REQUEST_CONSULTATION = "request_consultation"
ANSWER_FAQ = "action_answer_faq"
FALLBACK = "action_fallback"
CRISIS_ACTION = "action_crisis"
SUBMIT = "action_submit_consultation"
CANCEL_ACTION = "action_cancel_consultation"
DEACTIVATE_LOOP = "action_deactivate_loop"  # Rasa's built-in action

_HEADER = "# Written by `faqbot export-rasa`; edit faqbot's knowledge base instead.\n"


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
    ) -> int | None:
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
        "endpoints.yml": _dump(
            {
                "action_endpoint": {
                    "url": action_endpoint,
                    "token": f"${{{ACTION_TOKEN_VARIABLE}}}",
                }
            }
        ),
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


def _check_endpoint(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"the action endpoint must be an http(s) URL, not {url!r}"
        )


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
    routes.update(
        {
            name: FALLBACK
            for name in knowledge.intents
            if name not in routes and name != REQUEST_CONSULTATION
        }
    )
    # Cancel, like crisis, has one rule in and out of the form: Rasa refuses to
    # train a general rule and an in-form rule that disagree on the loop.
    after = {CRISIS_ACTION: _after_crisis(), CANCEL_ACTION: [{"active_loop": None}]}
    rules = [
        _rule(
            f"{intent} -> {action}",
            {"intent": intent},
            {"action": action},
            *after.get(action, []),
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

faqbot's action server answers only calls that carry a shared token. Rasa sends
the `token:` of `endpoints.yml`, which it reads from the environment variable
{ACTION_TOKEN_VARIABLE}: give that variable the same value for both processes.
Make one value with

    python3 -c 'import secrets; print(secrets.token_urlsafe(32))'

and set it for both, e.g. `export {ACTION_TOKEN_VARIABLE}=...` in each shell.
Without it faqbot refuses every action call (HTTP 403) and Rasa cannot read
`endpoints.yml`.

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
