"""Crisis detection: the safety layer that runs before any FAQ matching.

Anyone who writes about suicide, self-harm, an overdose or a medical emergency
must be given 988 and 911 before anything else. A false alarm costs one
unneeded safety message and a miss can cost a life, so every rule leans
towards recall. A sentence model reads the message's meaning (see
`crisis_model`); a few sure-fire rules, reviewed data in
knowledge/crisis/rules.yml, name phrasings that are a crisis whenever said, so
that each such decision can be traced to a named pattern.

The input is the `Normalizer` form: lowercase ASCII words and single spaces,
with contractions and SMS shorthand expanded ("cant" -> "cannot", "wanna" ->
"want to") and the lexicon's misspellings corrected ("kil" -> "kill"). The
rules allow for no typos themselves: the normalizer and the model do.

Guards blank out known harmless phrasings ("can you overdose on ketamine")
before the rules run. Each guard replaces only its own words, so a crisis
elsewhere in the same message still fires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.understanding.crisis_model import CrisisModel, Prediction
from bot.understanding.crisis_rules import CrisisKind, RuleBook, load_rules

__all__ = ["CrisisDetector", "CrisisKind", "CrisisLevel", "CrisisSignal", "Thresholds"]

# How near a rule's words a `past` phrase must be to date them ("i overdosed
# twice years ago"): about a clause, so a history told in one sentence does not
# date a plan told in the next.
DATED_WORDS = 10

# "clear": the crisis reply only. "possible": one safety line, then the answer.
CrisisLevel = Literal["clear", "possible"]
Language = Literal["en", "es"]


@dataclass(frozen=True)
class CrisisSignal:
    """A detected crisis: its kind, what fired, how sure, and the message's language."""

    kind: CrisisKind
    cue: str
    level: CrisisLevel = "clear"
    language: Language = "en"

    def as_json(self) -> dict[str, str]:
        """The `crisis` block of a parse result."""
        return {
            "level": self.level,
            "kind": self.kind,
            "cue": self.cue,
            "language": self.language,
        }


@dataclass(frozen=True)
class Thresholds:
    """When the model's view of a message makes it a crisis, and of which tier.

    Chosen out of fold: the visitor sets of the bank in four folds, each
    scored by a model trained without it (see the README); recall wins over
    precision.
    """

    # The model alone, on the whole message: clear from this probability when
    # the nearest crisis example of the bank is at least `neighbour` close and
    # nearer than any safe example by `margin`.
    clear: float = 0.15
    # A message over `long_words` words is clear by the model only from `sure`:
    # a pain story told at length lies near the bank's long crisis stories in
    # meaning, and a crisis inside a story is found in its sentences anyway
    # (`part_clear`).
    long_words: int = 40
    neighbour: float = 0.4
    margin: float = 0.05
    # From this probability the whole message is clear even when a safe
    # example is a little nearer than any crisis one (by up to -`sure_margin`):
    # the near-misses are written to sound like crises, so a real crisis is
    # often about as near one of them as to its own kind.
    sure: float = 0.5
    sure_margin: float = -0.06
    # A long message's whole blurs its story, so there the crisis example must
    # be at least as near as any safe one.
    long_margin: float = 0.0
    # A part of a long message (its sentences) must be surer, and nearer a
    # crisis example than any safe one by `part_margin`: a pain story's every
    # sentence is read, and some sound alarming alone.
    part_clear: float = 0.95
    part_margin: float = 0.05
    # ...and the whole message must not be plainly safe: a history told at
    # length ("last spring she took her morphine twice ... full recovery")
    # reads as safe whole, though one sentence alone sounds like a crisis.
    part_floor: float = 0.01
    # A message this close to a crisis example of the bank, and nearer it than
    # any safe one by `twin_margin`, is that crisis whatever the weights say.
    twin: float = 0.85
    twin_margin: float = 0.1
    # Below the clear tier, from this probability: a safety line first.
    possible: float = 0.25
    # A rule's hit is clear unless the model gives it less than `confirm` ("I
    # attempted suicide years ago, is ketamine safe?"); then it is possible. The
    # bank's nearest examples do not overrule a rule: near-misses are written to
    # sound like crises, so one is often nearer than any crisis example even to
    # "i think i might kill myself this weekend".
    confirm: float = 0.05
    # ...or when one of a long message's sentence runs is all but certain ("...
    # some nights i want to end my life." after a long story).
    confirm_part: float = 0.99


