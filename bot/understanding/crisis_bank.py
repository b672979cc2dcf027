"""The crisis bank: labelled examples the crisis model learns from.

It lives in `knowledge/crisis/` as YAML, reviewed like the FAQ: one file per
crisis kind (`suicide.yml`, `self_harm.yml`, ...), `near_miss.yml` for messages
that sound alarming but are not an emergency now (each says what it resembles
and why it is not one), and `ordinary.yml` for everyday messages. The model is
trained from it with `faqbot train-crisis`.
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
    language: str = "en"
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
    """Every example of the bank in `directory`, in file order."""
    examples: list[BankExample] = []
    for label in (*KINDS, NEAR_MISS, ORDINARY):
        examples += _read_file(directory.joinpath(f"{label}.yml"), label)
    return examples


def bank_digest(texts: Iterable[str], model: str) -> str:
    """Names a trained model's inputs: the texts read and the sentence model."""
    digest = hashlib.sha256(model.encode())
    for text in texts:
        digest.update(b"\0" + text.encode())
    return digest.hexdigest()[:24]


def _read_file(path: Path | Traversable, label: str) -> list[BankExample]:
    name = f"{BANK_DIRECTORY}/{label}.yml"
    try:
        # The C loader when there is one: the bank is read at every start-up.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError as e:
        raise BankError(f"{name}: missing") from e
    except yaml.YAMLError as e:
        raise BankError(f"{name}: not valid YAML: {e}") from e
    entries = data.get("examples") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise BankError(f"{name}: needs a non-empty `examples` list")
    return [
        _example(entry, label, f"{name} entry {n}")
        for n, entry in enumerate(entries, 1)
    ]


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

