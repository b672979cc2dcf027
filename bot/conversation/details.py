"""Spotting contact details and corrections volunteered in free text.

Everything returned here is raw text still to be validated by
`bot.conversation.validators`.
"""

import re
from dataclasses import dataclass
from typing import Literal

import phonenumbers

from bot.conversation.validators import (
    NAME_ABBREVIATIONS,
    Accepted,
    looks_like_name_word,
    validate_name,
)

Slot = Literal["name", "phone", "email", "preferred_time", "condition"]


@dataclass(frozen=True)
class FoundDetails:
    name: str | None = None
    phone: str | None = None  # raw matched text, still to be validated
    email: str | None = None


@dataclass(frozen=True)
class Correction:
    slot: Slot
    text: str  # the new raw value, still to be validated


# Bounds the regex and phone-matcher work on a pasted wall of text.
_MAX_SCAN = 1000

_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@(?:[\w-]+\.)+[\w-]{2,}")
# "my name is" may be followed by any-case words; the looser cues need capitals.
_NAME_CUE = re.compile(
    r"\b(?:(?P<explicit>my\s+name\s+is|my\s+name's|my\s+names)"
    r"|i'm|i\s+am|im|this\s+is)\s+",
    re.IGNORECASE,
)
# Lower-case connectors allowed between capitalised name words ("Maria de la Cruz").
_PARTICLES = frozenset({
    "de", "da", "del", "della", "di", "du", "la", "le", "van", "von", "der", "den",
    "dos", "das", "y", "bin", "ter",
})


def _straighten(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")[:_MAX_SCAN]


def _name_after(rest: str, *, any_case: bool) -> str | None:
    words: list[str] = []
    for token in rest.split()[:6]:
        word = token.rstrip(",;:!?)")
        stop = word != token
        if word.endswith(".") and word[:-1].lower() not in NAME_ABBREVIATIONS:
            word, stop = word[:-1], True
        particle = bool(words) and word in _PARTICLES
        if not particle and not looks_like_name_word(word):
            break
        if not (any_case or particle or word[:1].isupper()):
            break
        words.append(word)
        if stop or len(words) == 4:
            break
    while words and words[-1] in _PARTICLES:
        words.pop()
    candidate = " ".join(words)
    if candidate and isinstance(validate_name(candidate), Accepted):
        return candidate
    return None


def _find_name(text: str) -> str | None:
    for cue in _NAME_CUE.finditer(text):
        name = _name_after(text[cue.end() :], any_case=bool(cue.group("explicit")))
        if name:
            return name
    return None


def _find_phone(text: str, region: str) -> str | None:
    matcher = phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.VALID
    )
    return next((match.raw_string for match in matcher), None)


def find_details(text: str, *, default_region: str = "US") -> FoundDetails:
    """Name (after an explicit cue), phone and email volunteered in any message."""
    text = _straighten(text)
    email_match = _EMAIL.search(text)
    # Blank out addresses so digits inside them are not read as a phone number.
    without_emails = _EMAIL.sub(lambda m: " " * len(m.group()), text)
    return FoundDetails(
        name=_find_name(without_emails),
        phone=_find_phone(without_emails, default_region),
        email=email_match.group() if email_match else None,
    )


