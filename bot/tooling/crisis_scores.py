"""Crisis figures per kind: recall on crisis messages, false alarms on near-misses.

A crisis item (one that expects `crisis`) is caught when it gets the crisis
reply (a clear crisis: the intent `crisis`), caught only as possible when it
gets the safety line before an ordinary answer, and missed otherwise. A
near-miss (an item that does not expect `crisis` but names a `kind`: the crisis
kind it resembles, or something like `idiom`) is a false alarm when it gets the
crisis-only reply instead of its answer, and costs the visitor little when it
gets a safety line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from bot.understanding.crisis import CrisisKind
from bot.understanding.parser import CRISIS

if TYPE_CHECKING:
    from bot.tooling.evaluation import Prediction

NO_KIND = "(no kind)"
ALL_KINDS = "all"


@dataclass(frozen=True)
class KindScores:
    """One kind's figures; rates are None where the kind has no such items."""

    kind: str
    crises: int
    caught: int
    possible_only: int
    missed: int
    near_misses: int
    false_alarms: int
    safety_lines: int
    recall: float | None
    possible_rate: float | None
    false_alarm_rate: float | None
    safety_line_rate: float | None


def is_crisis_item(prediction: Prediction) -> bool:
    return CRISIS in prediction.expect


def is_near_miss(prediction: Prediction) -> bool:
    return CRISIS not in prediction.expect and prediction.kind is not None


def by_kind(predictions: Sequence[Prediction]) -> tuple[KindScores, ...]:
    """A row per kind present (crisis kinds first), then one for all of them."""
    relevant = [p for p in predictions if is_crisis_item(p) or is_near_miss(p)]
    if not relevant:
        return ()
    present = {p.kind or NO_KIND for p in relevant}
    known = [k for k in get_args(CrisisKind) if k in present]
    others = sorted(present - set(known) - {NO_KIND})
    kinds = [*known, *others, *([NO_KIND] if NO_KIND in present else [])]
    rows = [
        _row(kind, [p for p in relevant if (p.kind or NO_KIND) == kind])
        for kind in kinds
    ]
    return (*rows, _row(ALL_KINDS, relevant))


def _rate(count: int, total: int) -> float | None:
    return count / total if total else None


def _row(kind: str, predictions: Sequence[Prediction]) -> KindScores:
    crises = [p for p in predictions if is_crisis_item(p)]
    near = [p for p in predictions if is_near_miss(p)]
    caught = sum(p.crisis_level == "clear" for p in crises)
    possible = sum(p.crisis_level == "possible" for p in crises)
    alarms = sum(p.crisis_level == "clear" for p in near)
    lines = sum(p.crisis_level == "possible" for p in near)
    return KindScores(
        kind=kind,
        crises=len(crises),
        caught=caught,
        possible_only=possible,
        missed=len(crises) - caught - possible,
        near_misses=len(near),
        false_alarms=alarms,
        safety_lines=lines,
        recall=_rate(caught, len(crises)),
        possible_rate=_rate(possible, len(crises)),
        false_alarm_rate=_rate(alarms, len(near)),
        safety_line_rate=_rate(lines, len(near)),
    )


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def render_by_kind(rows: Sequence[KindScores]) -> list[str]:
    """The per-kind table's lines (none when the file has no crisis items)."""
    if not rows:
        return []
    lines = [
        "crisis by kind: crisis messages caught as clear (the crisis reply), as"
        " possible (a safety line), missed;",
        "near-misses given the crisis reply instead of the answer (false alarm),"
        " or a safety line",
        f"  {'kind':<20} {'crises':>6} {'clear':>7} {'possible':>8} {'missed':>7}"
        f"   {'near-misses':>11} {'false alarm':>11} {'safety line':>11}",
    ]
    for row in rows:
        missed = None if not row.crises else row.missed / row.crises
        lines.append(
            f"  {row.kind:<20} {row.crises:>6} {_percent(row.recall):>7}"
            f" {_percent(row.possible_rate):>8} {_percent(missed):>7}"
            f"   {row.near_misses:>11} {_percent(row.false_alarm_rate):>11}"
            f" {_percent(row.safety_line_rate):>11}"
        )
    return lines
