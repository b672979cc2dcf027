"""Normalization: one spelling for the knowledge base and the visitor."""

from __future__ import annotations

import pytest

from bot.understanding.analyzer import stem
from bot.understanding.normalize import Normalizer, fold_unicode

SPELLING = {
    "ketamin": "ketamine",
    "chronik": "chronic",
    "nausious": "nauseous",
    "anestetic": "anesthetic",
}


@pytest.fixture(scope="module")
def normalize() -> Normalizer:
    return Normalizer(SPELLING)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Is Ketamine SAFE?", "is ketamine safe"),
        ("what\u2019s the \u201cNMDA\u201d thing", "what is the nmda thing"),
        ("Caf\u00e9 na\u00efve r\u00e9sum\u00e9", "cafe naive resume"),
        ("pain 😩😩 so bad!!!", "pain so bad"),
        ("wat r u", "what are you"),
        ("pls help thx", "please help thanks"),
        ("infusions w/ low doses", "infusions with low doses"),
        ("w/o meds", "without medication"),
        ("ketamin for chronik pain", "ketamine for chronic pain"),
        ("feeling nausious", "feeling nauseous"),
        ("an anestetic?", "an anesthetic"),
        ("I don't know", "i do not know"),
        ("I'm worried", "i am worried"),
        ("can't sleep", "cannot sleep"),
        ("  lots   of\tspace\n", "lots of space"),
        ("", ""),
        ("?!...", ""),
        ("appt b4 2moro", "appointment before tomorrow"),
        # Dotted initialisms are one word; a sentence's full stop is not one.
        ("i o.d. on my meds", "i od on my medication"),
        ("I.V. at 9 a.m.", "iv at 9 am"),
        ("it hurts.i think", "it hurts i think"),
    ],
)
def test_normalize(normalize: Normalizer, text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_fold_unicode_keeps_letters_and_straightens_quotes() -> None:
    assert fold_unicode("\u2018Zo\u00eb\u2019") == "'zoe'"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("addiction", "addict"),
        ("addicted", "addict"),
        ("addictive", "addict"),
        ("infusions", "infusion"),
        ("effects", "effect"),
        ("pain", "pain"),
        ("stress", "stress"),
        ("therapies", "therapy"),
        ("is", "is"),
        ("2024", "2024"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected
