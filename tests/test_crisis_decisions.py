"""How the crisis detector turns the model's view and the rules into a tier.

A small hand-made model (its biases set the probabilities, its bank vectors
the neighbours) makes each decision visible without the sentence model.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from crisis_signals import write_rules

from bot.understanding.crisis import CrisisDetector, Thresholds
from bot.understanding.crisis_bank import CLASSES, SAFE
from bot.understanding.crisis_model import CrisisModel
from bot.understanding.crisis_rules import RuleBook, RuleError, load_rules
from bot.understanding.networks import network

MESSAGE = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)


def model(
    probabilities: dict[str, float], *, nearest_crisis: float, nearest_safe: float
) -> CrisisModel:
    """A model giving every message `probabilities`, whose bank's nearest crisis
    and safe examples lie at those cosines from MESSAGE."""
    bias = np.array([[math.log(probabilities.get(c, 1e-6)) for c in CLASSES]])
    crisis = [nearest_crisis, math.sqrt(1 - nearest_crisis**2), 0.0]
    safe = [nearest_safe, 0.0, math.sqrt(1 - nearest_safe**2)]
    # No hidden unit ever fires: the output bias alone gives the probabilities.
    return CrisisModel(
        network(
            np.zeros((1, 3, 1)), np.zeros((1, 1)), np.zeros((1, 1, len(CLASSES))), bias
        ),
        np.array([crisis], dtype=np.float32),
        np.array([safe], dtype=np.float32),
        digest="test",
    )


def level(detector: CrisisDetector, text: str = "everything is spinning") -> str | None:
    signal = detector.detect(text, MESSAGE)
    return None if signal is None else signal.level


@pytest.mark.parametrize(
    ("crisis", "safe_nearer_by", "expected"),
    [
        (0.9, 0.02, "clear"),  # sure enough to overlook a slightly nearer near-miss
        (0.9, 0.10, None),  # a near-miss much nearer: not this message's meaning
        (0.3, 0.02, None),  # not sure enough: the crisis example must be nearest
        (0.3, -0.10, "clear"),  # ...by the margin
    ],
)
def test_a_sure_model_overlooks_a_near_miss_only_a_little_nearer(
    crisis: float, safe_nearer_by: float, expected: str | None
) -> None:
    thresholds = Thresholds()
    assert thresholds.sure <= 0.9 and thresholds.clear <= 0.3 < thresholds.sure
    assert -thresholds.sure_margin < 0.10 and thresholds.margin <= 0.10
    detector = CrisisDetector(
        model(
            {SAFE: 1 - crisis, "suicide": crisis},
            nearest_crisis=0.6,
            nearest_safe=0.6 + safe_nearer_by,
        )
    )
    assert level(detector) == expected


def test_a_reaction_after_an_infusion_needs_the_message_to_speak_of_one() -> None:
    detector = CrisisDetector(
        model(
            {SAFE: 0.05, "infusion_reaction": 0.6, "medical_emergency": 0.35},
            nearest_crisis=0.8,
            nearest_safe=0.3,
        )
    )
    alone = detector.detect("everything is spinning and my lips are blue", MESSAGE)
    after = detector.detect("after my infusion everything is spinning", MESSAGE)
    assert alone is not None and alone.kind == "medical_emergency"
    assert after is not None and after.kind == "infusion_reaction"


RULES = """
fragments:
  self: [myself]
rules:
  suicide:
    - name: stated_plan
      certain: true
      patterns: ["a plan and the means"]
    - name: kill_myself
      patterns: ["kill {self}"]
guards:
  - name: idiom
    patterns: [kill time]
