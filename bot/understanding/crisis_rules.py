"""The crisis detector's rules, read from knowledge/crisis/rules.yml.

The rules are reviewed data, not code: a short list of named regular
expressions per crisis kind, plus the guards that blank harmless phrasings
before the rules run (see the file's header). This module reads and checks
them; `CrisisDetector` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

__all__ = ["CrisisKind", "Rule", "RuleBook", "RuleError", "load_rules"]

CrisisKind = Literal[
    "self_harm", "suicide", "overdose", "medical_emergency", "infusion_reaction"
]
RULES_FILE = "crisis/rules.yml"

_NAME = re.compile(r"[a-z][a-z0-9_]*")
# `{name}` refers to a fragment; quantifiers like {1,3} start with a digit.
_REFERENCE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class RuleError(ValueError):
    """The rules file is malformed; the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    """One named rule or guard: its patterns joined into one, word to word."""

    name: str
    pattern: str
    # A guard's only: what it blanks is a question or a past event about a
    # crisis, worth a safety line before the answer (the possible tier).
    safety_line: bool = False
    # A rule's only: a stated plan ("a plan and the means") is a crisis
    # whatever else the message says; the model cannot make it a possible one.
    certain: bool = False


@dataclass(frozen=True)
class RuleBook:
    """Rules per kind, in the order kinds are tried, and the guards."""

    rules: tuple[tuple[CrisisKind, tuple[Rule, ...]], ...]
    guards: tuple[Rule, ...]
    # Every fragment, expanded: the detector reads some on their own
    # (`laughter`, `infusion_context`).
    fragments: Mapping[str, str] = field(default_factory=dict)

    def names(self) -> list[str]:
        """Every rule's and guard's name, rules first."""
        return [r.name for _, rules in self.rules for r in rules] + [
            g.name for g in self.guards
        ]


def load_rules(path: Path | Traversable | None = None) -> RuleBook:
    """The rules in `path` (default: the shipped knowledge/crisis/rules.yml)."""
    source = path or files("knowledge").joinpath(RULES_FILE)
    label = str(source)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RuleError(f"{label}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or set(data) != {"fragments", "rules", "guards"}:
        raise RuleError(f"{label}: expected the keys fragments, rules and guards")
    fragments = _fragments(label, data["fragments"])
    seen: set[str] = set()
    rules_by_kind = data["rules"]
    if not isinstance(rules_by_kind, dict) or not rules_by_kind:
        raise RuleError(f"{label}: `rules` must map crisis kinds to lists of rules")
    kinds = get_args(CrisisKind)
    rules: list[tuple[CrisisKind, tuple[Rule, ...]]] = []
    for kind, entries in rules_by_kind.items():
        if kind not in kinds:
            raise RuleError(f"{label}: unknown crisis kind {kind!r}")
        rules.append((kind, _rules(label, entries, fragments, seen)))
    guards = _rules(label, data["guards"], fragments, seen)
    return RuleBook(tuple(rules), guards, fragments)


def _fragments(label: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise RuleError(f"{label}: `fragments` must map names to patterns")
    fragments: dict[str, str] = {}
    for name, value in raw.items():
        where = f"{label}: fragment {name!r}"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise RuleError(f"{where}: names are lowercase words joined by _")
        alternatives = value if isinstance(value, list) else [value]
        if not alternatives or not all(
            isinstance(a, str) and a.strip() for a in alternatives
        ):
            raise RuleError(f"{where}: a pattern or a list of patterns")
        pattern = "(?:" + "|".join(alternatives) + ")"
        if _REFERENCE.search(pattern):
            raise RuleError(f"{where}: fragments cannot refer to fragments")
        _compile(where, pattern)
        fragments[name] = pattern
    return fragments


def _rules(
    label: str, raw: Any, fragments: Mapping[str, str], seen: set[str]
) -> tuple[Rule, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{label}: expected a list of rules, each a name and patterns")
    rules = []
    for entry in raw:
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"{label}: rule {name!r}"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise RuleError(f"{where}: a rule needs a name of lowercase words and _")
        if name in seen:
            raise RuleError(f"{where}: the name is used twice")
        seen.add(name)
        patterns = entry.get("patterns")
        safety_line = entry.get("safety_line", False)
        certain = entry.get("certain", False)
        flags = {"safety_line", "certain"}
        if set(entry) - flags != {"name", "patterns"} or not isinstance(
            patterns, list
        ):
            raise RuleError(f"{where}: expected exactly `name` and a list `patterns`")
        if not isinstance(safety_line, bool) or not isinstance(certain, bool):
            raise RuleError(f"{where}: `safety_line` and `certain` are true or false")
        if not patterns or not all(isinstance(p, str) and p for p in patterns):
            raise RuleError(f"{where}: every pattern must be a non-empty string")
        expanded = [_expand(where, p, fragments) for p in patterns]
        rules.append(
            Rule(name, _word_to_word(where, expanded), safety_line, certain)
        )
    return tuple(rules)


def _expand(where: str, pattern: str, fragments: Mapping[str, str]) -> str:
    def fragment(match: re.Match[str]) -> str:
        if match.group(1) not in fragments:
            raise RuleError(f"{where}: unknown fragment {{{match.group(1)}}}")
        return fragments[match.group(1)]

    if pattern != pattern.strip() or "  " in pattern:
        raise RuleError(f"{where}: {pattern!r}: words are split by single spaces")
    return _REFERENCE.sub(fragment, pattern)


def _word_to_word(where: str, patterns: list[str]) -> str:
    """One pattern matching any of `patterns` from a word's start to a word's end.

    The detector's pre-check only tries word starts: the joined pattern begins
    with a word boundary followed by a word character, and no pattern may match
    an empty string.
    """
    for pattern in patterns:
        if _compile(where, pattern).match("") is not None:
            raise RuleError(f"{where}: {pattern!r} must start at a word")
    combined = r"\b(?=\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b"
    _compile(where, combined)
    return combined


def _compile(where: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        message = f"{where}: {pattern!r} is not a valid pattern: {error}"
        raise RuleError(message) from error
