"""Consultation-form validators: turn one visitor reply into a value or a re-ask.

Every function is pure. A `Rejected.reason` is the whole re-ask message: it says what
was wrong and what to send instead, and never quotes the visitor's text back.
"""

import re
from dataclasses import dataclass

import email_validator
import phonenumbers

from bot.conversation.answers import clean_text, drop_polite_tail, is_skip, phrase_key

# Slot value meaning the visitor chose not to give an optional detail.
SKIPPED = "(skipped)"
ANY_TIME = "Any time"

# Longer replies are stories or questions, not a detail; also bounds the regex work.
_MAX_SCAN = 300


@dataclass(frozen=True)
class Accepted:
    value: str


@dataclass(frozen=True)
class Rejected:
    reason: str


Verdict = Accepted | Rejected

_NAME_PREFIX = re.compile(
    r"^(?:(?:hi|hello|hey|sure|ok|okay|yes|yeah|yep)\b[\s,!.]*)*"
    r"(?:(?:my name is|my name's|my names|name is|i'm|im|i am|this is|it's|its|it is)"
    r"(?:\s+|$)|name\s*:\s*)?",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\-.][^\W\d_]+)*\.?")
_QUESTION_WORDS = frozenset({
    "what", "whats", "how", "hows", "why", "where", "wheres", "when", "which", "who",
})
_REFUSALS = frozenset({
    "idk", "i dont know", "dont know", "dunno", "anonymous", "anon", "no name",
    "not telling", "why", "no way", "never", "nobody", "none of your business",
})
# Function words that essentially never occur inside a personal name.  Kept out on
# purpose: real names that are also words (Will, May, Grace, Can, Do, An, Ok, In).
_NEVER_IN_NAME = frozenset({
    "i", "me", "my", "mine", "you", "your", "we", "our", "us", "he", "she", "they",
    "them", "it", "its", "is", "am", "are", "was", "were", "be", "been", "does",
    "did", "have", "has", "had", "need", "want", "get", "got", "the", "a", "and",
    "or", "but", "if", "to", "for", "of", "with", "from", "about", "at", "on", "not",
    "no", "could", "would", "should", "what", "how", "why", "where", "when", "which",
    "this", "that", "there", "please", "thanks", "thank", "yes", "yeah", "yep",
    "nope", "just", "im", "dont", "cant", "idk", "maybe", "call", "text", "email",
    "phone", "number", "skip",
})
# Common words a phrase can be made of without being a name ("in pain", "ready").
_COMMON_WORDS = _NEVER_IN_NAME | frozenset({
    "in", "do", "an", "can", "ok", "okay", "so", "very", "ready",
    "looking", "interested", "having", "trying", "wondering", "calling", "writing",
    "here", "sorry", "fine", "good", "great", "bad", "well", "worried", "scared",
    "nervous", "anxious", "tired", "sick", "hurting", "pain", "suffering",
    "struggling", "desperate", "curious", "unsure", "sure", "confused", "new",
    "back", "still", "also", "too", "really", "only", "now", "later", "today",
    "going", "getting", "feeling", "doing", "asking", "glad", "happy", "sad",
    "done", "hello", "hi", "hey", "help", "urgent", "important", "none", "nothing",
    "pass", "na", "unknown", "test", "testing", "bot", "human", "person", "someone",
    "patient", "lol", "haha", "hmm", "um", "uh", "out", "up", "all", "any", "some",
    "name", "first", "last", "full", "reaching", "inquiring", "contacting",
    "regarding", "concerning", "re", "like", "whatever", "anything", "nah",
})
# Titles and suffixes that keep their full stop inside a name ("Jr.", "St. John").
NAME_ABBREVIATIONS = frozenset({"jr", "sr", "st", "dr", "mr", "mrs", "ms", "mx"})
_PARTICLES = frozenset({
    "de", "da", "del", "della", "di", "du", "la", "dos", "das", "der", "den", "ter",
    "y", "bin", "binti",
})

_NAME_ASK = "Please send your first and last name, for example Maria Lopez."


def _capitalise(word: str) -> str:
    chars = []
    upper_next = True
    for ch in word.lower():
        chars.append(ch.upper() if upper_next else ch)
        upper_next = ch in "'-."
    result = "".join(chars)
    if result.startswith("Mc") and len(result) > 2:
        result = "Mc" + result[2].upper() + result[3:]
    return result


def _tidy_name(words: list[str]) -> str:
    # Only words typed all-lower or ALL-CAPS are recased: "DeShawn" is kept as typed.
    tidy = []
    for index, word in enumerate(words):
        if word != word.lower() and word != word.upper():
            tidy.append(word)
        elif 0 < index < len(words) - 1 and word.lower() in _PARTICLES:
            tidy.append(word.lower())
        else:
            tidy.append(_capitalise(word))
    return " ".join(tidy)


def looks_like_name_word(word: str) -> bool:
    """True when one word could be part of a personal name (shape and vocabulary)."""
    return bool(_NAME_WORD.fullmatch(word)) and word.lower() not in _COMMON_WORDS


def _strip_full_stop(name: str) -> str:
    # "Grace Whitfield." ends a sentence; "Sam Smith Jr." and "Tolkien J.R." do not.
    last = name.rsplit(" ", 1)[-1]
    stem = last[:-1]
    if not last.endswith(".") or "." in stem or len(stem) == 1:
        return name
    return name if stem.lower() in NAME_ABBREVIATIONS else name[:-1].rstrip()


def validate_name(text: str) -> Verdict:
    """Accept a personal name (cue phrases stripped, sensibly capitalised)."""
    cleaned = clean_text(text)
    name = _NAME_PREFIX.sub("", cleaned, count=1)
    name = _strip_full_stop(re.sub(r"\s+here$", "", name, flags=re.I).rstrip("!,; "))
    if not name:
        return Rejected("I didn't catch a name. " + _NAME_ASK)
    if "@" in name:
        return Rejected("That looks like an email address, not a name. " + _NAME_ASK)
    if any(ch.isdigit() for ch in name):
        if _phone_numbers(name, "US"):
            return Rejected("That looks like a phone number, not a name. " + _NAME_ASK)
        return Rejected("A name shouldn't contain numbers. " + _NAME_ASK)
    key = phrase_key(name)
    if name.endswith("?") or (key and key.split()[0] in _QUESTION_WORDS):
        return Rejected(
            "That sounds like a question rather than a name. Please send your first "
            "and last name, for example Maria Lopez, or type cancel to go back to "
            "your questions."
        )
    if is_skip(name) or key in _REFUSALS:
        return Rejected(
            "Our team needs a name to know who to ask for when they call. Please "
            "send your first and last name, for example Maria Lopez, or type cancel "
            "if you'd rather not continue."
        )
    words = name.split()
    if len(name) > 80 or len(words) > 5:
        return Rejected("That's longer than a name usually is. " + _NAME_ASK)
    if not all(_NAME_WORD.fullmatch(word) for word in words):
        return Rejected(
            "A name can only contain letters, spaces, hyphens, apostrophes and "
            "periods. " + _NAME_ASK
        )
    if sum(ch.isalpha() for ch in name) < 2:
        return Rejected("A single letter is too short for a name. " + _NAME_ASK)
    lowered = [word.lower() for word in words]
    if any(w in _NEVER_IN_NAME for w in lowered) or all(
        w.rstrip(".") in _COMMON_WORDS for w in lowered
    ):
        return Rejected("That doesn't look like a name. " + _NAME_ASK)
    return Accepted(_tidy_name(words))


_E164 = phonenumbers.PhoneNumberFormat.E164


def _phone_numbers(text: str, region: str) -> list[str]:
    """E.164 forms of the valid numbers found in text, first occurrence first."""
    found: list[str] = []
    matcher = phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.VALID
    )
    for match in matcher:
        e164 = phonenumbers.format_number(match.number, _E164)
        if e164 not in found:
            found.append(e164)
    return found


def _phone_instruction(region: str) -> str:
    if region.upper() == "US":
        return (
            "Please send a 10-digit US number like 513-555-0134, or an international "
            "number starting with +."
        )
    return (
        "Please send the number with its area code, or in international form "
        "starting with + and the country code."
    )