"""


def rules_with(tmp_path: Path, fragments: str) -> RuleBook:
    """RULES with `fragments` (the rules file's own lines) for its fragments."""
    return load_rules(
        write_rules(tmp_path, RULES.replace("  self: [myself]\n", fragments))
    )


def sure_model(kind: str) -> CrisisModel:
    """A model sure of `kind`, its nearest bank example a crisis one."""
    return model({SAFE: 0.1, kind: 0.9}, nearest_crisis=0.8, nearest_safe=0.3)


def test_a_certain_rule_stays_clear_when_the_model_finds_the_message_safe(
    tmp_path: Path,
) -> None:
    book = load_rules(write_rules(tmp_path, RULES))
    assert [r.certain for _, rules in book.rules for r in rules] == [True, False]
    safe = model({SAFE: 0.99, "suicide": 0.01}, nearest_crisis=0.3, nearest_safe=0.9)
    detector = CrisisDetector(safe, rules=book)
    assert level(detector, "i have a plan and the means what is ketamine") == "clear"
    # An ordinary rule the model finds safe is a safety line, not the crisis reply.
    assert level(detector, "i wanted to kill myself years ago") == "possible"


def test_a_long_story_is_clear_by_the_model_only_when_it_is_sure() -> None:
    story = " ".join(["my back has hurt for years and nothing works"] * 5)
    t = Thresholds()
    assert len(story.split()) > t.long_words
    assert t.clear <= 0.3 < t.sure
    unsure = model({SAFE: 0.7, "suicide": 0.3}, nearest_crisis=0.8, nearest_safe=0.3)
    assert level(CrisisDetector(unsure), "so done with all of it") == "clear"
    assert level(CrisisDetector(unsure), story) == "possible"
    assert level(CrisisDetector(sure_model("suicide")), story) == "clear"


def test_a_certain_rule_decides_before_an_earlier_ordinary_one(tmp_path: Path) -> None:
    ordinary_first = RULES.replace(
        "  suicide:\n",
        '  self_harm:\n    - name: hurt_myself\n      patterns: ["hurt {self}"]\n'
        "  suicide:\n",
    )
    book = load_rules(write_rules(tmp_path, ordinary_first))
    safe = model({SAFE: 0.99, "suicide": 0.01}, nearest_crisis=0.3, nearest_safe=0.9)
    signal = CrisisDetector(safe, rules=book).detect(
        "i hurt myself and have a plan and the means lol", MESSAGE
    )
    assert signal is not None
    assert (signal.cue, signal.level) == ("stated_plan", "clear")


def test_certain_must_be_true_or_false(tmp_path: Path) -> None:
    path = write_rules(tmp_path, RULES.replace("certain: true", "certain: maybe"))
    with pytest.raises(RuleError, match=re.escape(str(path)) + ".*stated_plan"):
        load_rules(path)


def test_a_joke_marker_makes_the_models_crisis_a_safety_line_not_a_rules() -> None:
    detector = CrisisDetector(sure_model("suicide"))
    assert level(detector, "so done with this paperwork") == "clear"
    assert level(detector, "so done with this paperwork lol") == "possible"
    # A rule's hit is not a matter of reading: "lol" does not soften it.
    assert level(detector, "i am going to kill myself lol") == "clear"


def test_a_rules_hit_joked_about_is_a_safety_line_where_the_model_is_unsure() -> None:
    unsure = model({SAFE: 0.6, "suicide": 0.4}, nearest_crisis=0.6, nearest_safe=0.5)
    detector = CrisisDetector(unsure)
    assert level(detector, "i am going to kill myself") == "clear"
    assert level(detector, "i am going to kill myself lol") == "possible"
    # Earnest or current words take the joke back.
    assert level(detector, "i am going to kill myself lol not jk") == "clear"
    assert level(detector, "i am going to kill myself tonight lol") == "clear"


def test_a_crisis_told_as_over_gets_a_safety_line_unless_the_plan_is_stated(
    tmp_path: Path,
) -> None:
    own = "  self: [myself]\n  resolved: [much better now]\n"
    book = rules_with(tmp_path, own)
    detector = CrisisDetector(sure_model("suicide"), rules=book)
    assert level(detector, "he wanted to kill himself") == "clear"
    assert level(detector, "i wanted to kill myself, much better now") == "possible"
    assert level(detector, "so done with all this, much better now") == "possible"
    # Even beside a word of now: "feel totally fine today".
    assert level(detector, "kill myself tonight, much better now") == "possible"
    assert level(detector, "a plan and the means, much better now") == "clear"


def test_the_joke_markers_are_the_rules_files_own(tmp_path: Path) -> None:
    own = "  self: [myself]\n  laughter: [hehe]\n"
    detector = CrisisDetector(sure_model("suicide"), rules=rules_with(tmp_path, own))
    assert level(detector, "so done with this paperwork hehe") == "possible"
    assert level(detector, "so done with this paperwork lol") == "clear"


def test_a_story_set_in_the_past_gets_a_safety_line_unless_it_speaks_of_now() -> None:
    detector = CrisisDetector(sure_model("self_harm"))
    assert level(detector, "burned my hand on the stove") == "clear"
    assert level(detector, "burned my hand on the stove two years ago") == "possible"
    assert level(detector, "hace un ano me corte cocinando") == "possible"
    # Said of now as well as of then: the model's reading stands.
    assert level(detector, "i cut years ago and tonight i want to again") == "clear"
    # A rule's hit dated in the past but said of now as well stays clear.
    assert level(detector, "years ago i got a rope and tonight i will kill myself") == (
        "clear"
    )


def test_past_and_now_are_the_rules_files_own(tmp_path: Path) -> None:
    own = "  self: [myself]\n  past: [long ago]\n  now: [at present]\n"
    detector = CrisisDetector(sure_model("self_harm"), rules=rules_with(tmp_path, own))
    assert level(detector, "burned my hand long ago") == "possible"
    assert level(detector, "burned my hand long ago and at present") == "clear"
    assert level(detector, "burned my hand two years ago") == "clear"


def test_a_rules_words_dated_in_the_past_get_a_safety_line(tmp_path: Path) -> None:
    own = "  self: [myself]\n  past: [years ago]\n  now: [tonight]\n"
    # The model gives the message weight: an undated rule's hit is clear.
    detector = CrisisDetector(
        model({SAFE: 0.6, "suicide": 0.4}, nearest_crisis=0.6, nearest_safe=0.5),
        rules=rules_with(tmp_path, own),
    )
    assert level(detector, "i tried to kill myself") == "clear"
    assert level(detector, "i tried to kill myself years ago") == "possible"
    assert level(detector, "years ago i tried to kill myself") == "possible"
    # Said of now too, or a plan stated outright: the crisis reply.
    assert level(detector, "years ago i tried to kill myself and tonight") == "clear"
    assert level(detector, "years ago i made a plan and the means") == "clear"
    # A date far from the rule's words dates something else.
    far = (
        "years ago my back broke and since then it hurts every single day of"
        " the week and i will kill myself"
    )
    assert level(detector, far) == "clear"
