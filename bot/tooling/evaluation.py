"""Scores the parser on a labelled file: what `rasa test nlu` reports, readable.

A labelled item is `{"text": ..., "expect": [intent, ...], "kind": ...}`; a
prediction is correct when it is any one of the expected intents. `kind` is
optional: on a crisis item (one expecting `crisis`) it names the crisis kind,
and on any other item it makes the item a near-miss of that kind (or of an
`idiom`, say). Crisis recall and false alarms are also reported per kind (see
`crisis_scores`). A folder is read as all its .yml and .yaml files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import EvaluationFileError
from bot.tooling.crisis_scores import (
    KindScores,
    by_kind,
    is_crisis_item,
    is_near_miss,
    render_by_kind,
)
from bot.understanding.parser import CRISIS, NLU_FALLBACK

LABELLED_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    expect: tuple[str, ...]
    note: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Prediction:
    text: str
    expect: tuple[str, ...]
    predicted: str
    confidence: float
    kind: str | None = None
    # "clear" (the crisis reply), "possible" (a safety line first) or None.
    crisis_level: str | None = None

    @property
    def correct(self) -> bool:
        return self.predicted in self.expect

    @property
    def gold(self) -> str:
        """The label a correct prediction matched, else the first expected one."""
        return self.predicted if self.correct else self.expect[0]


@dataclass(frozen=True)
class IntentScores:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    total: int
    accuracy: float
    per_intent: tuple[IntentScores, ...]
    confused_pairs: tuple[tuple[str, str, int], ...]
    errors: tuple[Prediction, ...]
    crisis_recall: float
    crisis_false_alarms: int
    fallback_precision: float
    fallback_recall: float
    # Items that are neither crisis messages nor near-misses.
    ordinary: int = 0
    ordinary_accuracy: float = 1.0
    crisis_by_kind: tuple[KindScores, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form of the report."""
        data = asdict(self)
        data["errors"] = [{**asdict(p), "correct": p.correct} for p in self.errors]
        data["confused_pairs"] = [
            {"expected": a, "predicted": b, "count": n}
            for a, b, n in self.confused_pairs
        ]
        return data


def load_labelled(path: Path) -> list[LabelledMessage]:
    """Read a labelled file in the format of the dev set, or a folder of them."""
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix in LABELLED_SUFFIXES
        )
        if not files:
            raise EvaluationFileError(f"{path}: no .yml or .yaml files in the folder")
        return [item for file in files for item in _load_file(file)]
    return _load_file(path)


def _load_file(path: Path) -> list[LabelledMessage]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise EvaluationFileError(f"{path}: cannot read: {e}") from e
    if not isinstance(data, list):
        raise EvaluationFileError(f"{path}: expected a list of labelled messages")
    items: list[LabelledMessage] = []
    for number, raw in enumerate(data, start=1):
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("text"), str)
            or not isinstance(raw.get("expect"), list)
            or not raw["expect"]
        ):
            raise EvaluationFileError(f"{path}: item {number}: needs text and expect")
        kind = raw.get("kind")
        if kind is not None and (not isinstance(kind, str) or not kind.strip()):
            raise EvaluationFileError(f"{path}: item {number}: kind must be a word")
        items.append(
            LabelledMessage(
                raw["text"], tuple(raw["expect"]), raw.get("note"), kind=kind
            )
        )
    return items


def evaluate(
    items: Iterable[LabelledMessage], parse: Callable[[str], Mapping[str, Any]]
) -> Report:
    """Parse every item and score the predictions."""
    predictions = []
    for item in items:
        result = parse(item.text)
        intent = result["intent"]
        predictions.append(
            Prediction(
                item.text,
                item.expect,
                intent["name"],
                intent["confidence"],
                kind=item.kind,
                crisis_level=_crisis_level(result),
            )
        )
    return score(predictions)


def _crisis_level(result: Mapping[str, Any]) -> str | None:
    """Which crisis tier the parse puts the message in, if any."""
    if result["intent"]["name"] == CRISIS:
        return "clear"
    block = result.get("crisis")
    if isinstance(block, Mapping) and block.get("level") == "possible":
        return "possible"
    return None


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def score(predictions: Sequence[Prediction]) -> Report:
    """Compute the report's figures from predictions."""
    total = len(predictions)
    correct = sum(p.correct for p in predictions)
    intents = sorted({p.gold for p in predictions} | {p.predicted for p in predictions})
    per_intent = []
    for intent in intents:
        tp = sum(p.correct and p.predicted == intent for p in predictions)
        predicted = sum(p.predicted == intent for p in predictions)
        support = sum(p.gold == intent for p in predictions)
        precision, recall = _ratio(tp, predicted), _ratio(tp, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0
        per_intent.append(IntentScores(intent, precision, recall, f1, support))
    confusions = Counter((p.gold, p.predicted) for p in predictions if not p.correct)
    crisis = [p for p in predictions if CRISIS in p.expect]
    ordinary = [
        p for p in predictions if not is_crisis_item(p) and not is_near_miss(p)
    ]
    fallback_predicted = [p for p in predictions if p.predicted == NLU_FALLBACK]
    fallback_expected = [p for p in predictions if NLU_FALLBACK in p.expect]
    return Report(
        total=total,
        accuracy=_ratio(correct, total),
        per_intent=tuple(per_intent),
        confused_pairs=tuple((a, b, n) for (a, b), n in confusions.most_common(10)),
        errors=tuple(p for p in predictions if not p.correct),
        crisis_recall=_ratio(sum(p.predicted == CRISIS for p in crisis), len(crisis)),
        crisis_false_alarms=sum(
            p.predicted == CRISIS and CRISIS not in p.expect for p in predictions
        ),
        fallback_precision=_ratio(
            sum(NLU_FALLBACK in p.expect for p in fallback_predicted),
            len(fallback_predicted),
        ),
        fallback_recall=_ratio(
            sum(p.predicted == NLU_FALLBACK for p in fallback_expected),
            len(fallback_expected),
        ),
        ordinary=len(ordinary),
        ordinary_accuracy=_ratio(sum(p.correct for p in ordinary), len(ordinary)),
        crisis_by_kind=by_kind(predictions),
    )


def render(report: Report) -> str:
    """The report as a terminal table."""
    lines = [
        f"messages            {report.total}",
        f"intent accuracy     {report.accuracy:.1%}",
        f"crisis recall       {report.crisis_recall:.1%}"
        f"   false alarms {report.crisis_false_alarms}",
        f"fallback precision  {report.fallback_precision:.1%}"
        f"   recall {report.fallback_recall:.1%}",
    ]
    if report.crisis_by_kind:
        lines += [
            f"ordinary accuracy   {report.ordinary_accuracy:.1%}"
            f"   ({report.ordinary} messages neither crisis nor near-miss)",
            "",
            *render_by_kind(report.crisis_by_kind),
        ]
    lines += ["", f"{'intent':<38} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}"]
    for s in report.per_intent:
        lines.append(
            f"{s.intent:<38} {s.precision:>6.2f} {s.recall:>6.2f} {s.f1:>6.2f}"
            f" {s.support:>4}"
        )
    if report.confused_pairs:
        lines += ["", "most confused (expected -> predicted)"]
        lines += [f"  {n} x {a} -> {b}" for a, b, n in report.confused_pairs]
    if report.errors:
        lines += ["", "errors"]
        for p in report.errors:
            lines.append(
                f"  {p.text!r}\n    expected {'|'.join(p.expect)}"
                f", got {p.predicted} ({p.confidence:.2f})"
                + (" after a safety line" if p.crisis_level == "possible" else "")
            )
    return "\n".join(lines)