def validate_phone(text: str, *, default_region: str = "US") -> Verdict:
    """Accept one valid phone number, found anywhere in the reply, as E.164."""
    cleaned = clean_text(text)
    instruction = _phone_instruction(default_region)
    if not cleaned:
        return Rejected("I didn't catch a phone number. " + instruction)
    if len(cleaned) > _MAX_SCAN:
        return Rejected(
            "That message is too long for me to find a number in. " + instruction
        )
    if is_skip(cleaned):
        return Rejected(
            "Our team needs a phone number to call you back. " + instruction
            + " Or type cancel if you'd rather not continue."
        )
    numbers = _phone_numbers(cleaned, default_region)
    if len(numbers) > 1:
        return Rejected(
            "I found more than one phone number. Please send just the one that's "
            "best for reaching you."
        )
    if numbers:
        return Accepted(numbers[0])
    digits = sum(ch.isdigit() for ch in cleaned)
    if digits == 0:
        return Rejected("That doesn't look like a phone number. " + instruction)
    if digits < 7:
        return Rejected("That number is too short to be a phone number. " + instruction)
    return Rejected(
        "That number doesn't look valid; a digit or the area code may be off. "
        + instruction
    )


_EMAIL_INSTRUCTION = (
    "Please send an address like name@example.com, or type skip if you'd rather "
    "not share one."
)


def validate_email(text: str) -> Verdict:
    """Accept one email address (found anywhere in the reply) or a skip."""
    cleaned = clean_text(text)
    if is_skip(cleaned):
        return Accepted(SKIPPED)
    if len(cleaned) > _MAX_SCAN:
        return Rejected(
            "That message is too long for me to find an address in. "
            + _EMAIL_INSTRUCTION
        )
    candidates = {
        token.strip("<>()[]{}\"',;:.!?") for token in cleaned.split() if "@" in token
    }
    if not candidates:
        return Rejected(
            "That doesn't look like an email address. " + _EMAIL_INSTRUCTION
        )
    if len(candidates) > 1:
        return Rejected(
            "I found more than one email address. Please send just the one you'd "
            "like us to use, or type skip."
        )
    candidate = candidates.pop()
    try:
        result = email_validator.validate_email(candidate, check_deliverability=False)
    except email_validator.EmailNotValidError:
        if "." not in candidate.rpartition("@")[2]:
            problem = "The part after the @ needs a full domain, like example.com. "
        else:
            problem = "That email address doesn't look complete or has a typo. "
        return Rejected(problem + _EMAIL_INSTRUCTION)
    return Accepted(result.normalized)


_ANY_TIME_PHRASES = frozenset({
    "any time", "anytime", "any time is fine", "anytime is fine", "any time works",
    "anytime works", "whenever", "whenever is fine", "whenever works", "any",
    "no preference", "doesnt matter", "it doesnt matter", "all day", "either",
    "any time of day", "anytime of day",
})
_TIME_EXAMPLE = (
    "Please tell me when suits you best, like weekday mornings or after 5pm, or "
    "type skip."
)


def validate_preferred_time(text: str) -> Verdict:
    """Accept a free-text contact time, "Any time", or a skip."""
    cleaned = clean_text(text)
    if not cleaned:
        return Rejected("I didn't catch a time. " + _TIME_EXAMPLE)
    if drop_polite_tail(phrase_key(cleaned)) in _ANY_TIME_PHRASES:
        return Accepted(ANY_TIME)
    if is_skip(cleaned):
        return Accepted(SKIPPED)
    if len(cleaned) < 2:
        return Rejected("That's too short for me to understand. " + _TIME_EXAMPLE)
    if len(cleaned) > 120:
        return Rejected(
            "That's more than I can note down as a contact time (120 characters at "
            "most). " + _TIME_EXAMPLE
        )
    return Accepted(cleaned)


_CONDITION_EXAMPLE = (
    "Please describe it in a sentence or two, like chronic back pain for five "
    "years, or type skip."
)


def validate_condition(text: str) -> Verdict:
    """Accept a short free-text description of the pain condition, or a skip."""
    cleaned = clean_text(text)
    if not cleaned:
        return Rejected("I didn't catch a description. " + _CONDITION_EXAMPLE)
    if is_skip(cleaned):
        return Accepted(SKIPPED)
    if len(cleaned) < 2:
        return Rejected("That's too short for me to understand. " + _CONDITION_EXAMPLE)
    if len(cleaned) > 500:
        return Rejected(
            "That's a bit long for this form (500 characters at most); you can tell "
            "the team the rest when they call. " + _CONDITION_EXAMPLE
        )
    return Accepted(cleaned)
