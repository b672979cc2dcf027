"""Training examples for a Rasa export: what each intent is taught with.

The knowledge base's phrasings come first and win any clash; the crisis examples,
faqbot's cancel phrases and the short answers its form accepts are added after,
so that a Rasa NLU and faqbot's engine agree on what ends a form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from bot.conversation.answers import CANCEL_PHRASES, is_cancel, is_skip, parse_consent
from bot.errors import KnowledgeBaseError
from bot.knowledge import KnowledgeBase, default_directory
from bot.out_of_scope import OUT_OF_SCOPE, is_out_of_scope

CRISIS_EXAMPLES_FILE = "crisis_examples.yml"
CRISIS = "crisis"
CANCEL = "cancel"
FORM_ANSWER = "form_answer"

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
    "yes",
    "yes please",
    "yep",
    "yeah",
    "sure",
    "ok",
    "of course",
    "absolutely",
    "that's fine",
    "i agree",
    "go ahead",
    "no",
    "nope",
    "nah",
    "no thanks",
    "no thank you",
    "i don't agree",
    "no you may not",
    "not really",
    "skip",
    "skip it",
    "skip that",
    "pass",
    "none",
    "n/a",
    "nothing",
    "no email",
    "i don't have an email",
    "i don't have one",
    "i'd rather not say",
    "rather not say",
    "prefer not to say",
    "i'd prefer not to say",
    "i'd rather not",
    "no comment",
    "next",
)


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
    # Out-of-scope topics are one `out_of_scope` intent to Rasa: its fallback
    # gives the general honest answer (faqbot's own engine names the topic).
    folded: dict[str, list[str]] = {}
    for name, phrases in knowledge.phrasings().items():
        key = OUT_OF_SCOPE if is_out_of_scope(name) else name
        folded.setdefault(key, []).extend(phrases)
    table = {
        name: tuple(_unique(_one_line(name, p) for p in phrases))
        for name, phrases in folded.items()
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
