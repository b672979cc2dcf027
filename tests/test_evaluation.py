"""Scoring a labelled file: the figures `faqbot eval` prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import EvaluationFileError
from bot.tooling.evaluation import Prediction, load_labelled, render, score


def _p(expect: tuple[str, ...], predicted: str) -> Prediction:
    return Prediction(
        text=f"{expect}->{predicted}",
        expect=expect,
        predicted=predicted,
        confidence=0.5,
    )


PREDICTIONS = [
    _p(("faq/a",), "faq/a"),
    _p(("faq/a",), "faq/b"),
    _p(("faq/b", "faq/a"), "faq/a"),  # ambiguous item: either label counts
    _p(("crisis",), "crisis"),
    _p(("crisis",), "nlu_fallback"),
    _p(("faq/b",), "crisis"),  # a crisis false alarm
    _p(("nlu_fallback",), "nlu_fallback"),
    _p(("greet",), "nlu_fallback"),
]


def test_score_counts_what_the_terminal_report_promises() -> None:
    report = score(PREDICTIONS)
    assert report.total == 8
    assert report.accuracy == pytest.approx(4 / 8)
    assert report.crisis_recall == pytest.approx(1 / 2)
    assert report.crisis_false_alarms == 1
    assert report.fallback_precision == pytest.approx(1 / 3)
    assert report.fallback_recall == pytest.approx(1 / 1)
    by_intent = {s.intent: s for s in report.per_intent}
    assert by_intent["faq/a"].precision == pytest.approx(2 / 2)
    assert by_intent["faq/a"].recall == pytest.approx(2 / 3)
    assert by_intent["faq/a"].support == 3
    assert ("faq/a", "faq/b", 1) in report.confused_pairs
    assert len(report.errors) == 4


def test_render_names_every_error() -> None:
    text = render(score(PREDICTIONS))
    assert "intent accuracy     50.0%" in text
    assert "crisis recall       50.0%" in text
    assert "expected greet, got nlu_fallback" in text


def test_report_as_json_is_plain_data() -> None:
    data = score(PREDICTIONS).to_dict()
    assert data["accuracy"] == 0.5
    assert data["confused_pairs"][0].keys() == {"expected", "predicted", "count"}
    assert all(e["correct"] is False for e in data["errors"])


@pytest.mark.parametrize(
    "content",
    [
        "not: a list",
        "- text: hi\n",
        "- expect: [greet]\n",
        "- text: hi\n  expect: []\n",
        "- [unbalanced\n",
    ],
)
def test_a_malformed_file_is_reported(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(content)
    with pytest.raises(EvaluationFileError, match="bad.yml"):
        load_labelled(path)
