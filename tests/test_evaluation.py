"""Scoring a labelled file: the figures `faqbot eval` prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import EvaluationFileError
from bot.tooling.evaluation import (
    LabelledMessage,
    Prediction,
    evaluate,
    load_labelled,
    render,
    score,
)

CRISIS_EVAL = Path(__file__).parent / "data" / "crisis_eval"


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


# --- crisis figures per kind ------------------------------------------------------


def _c(
    expect: tuple[str, ...], predicted: str, kind: str | None, level: str | None
) -> Prediction:
    return Prediction(
        text=f"{expect}->{predicted}/{level}",
        expect=expect,
        predicted=predicted,
        confidence=0.9,
        kind=kind,
        crisis_level=level,
    )


TIERED = [
    # Crisis messages: caught clear, caught only as possible, missed.
    _c(("crisis",), "crisis", "suicide", "clear"),
    _c(("crisis",), "crisis", "suicide", "clear"),
    _c(("crisis",), "faq/ketamine_safety", "suicide", "possible"),
    _c(("crisis",), "nlu_fallback", "suicide", None),
    _c(("crisis",), "crisis", "overdose", "clear"),
    _c(("crisis",), "greet", None, None),  # a crisis item with no kind
    # Near-misses: the crisis-only reply, a safety line, nothing.
    _c(("faq/ketamine_safety",), "crisis", "suicide", "clear"),
    _c(("faq/ketamine_safety",), "faq/ketamine_safety", "suicide", "possible"),
    _c(("faq/side_effects",), "faq/side_effects", "overdose", None),
    _c(("nlu_fallback",), "crisis", "idiom", "clear"),
    _c(("nlu_fallback",), "nlu_fallback", "idiom", "possible"),
    # Ordinary messages.
    _c(("greet",), "greet", None, None),
    _c(("faq/a",), "faq/b", None, None),
]


def test_crisis_recall_and_false_alarms_are_counted_per_kind() -> None:
    report = score(TIERED)
    rows = {row.kind: row for row in report.crisis_by_kind}
    assert list(rows) == ["suicide", "overdose", "idiom", "(no kind)", "all"]
    suicide = rows["suicide"]
    counts = (suicide.crises, suicide.caught, suicide.possible_only, suicide.missed)
    assert counts == (4, 2, 1, 1)
    assert suicide.recall == pytest.approx(2 / 4)
    assert suicide.possible_rate == pytest.approx(1 / 4)
    near = (suicide.near_misses, suicide.false_alarms, suicide.safety_lines)
    assert near == (2, 1, 1)
    assert suicide.false_alarm_rate == pytest.approx(1 / 2)
    assert suicide.safety_line_rate == pytest.approx(1 / 2)
    overdose = rows["overdose"]
    assert overdose.recall == 1.0 and overdose.false_alarm_rate == 0.0
    idiom = rows["idiom"]
    assert idiom.crises == 0 and idiom.recall is None
    assert idiom.false_alarm_rate == pytest.approx(1 / 2)
    assert rows["(no kind)"].missed == 1
    everything = rows["all"]
    assert (everything.crises, everything.caught, everything.near_misses) == (6, 3, 5)
    assert everything.false_alarm_rate == pytest.approx(2 / 5)
    # The overall figures are kept, and ordinary accuracy leaves both kinds out.
    assert report.crisis_recall == pytest.approx(3 / 6)
    assert report.crisis_false_alarms == 2
    assert report.ordinary == 2
    assert report.ordinary_accuracy == pytest.approx(1 / 2)


def test_the_per_kind_table_is_rendered_and_in_the_json() -> None:
    report = score(TIERED)
    text = render(report)
    assert "ordinary accuracy   50.0%" in text
    [suicide] = [line for line in text.splitlines() if line.startswith("  suicide")]
    assert suicide.split() == [
        *("suicide", "4", "50.0%", "25.0%", "25.0%"),
        *("2", "50.0%", "50.0%"),
    ]
    [idiom] = [line for line in text.splitlines() if line.startswith("  idiom")]
    assert idiom.split() == ["idiom", "0", "-", "-", "-", "2", "50.0%", "50.0%"]
    assert "got faq/ketamine_safety (0.90) after a safety line" in text
    data = json.loads(json.dumps(report.to_dict()))
    rows = {row["kind"]: row for row in data["crisis_by_kind"]}
    assert rows["suicide"]["false_alarm_rate"] == 0.5
    assert rows["idiom"]["recall"] is None


def test_a_file_with_no_crisis_items_has_no_crisis_table() -> None:
    report = score(PREDICTIONS[:3])
    assert report.crisis_by_kind == ()
    assert "crisis by kind" not in render(report)


def test_evaluate_reads_the_tier_from_the_parse() -> None:
    results = {
        "clear": {"intent": {"name": "crisis", "confidence": 1.0}},
        "possible": {
            "intent": {"name": "faq/a", "confidence": 0.7},
            "crisis": {"level": "possible", "kind": "overdose"},
        },
        "none": {"intent": {"name": "faq/a", "confidence": 0.7}},
    }
    items = [
        LabelledMessage(text, ("crisis",), kind="overdose") for text in results
    ]
    report = evaluate(items, lambda text: results[text])
    [overdose, _] = report.crisis_by_kind
    assert (overdose.caught, overdose.possible_only, overdose.missed) == (1, 1, 1)


def test_a_folder_is_read_as_all_its_labelled_files() -> None:
    items = load_labelled(CRISIS_EVAL)
    files = sorted(CRISIS_EVAL.glob("*.yml"))
    assert len(files) == 3
    assert len(items) == sum(len(load_labelled(f)) for f in files)
    kinds = {item.kind for item in items}
    assert {"suicide", "overdose", "idiom", None} <= kinds


def test_an_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not labelled")
    with pytest.raises(EvaluationFileError, match="no .yml or .yaml files"):
        load_labelled(tmp_path)


@pytest.mark.parametrize("kind", ["[suicide]", "''", "3"])
def test_a_kind_that_is_not_a_word_is_reported(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(f"- text: hi\n  expect: [crisis]\n  kind: {kind}\n")
    with pytest.raises(EvaluationFileError, match="item 1: kind"):
        load_labelled(path)
