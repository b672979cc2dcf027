"""The crisis bank: labelled examples the crisis model learns from.

It lives in `knowledge/crisis/` as YAML, reviewed like the FAQ: one file per
crisis kind (`suicide.yml`, `self_harm.yml`, ...), `near_miss.yml` for messages
that sound alarming but are not an emergency now (each says what it resembles
and why it is not one), and `ordinary.yml` for everyday messages.

`visitors/` holds visitor messages of the retired blind sets, in the labelled
format of `faqbot eval` (`crisis.yml` and `near_miss.yml` per set). Each set was
written by someone who saw neither the code nor the bank, and was scored once
before anything learned from it; since then its messages teach the model too:
they are the nearest thing to real visitors the project has. The model is
trained from all of it with `faqbot train-crisis`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import get_args

import yaml

from bot.knowledge import default_directory
from bot.understanding.crisis_rules import CrisisKind
from bot.understanding.normalize import Normalizer

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

BANK_DIRECTORY = "crisis"
KINDS: tuple[CrisisKind, ...] = get_args(CrisisKind)
NEAR_MISS = "near_miss"
ORDINARY = "ordinary"
VISITORS = "visitors"
# A visitor set's files here, and whether each holds crises (else near-misses).
# (Its ordinary messages are the intent model's, in knowledge/visitors/.)
VISITOR_FILES = (("crisis.yml", True), ("near_miss.yml", False))
# The model's classes: no crisis first, then one per kind.
SAFE = "safe"
CLASSES: tuple[str, ...] = (SAFE, *KINDS)


class BankError(ValueError):
    """The bank is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class BankExample:
    """One labelled message. `label` is a crisis kind, NEAR_MISS or ORDINARY."""

    text: str
    label: str
    language: str | None = "en"  # None: not recorded (the visitor sets)
    resembles: str | None = None

    @property
    def model_class(self) -> str:
        """The class the model learns for it: its kind, or SAFE."""
        return self.label if self.label in KINDS else SAFE


def bank_directory(knowledge: Path | Traversable) -> Path | Traversable:
    return knowledge.joinpath(BANK_DIRECTORY)


def crisis_vocabulary(
    normalizer: Normalizer, directory: Path | Traversable | None = None
) -> set[str]:
    """Every normalized word of the crisis examples (the shipped bank by default)."""
    root = directory or bank_directory(default_directory())
    words: set[str] = set()
    for kind in KINDS:
        path = root.joinpath(f"{kind}.yml")
        if not path.is_file():
            continue
        for example in _read_file(path, kind):
            words.update(normalizer.tokens(example.text))
    return words


def load_bank(directory: Path | Traversable) -> list[BankExample]:
    """Every example of the bank in `directory`, in file order, then the visitor
    sets' in the order of their names."""
    examples: list[BankExample] = []
    for label in (*KINDS, NEAR_MISS, ORDINARY):
        examples += _read_file(directory.joinpath(f"{label}.yml"), label)
    return examples + load_visitor_sets(directory)


def load_visitor_sets(directory: Path | Traversable) -> list[BankExample]:
    """The messages of `directory`/visitors/*/: each set's crises, then its
    near-misses."""
    root = directory.joinpath(VISITORS)
    if not root.is_dir():
        return []
    examples: list[BankExample] = []
    for folder in sorted(root.iterdir(), key=lambda f: f.name):
        if not folder.is_dir():
            continue
        for file, crises in VISITOR_FILES:
            name = f"{BANK_DIRECTORY}/{VISITORS}/{folder.name}/{file}"
            examples += _read_visitor_file(folder.joinpath(file), name, crises)
    return examples


def bank_digest(texts: Iterable[str], model: str) -> str:
    """Names a trained model's inputs: the texts read and the sentence model."""
    digest = hashlib.sha256(model.encode())
    for text in texts:
        digest.update(b"\0" + text.encode())
    return digest.hexdigest()[:24]


def _read_yaml(path: Path | Traversable, name: str) -> object:
    """The YAML at `path`; BankError naming the file when missing or malformed."""
    try:
        # The C loader when there is one: the bank is read at every start-up.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError as e:
        raise BankError(f"{name}: missing") from e
    except yaml.YAMLError as e:
        raise BankError(f"{name}: not valid YAML: {e}") from e


def _read_file(path: Path | Traversable, label: str) -> list[BankExample]:
    name = f"{BANK_DIRECTORY}/{label}.yml"
    data = _read_yaml(path, name)
    entries = data.get("examples") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise BankError(f"{name}: needs a non-empty `examples` list")
    return [
        _example(entry, label, f"{name} entry {n}")
        for n, entry in enumerate(entries, 1)
    ]


def _read_visitor_file(
    path: Path | Traversable, name: str, crises: bool
) -> list[BankExample]:
    """A visitor set's file: a list of {text, expect, kind, note}.

    In a file of `crises` every message expects `crisis`, its kind a crisis
    kind; in one of near-misses none does, its kind what it resembles.
    """
    data = _read_yaml(path, name)
    if not isinstance(data, list) or not data:
        raise BankError(f"{name}: needs a non-empty list of labelled messages")
    examples = []
    for n, entry in enumerate(data, 1):
        where = f"{name} entry {n}"
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise BankError(f"{where}: needs a `text` string")
        text, kind = entry["text"].strip(), entry.get("kind")
        expect = entry.get("expect")
        if not text or not isinstance(expect, list):
            raise BankError(f"{where}: needs a text and an `expect` list")
        crisis = "crisis" in expect
        if crises and not crisis:
            raise BankError(f"{where}: expects `crisis`")
        if not crises and crisis:
            raise BankError(f"{where}: a near-miss must not expect `crisis`")
        if crisis and kind not in KINDS:
            raise BankError(f"{where}: a crisis needs a crisis `kind`")
        if not crisis and not isinstance(kind, str):
            raise BankError(f"{where}: a near-miss needs the `kind` it resembles")
        if crisis:
            examples.append(BankExample(text, kind, None))
        else:
            examples.append(BankExample(text, NEAR_MISS, None, kind))
    return examples


def _example(entry: object, label: str, where: str) -> BankExample:
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
        raise BankError(f"{where}: needs a `text` string")
    text = entry["text"].strip()
    if not text:
        raise BankError(f"{where}: empty text")
    language = entry.get("language", "en")
    if language not in ("en", "es"):
        raise BankError(f"{where}: language must be en or es")
    resembles = entry.get("resembles")
    if label == NEAR_MISS and (not resembles or not entry.get("why")):
        raise BankError(f"{where}: a near-miss says what it `resembles` and `why`")
    return BankExample(text=text, label=label, language=language, resembles=resembles)

