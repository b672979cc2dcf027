"""Scores the parser on a labelled file: what `rasa test nlu` reports, readable.

A labelled item is `{"text": ..., "expect": [intent, ...]}`; a prediction is
correct when it is any one of the expected intents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import EvaluationFileError
from bot.understanding.parser import CRISIS, NLU_FALLBACK


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    expect: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class Prediction:
    text: str
    expect: tuple[str, ...]
    predicted: str
    confidence: float

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
    """Read a labelled file in the format of the dev set."""
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
        items.append(
            LabelledMessage(raw["text"], tuple(raw["expect"]), raw.get("note"))
        )
    return items


def evaluate(
    items: Iterable[LabelledMessage], parse: Callable[[str], Mapping[str, Any]]
) -> Report:
    """Parse every item and score the predictions."""
    predictions = []
    for item in items:
        intent = parse(item.text)["intent"]
        predictions.append(
            Prediction(item.text, item.expect, intent["name"], intent["confidence"])
        )
    return score(predictions)


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
        "",
        f"{'intent':<38} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}",
    ]
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
            )
    return "\n".join(lines)
