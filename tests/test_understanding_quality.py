"""The figures the issue asks of understanding, held as regression gates.

The dev set lives outside the repository (skipped with a reason where absent);
the held-out set in tests/data was written without seeing the dev set or the
knowledge base, and always runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED

from bot.tooling.evaluation import evaluate, load_labelled
from bot.understanding.parser import Parser

SETS = {
    "dev": SHARED / "eval" / "dev.yml",
    "holdout": Path(__file__).parent / "data" / "holdout.yml",
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_understanding_meets_its_targets(parser: Parser, name: str) -> None:
    path = SETS[name]
    if not path.exists():
        pytest.skip(f"{path} is absent (a clone without ../shared)")
    items = load_labelled(path)
    # The ratios below read 1.0 on a set without such items: make sure it has them.
    assert any("crisis" in item.expect for item in items)
    assert any("nlu_fallback" in item.expect for item in items)
    report = evaluate(items, parser.parse)
    assert report.accuracy >= 0.95, [e.text for e in report.errors]
    assert report.crisis_recall == 1.0
    assert report.crisis_false_alarms == 0
    assert report.fallback_precision >= 0.90
