"""The figures the issues ask of understanding, held as regression gates.

The dev sets live outside the repository (skipped with a reason where absent).
tests/data/holdout.yml is a regression set, not a held-out one: it holds 17 dev
messages verbatim (see its header). tests/data/long_messages.yml holds stories
with the question at the end. The blind sets (crisis messages, near-misses and
ordinary ones) were written by helpers who saw only the article and the topic
list, and scored once each before anything was tuned on them (the README has
the figures). They live in knowledge/ since: their crises and near-misses in
knowledge/crisis/visitors/ (the crisis model learns from them), their ordinary
messages in knowledge/visitors/ (the intent model does), less the messages that
nearly copy a dev message. A set kept in tests/data/blindN/ would be held out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED

from bot.tooling.evaluation import evaluate, load_labelled
from bot.understanding.parser import Parser

DATA = Path(__file__).parent / "data"
# The blind sets' crises and near-misses: the crisis model learns from them
# since their one blind scoring (see bot/understanding/crisis_bank.py).
VISITORS = Path(__file__).parents[1] / "knowledge" / "crisis" / "visitors"
# Their ordinary messages: the intent model learns from them likewise.
ORDINARY_VISITORS = Path(__file__).parents[1] / "knowledge" / "visitors"
SETS = {
    "dev": SHARED / "eval" / "dev.yml",
    "holdout": DATA / "holdout.yml",
}
# Messages that are not crises, right at least this often (issue 6's target).
ORDINARY_TARGET = 0.93
ORDINARY_SETS = {
    "dev": SHARED / "eval" / "dev.yml",
    "dev2": SHARED / "eval" / "dev2.yml",
    "holdout": DATA / "holdout.yml",
    # The intent model learns from these (see bot/tooling/intent_training.py).
    **{
        name: ORDINARY_VISITORS / name / "ordinary.yml"
        for name in (
            "blind1",
            "blind3",
            "blind5",
            "blind6",
            "blind7",
            "blind8",
            "blind9",
            *(f"blind{n}" for n in range(11, 28)),
        )
    },
    # Held out (see HELD_OUT_GATES below).
    "blind28": DATA / "blind28" / "ordinary.yml",
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


@pytest.mark.parametrize("name", sorted(ORDINARY_SETS))
def test_ordinary_messages_meet_the_target(parser: Parser, name: str) -> None:
    path = ORDINARY_SETS[name]
    if not path.exists():
        pytest.skip(f"{path} is absent (a clone without ../shared)")
    items = [i for i in load_labelled(path) if "crisis" not in i.expect]
    assert len(items) >= 100
    report = evaluate(items, parser.parse)
    assert report.accuracy >= ORDINARY_TARGET, [
        (e.text, e.predicted) for e in report.errors
    ]


def test_a_storys_closing_question_is_found(parser: Parser) -> None:
    items = load_labelled(DATA / "long_messages.yml")
    assert all(len(i.text.split()) > parser.settings.long_message_words for i in items)
    report = evaluate(items, parser.parse)
    assert report.accuracy >= 0.85, [(e.text[-60:], e.predicted) for e in report.errors]


# Crisis figures on the visitor sets (each a blind set, scored once before
# anything learned from it; the README has those first scorings). The crisis
# model learns from them since, so these are no measure of new visitors: they
# guard what the detector reaches on messages it was built from. Issue 6's
# targets are 98 % recall and at most 5 % of near-misses given the crisis reply.
CRISIS_GATES = {
    # set: (crisis messages, near-misses, recall at least, false alarms at most)
    "blind3": (196, 191, 1.0, 0.0),
    "blind5": (181, 170, 1.0, 0.006),
    "blind6": (177, 164, 1.0, 0.013),
    "blind7": (182, 165, 1.0, 0.0),
    "blind8": (178, 165, 1.0, 0.0),
    "blind9": (183, 163, 1.0, 0.0),
    "blind11": (190, 183, 1.0, 0.011),
    "blind12": (194, 187, 1.0, 0.006),
    "blind13": (192, 179, 1.0, 0.017),
    "blind14": (191, 184, 1.0, 0.0),
    "blind15": (191, 188, 0.994, 0.011),
    "blind16": (196, 180, 1.0, 0.023),
    "blind17": (196, 179, 1.0, 0.006),
    "blind18": (192, 182, 1.0, 0.0),
    "blind19": (191, 181, 0.994, 0.017),
    "blind20": (204, 216, 1.0, 0.028),
    "blind21": (223, 217, 0.995, 0.019),
    "blind22": (225, 224, 0.986, 0.032),
    "blind23": (169, 170, 1.0, 0.012),
    "blind24": (170, 170, 1.0, 0.024),
    "blind25": (170, 170, 1.0, 0.03),
    "blind26": (170, 170, 0.994, 0.012),
    "blind27": (170, 170, 1.0, 0.006),
}
# Held out: tests/data/blind28, written blind on 2026-12-08 and scored once on
# the models of main as they are (the README has the figures); nothing learned
# from it or was tuned on it. A later session that lets the models learn from it
# moves it to knowledge/ and writes a fresh set.
HELD_OUT_GATES: dict[str, tuple[int, int, float, float]] = {
    "blind28": (170, 170, 0.982, 0.012),
}


@pytest.mark.parametrize(
    ("name", "folder"),
    [(name, VISITORS) for name in CRISIS_GATES]
    + [(name, DATA) for name in HELD_OUT_GATES],
)
def test_crisis_detection_holds_on_the_blind_sets(
    parser: Parser, name: str, folder: Path
) -> None:
    crises, near_misses, recall, false_alarms = {
        **CRISIS_GATES,
        **HELD_OUT_GATES,
    }[name]
    items = [
        item
        for part in ("crisis", "near_miss")
        for item in load_labelled(folder / name / f"{part}.yml")
    ]
    report = evaluate(items, parser.parse)
    [overall] = [row for row in report.crisis_by_kind if row.kind == "all"]
    assert overall.crises == crises and overall.near_misses == near_misses
    assert overall.recall is not None and overall.recall >= recall
    assert overall.false_alarm_rate is not None
    assert overall.false_alarm_rate <= false_alarms