class CrisisDetector:
    """Rules and, with the sentence model, a classifier over the message's meaning.

    A rule that fires is a clear crisis unless the model finds the message
    plainly safe ("I attempted suicide years ago, is ketamine safe for me?"),
    which makes it a possible one. The model alone finds what no rule words.
    """

    def __init__(
        self,
        model: CrisisModel | None = None,
        thresholds: Thresholds | None = None,
        rules: RuleBook | None = None,
    ) -> None:
        """`rules` None: the shipped knowledge/crisis/rules.yml."""
        self.model = model
        self.thresholds = thresholds or Thresholds()
        book = rules or load_rules()
        self._non_word = re.compile(r"[^a-z0-9]+")
        self._guards = tuple(re.compile(guard.pattern) for guard in book.guards)
        self._safety_guards = tuple(
            re.compile(guard.pattern) for guard in book.guards if guard.safety_line
        )
        # In the order they are tried: `certain` rules first (a plan said
        # outright decides the message whatever else it also says), then the
        # rest, each group in the file's order.
        listed = [(kind, rule) for kind, rules in book.rules for rule in rules]
        self._rules = tuple(
            (kind, rule.name, re.compile(rule.pattern))
            for kind, rule in sorted(listed, key=lambda entry: not entry[1].certain)
        )
        self._certain = frozenset(
            rule.name for _, rules in book.rules for rule in rules if rule.certain
        )
        self._laughter = _words(book.fragments.get("laughter"))
        self._infusion = _words(book.fragments.get("infusion_context"))
        self._past = _words(book.fragments.get("past"))
        self._now = _words(book.fragments.get("now"))
        self._resolved = _words(book.fragments.get("resolved"))
        # One pass over the text answers "could any rule fire?". Guards only ever
        # blank words out, so a message no rule matches before the guards cannot
        # match after them: most messages stop here, at a fraction of the cost.
        # Every rule begins at a word boundary, and normalized words are split by
        # single spaces, so only word starts need trying.
        self._any_rule = re.compile(
            "(?:^|(?<= ))(?:"
            + "|".join(f"(?:{r.pattern})" for _, rules in book.rules for r in rules)
            + ")"
        )

    def detect(
        self,
        normalized: str,
        vectors: np.ndarray | None = None,
        *,
        language: Language = "en",
    ) -> CrisisSignal | None:
        """The crisis `normalized` text signals, or None.

        `vectors` are the sentence vectors of the message and of its parts (a
        long message's sentences); without them, or without a model, the rules
        decide alone and every hit is clear.
        """
        rule, dated = self._rule_hit(normalized)
        if self.model is None or vectors is None or len(vectors) == 0:
            if rule is None:
                return None
            return CrisisSignal(rule.kind, rule.cue, rule.level, language)
        t = self.thresholds
        # Time: a crisis dated in the past ("years ago") by a message that says
        # nothing of now reads as a memory, not as today's emergency; so does
        # one told as over and done with ("he's much better now"). Words of now
        # include the earnest ones ("not jk", "for real").
        of_now = self._now.search(normalized) is not None
        settled = self._resolved.search(normalized) is not None
        joking = not of_now and self._laughter.search(normalized) is not None
        only_past = settled or (
            not of_now and self._past.search(normalized) is not None
        )

        def said(
            prediction: Prediction, cue: str, level: CrisisLevel, *, twin: bool = False
        ) -> CrisisSignal:
            # A joke marker ("lol", "haha"), or a story set in the past that says
            # nothing of now ("burned my hand two years ago"), leaves the model's
            # reading in doubt: a safety line rather than the crisis reply. A near
            # copy of a crisis example is no joke ("im going to kill myself lol").
            if only_past or (joking and not twin):
                level = "possible"
            kind = self._kind(prediction, normalized)
            return CrisisSignal(kind, cue, level, language)

        predictions = self.model.predict(vectors)
        whole, parts = predictions[0], predictions[1:]
        best = max(predictions, key=lambda p: p.crisis)
        if whole.crisis_within(t.twin) and _closer(whole, t.twin_margin):
            return said(whole, "bank", "clear", twin=True)
        if rule is not None and rule.level == "clear":
            certain = rule.cue in self._certain
            # A rule's words dated in the past ("overdosed twice years ago", "a
            # self-harm phase as a teen") by a message that says nothing of now,
            # told as over, or joked about where the model is not sure of a
            # crisis ("took too many tums lol"): a safety line, unless the plan
            # is stated outright.
            remembered = (
                settled
                or (dated and not of_now)
                or (joking and best.crisis < t.sure)
            )
            # The whole message confirms a rule, not its parts: a history told
            # at length ("when she was 22 she overdosed ... sober four years")
            # has a sentence that sounds like a crisis alone.
            confirmed = whole.crisis >= t.confirm or best.crisis >= t.confirm_part
            sure = certain or (confirmed and not remembered)
            level: CrisisLevel = "clear" if sure else "possible"
            return CrisisSignal(rule.kind, rule.cue, level, language)
        long_story = len(normalized.split()) > t.long_words
        # Probabilities are checked before neighbours, which cost far more.
        if (
            not long_story
            and whole.crisis >= t.clear
            and self._heard(whole, t.margin)
        ):
            return said(whole, "model", "clear")
        sure_margin = t.long_margin if long_story else t.sure_margin
        if whole.crisis >= t.sure and self._heard(whole, sure_margin):
            return said(whole, "model", "clear")
        for part in parts if whole.crisis >= t.part_floor else ():
            if part.crisis >= t.part_clear and self._heard(part, t.part_margin):
                return said(part, "model", "clear")
        if best.crisis >= t.possible and self._heard(best, t.margin):
            return said(best, "model", "possible")
        if rule is not None:
            return CrisisSignal(rule.kind, rule.cue, "possible", language)
        return None

    def _kind(self, prediction: Prediction, normalized: str) -> CrisisKind:
        """The likeliest kind, but a reaction after an infusion only when the
        message speaks of one: the bank's reactions are told in symptoms, and
        the same symptoms alone ("i cant breathe") are an emergency of another kind.
        """
        first, second = prediction.kinds[:2]
        if first == "infusion_reaction" and not self._infusion.search(normalized):
            return second  # type: ignore[return-value]
        return first  # type: ignore[return-value]

    def _heard(self, prediction: Prediction, margin: float) -> bool:
        return prediction.crisis_within(self.thresholds.neighbour) and _closer(
            prediction, margin
        )

    def rule(self, normalized: str) -> CrisisSignal | None:
        """The first rule that fires on `normalized` text, or None.

        A rule that fires only on words a `safety_line` guard blanks ("can you
        overdose on ketamine?") comes back possible: a safety line, never the
        crisis reply.
        """
        return self._rule_hit(normalized)[0]

    def _rule_hit(self, normalized: str) -> tuple[CrisisSignal | None, bool]:
        """`rule`'s answer, and whether the words it fired on are dated in the
        past (a `past` phrase within a few words of them)."""
        # Normalized text passes through unchanged; anything else is made safe
        # to match rather than trusted.
        text = " ".join(self._non_word.split(normalized.lower())).strip()
        if not text or self._any_rule.search(text) is None:
            return None, False
        asked = any(guard.search(text) for guard in self._safety_guards)
        unguarded = self._first_rule(text)[0] if asked else None
        for guard in self._guards:
            text = guard.sub("~", text)
        found, where = self._first_rule(text)
        if found is None and unguarded is not None:
            # A question or a past event about a crisis: a safety line.
            return CrisisSignal(unguarded.kind, unguarded.cue, "possible"), False
        return found, where is not None and self._dated(text, where)

    def _first_rule(self, text: str) -> tuple[CrisisSignal | None, re.Match | None]:
        """The first rule that fires (see `_rules` for the order), and where."""
        for kind, name, pattern in self._rules:
            match = pattern.search(text)
            if match:
                return CrisisSignal(kind=kind, cue=name), match
        return None, None

    def _dated(self, text: str, match: re.Match) -> bool:
        """A `past` phrase within DATED_WORDS words either side of `match`."""
        before = text[: match.start()].split()[-DATED_WORDS:]
        after = text[match.end() :].split()[:DATED_WORDS]
        around = " ".join([*before, match.group(0), *after])
        return bool(self._past.search(around))


def _words(fragment: str | None) -> re.Pattern[str]:
    """A fragment of the rules file as whole words; no fragment matches nothing."""
    return re.compile(rf"\b{fragment}\b" if fragment else r"(?!)")


def _closer(prediction: Prediction, margin: float) -> bool:
    """The nearest crisis example is nearer than any safe one by `margin`."""
    return prediction.nearest_crisis - prediction.nearest_safe >= margin