_MARKER = re.compile(
    r"^(?:(?:oh|ah|um|uh|no|ok|okay)[\s,.!]+)?"
    r"(?:actually|sorry|wait|oops|whoops|correction|my bad|hang on|hold on|"
    r"i meant|i mean|scratch that|typo|mistake|no)\b[\s,:;.!-]*",
    re.IGNORECASE,
)
_SLOT_WORDS = (
    r"(?P<slot>(?:cell |mobile |tele)?phone(?: number)?|cell(?: number)?|"
    r"mobile(?: number)?|number|e-?mail(?: address)?|name|full name|"
    r"(?:preferred |best )?(?:contact )?time(?: to (?:call|reach|contact)(?: me)?)?|"
    r"availability|(?:pain )?condition|diagnosis|description)"
)
_WRONG = re.compile(
    r"^(?:that(?:'s| is| was) )?(?:the )?wrong " + _SLOT_WORDS + r"\b[\s,:;.!-]*",
    re.IGNORECASE,
)
_SLOT_IS = re.compile(
    r"^(?:(?:my|the) )?(?P<adjective>(?:right|correct|real|new|actual|proper) )?"
    + _SLOT_WORDS
    + r"\s*(?:is|'s|should be|should have been|was supposed to be|=|:|-)\s*"
    r"(?P<actually>actually\s+)?(?P<value>.+)$",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"^(?:please |can you |could you )?(?:change|update|correct|fix|switch) "
    r"(?:my|the) " + _SLOT_WORDS + r" to\s+(?P<value>.+)$",
    re.IGNORECASE,
)
_IT_IS = re.compile(
    r"^(?:it's|it is|its|it should be|should be|the right one is|use|try|"
    r"i meant|i mean)?\s*(?P<value>.+)$",
    re.IGNORECASE,
)
_PHONE_SHAPE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
# "... thanks" should not end up in a value, nor "..., not John" in a name, phone or
# email (in a description "not" may be meaningful).
_POLITE_TAIL = re.compile(r"[\s,;]+(?:thanks|thank you|thx|sorry|please|lol)\W*$", re.I)
_NOT_TAIL = re.compile(r"[\s,;]+(?:not|instead of|rather than)\b.*$", re.IGNORECASE)


def _slot_for(word: str) -> Slot:
    word = word.lower()
    if "mail" in word:
        return "email"
    if word.endswith("name"):
        return "name"
    if "time" in word or word == "availability":
        return "preferred_time"
    if word in {"condition", "pain condition", "diagnosis", "description"}:
        return "condition"
    return "phone"


def _slot_from_value(value: str) -> Slot | None:
    # Only a reply that is nothing but an address or a number: "actually I emailed
    # bob@example.com" is not a correction of the visitor's own email.
    bare = _tidy_value(value, cut_alternatives=True)
    if _EMAIL.fullmatch(bare):
        return "email"
    # Phone-shaped, valid or not: the validator will say what is wrong with it.
    if _PHONE_SHAPE.fullmatch(bare) and sum(ch.isdigit() for ch in bare) >= 7:
        return "phone"
    return None


def _tidy_value(value: str, *, cut_alternatives: bool) -> str:
    value = _POLITE_TAIL.sub("", value)
    if cut_alternatives:
        value = _NOT_TAIL.sub("", value)
    return value.strip().strip("\"'").rstrip(".!").strip()


def find_correction(text: str) -> Correction | None:
    """A correction of an earlier answer ("actually my number is ..."), else None."""
    rest = " ".join(_straighten(text).split())
    corrected = False
    while marker := _MARKER.match(rest):
        rest, corrected = rest[marker.end() :], True
    slot: Slot | None = None
    if wrong := _WRONG.match(rest):
        rest, corrected = rest[wrong.end() :], True
        slot = _slot_for(wrong.group("slot"))
    if change := _CHANGE.match(rest):
        return _correction(_slot_for(change.group("slot")), change.group("value"))
    if said := _SLOT_IS.match(rest):
        if corrected or said.group("actually") or said.group("adjective"):
            return _correction(_slot_for(said.group("slot")), said.group("value"))
        return None
    if not corrected:
        return None
    plain = _IT_IS.match(rest)
    value = plain.group("value") if plain else rest
    slot = slot or _slot_from_value(value)
    return _correction(slot, value) if slot else None


def _correction(slot: Slot, value: str) -> Correction | None:
    value = _tidy_value(value, cut_alternatives=slot in ("name", "phone", "email"))
    return Correction(slot=slot, text=value) if value else None
