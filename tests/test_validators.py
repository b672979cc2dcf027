import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.conversation.validators import (
    ANY_TIME,
    SKIPPED,
    Accepted,
    Rejected,
    validate_condition,
    validate_email,
    validate_name,
    validate_phone,
    validate_preferred_time,
)


def assert_good_reason(verdict: Accepted | Rejected, raw: str) -> str:
    """A re-ask is whole sentences, says what to send, and never quotes the input."""
    assert isinstance(verdict, Rejected), verdict
    reason = verdict.reason
    assert reason[0].isupper() and reason.endswith(".")
    assert len(re.findall(r"[.!?](?:\s|$)", reason)) >= 2, "what was wrong + what to do"
    assert "please" in reason.lower()
    echoed = raw.strip().lower()
    if len(echoed) >= 4:
        assert echoed not in reason.lower()
    return reason


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validators must not touch the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


NAMES_ACCEPTED = [
    ("plain", "Grace Whitfield", "Grace Whitfield"),
    ("lower-case", "grace whitfield", "Grace Whitfield"),
    ("all-caps", "GRACE WHITFIELD", "Grace Whitfield"),
    ("single-word", "Maria", "Maria"),
    ("accent", "José", "José"),
    ("diaeresis", "zoë", "Zoë"),
    ("combining-diaeresis", "Zoe\u0308 Smith", "Zoë Smith"),
    ("apostrophe", "o'brien", "O'Brien"),
    ("curly-apostrophe", "Seán O\u2019Brien", "Seán O'Brien"),
    ("hyphen", "mary-jane watson", "Mary-Jane Watson"),
    ("abbreviation", "st. john", "St. John"),
    ("initials", "J.R. Tolkien", "J.R. Tolkien"),
    ("mixed-case-kept", "DeShawn McKenzie", "DeShawn McKenzie"),
    ("mc-prefix", "mckenzie", "McKenzie"),
    ("particles", "maria de la cruz", "Maria de la Cruz"),
    ("surname-le-kept", "daniel le", "Daniel Le"),
    ("word-names", "Will May", "Will May"),
    ("vietnamese", "Do Van Anh", "Do Van Anh"),
    ("five-words", "Ana Maria de la Cruz", "Ana Maria de la Cruz"),
    ("my-name-is", "my name is Sam Ortiz", "Sam Ortiz"),
    ("im", "im grace", "Grace"),
    ("i-am", "I'm Grace Whitfield.", "Grace Whitfield"),
    ("this-is", "this is Dana Li", "Dana Li"),
    ("its", "It's Dana", "Dana"),
    ("name-colon", "Name: Dana Li", "Dana Li"),
    ("greeting", "Hi, I'm Sam!", "Sam"),
    ("here", "Grace here", "Grace"),
    ("extra-spaces", "  Grace    Whitfield ", "Grace Whitfield"),
    ("cyrillic", "Анна Иванова", "Анна Иванова"),
    ("suffix-kept", "Sam Smith Jr.", "Sam Smith Jr."),
    ("initials-last", "Tolkien J.R.", "Tolkien J.R."),
    ("full-stop-dropped", "Dana Li.", "Dana Li"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in NAMES_ACCEPTED],
    ids=[case[0] for case in NAMES_ACCEPTED],
)
def test_validate_name_accepts(text: str, expected: str) -> None:
    assert validate_name(text) == Accepted(expected)


NAMES_REJECTED = [
    ("empty", "", "didn't catch"),
    ("greeting-only", "hello", "didn't catch"),
    ("digits", "Grace 2", "numbers"),
    ("phone", "513-555-0198", "phone number"),
    ("email", "grace@example.com", "email"),
    ("question-mark", "what are the side effects?", "question"),
    ("question-word", "how much does it cost", "question"),
    ("question-no-mark", "Do I need a referral", "doesn't look like a name"),
    ("no", "no", "needs a name"),
    ("skip", "skip", "needs a name"),
    ("idk", "idk", "needs a name"),
    ("rather-not", "I'd rather not", "needs a name"),
    ("call-me-maybe", "call me maybe", "doesn't look like a name"),
    ("in-pain", "I'm in pain", "doesn't look like a name"),
    ("ready", "I'm ready to book", "doesn't look like a name"),
    ("not-sure", "not sure", "doesn't look like a name"),
    ("one-letter", "J", "too short"),
    ("initial-only", "J.", "too short"),
    ("six-words", "Ana Maria Lucia de la Cruz", "longer than"),
    ("over-80", "Bartholomew " * 7, "longer than"),
    ("symbols", "Grace & Tom", "only contain"),
    ("comma", "Whitfield, Grace", "only contain"),
    ("emoji", "😊", "only contain"),
]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [case[1:] for case in NAMES_REJECTED],
    ids=[case[0] for case in NAMES_REJECTED],
)
def test_validate_name_rejects(text: str, fragment: str) -> None:
    reason = assert_good_reason(validate_name(text), text)
    assert fragment in reason


PHONES_ACCEPTED = [
    ("dashes", "513-555-0198", "+15135550198"),
    ("parens", "(859) 555-0107", "+18595550107"),
    ("spaces", "614 555 0139", "+16145550139"),
    ("dots", "513.555.0163", "+15135550163"),
    ("plus-one", "+1 937 555 0102", "+19375550102"),
    ("uk", "+44 20 7946 0958", "+442079460958"),
    ("australia", "+61 2 9374 4000", "+61293744000"),
    ("bare-digits", "5135550198", "+15135550198"),
    ("leading-one", "1-513-555-0198", "+15135550198"),
    ("in-sentence", "sure it's 513 555 0198", "+15135550198"),
    ("trailing-words", "my cell is (859) 555-0107, thanks!", "+18595550107"),
    ("same-number-twice", "513-555-0198 (that's 513-555-0198)", "+15135550198"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in PHONES_ACCEPTED],
    ids=[case[0] for case in PHONES_ACCEPTED],
)
def test_validate_phone_accepts(text: str, expected: str) -> None:
    assert validate_phone(text) == Accepted(expected)


def test_validate_phone_uses_default_region() -> None:
    assert validate_phone("020 7946 0958", default_region="GB") == Accepted(
        "+442079460958"
    )
    assert isinstance(validate_phone("020 7946 0958"), Rejected)


PHONES_REJECTED = [
    ("empty", "", "didn't catch"),
    ("words", "call me maybe", "doesn't look like a phone number"),
    ("letters", "abcdefghij", "doesn't look like a phone number"),
    ("five-digits", "12345", "too short"),
    ("three-digits", "555", "too short"),
    ("bad-area-code", "123-456-7890", "doesn't look valid"),
    ("missing-digit", "513-555-019", "doesn't look valid"),
    ("two-numbers", "513 555 0198 or 614 555 0139", "more than one"),
    ("skip", "skip", "needs a phone number"),
    ("story", "My pain started years ago. " * 15 + "513-555-0198", "too long"),
]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [case[1:] for case in PHONES_REJECTED],
    ids=[case[0] for case in PHONES_REJECTED],
)
def test_validate_phone_rejects(text: str, fragment: str) -> None:
    reason = assert_good_reason(validate_phone(text), text)
    assert fragment in reason


def test_phone_reason_outside_us_has_no_us_example() -> None:
    reason = assert_good_reason(validate_phone("12345", default_region="GB"), "12345")
    assert "US" not in reason and "country code" in reason


EMAILS_ACCEPTED = [
    ("plain", "maria@example.com", "maria@example.com"),
    ("domain-lowered", "Maria.Lopez@Example.COM", "Maria.Lopez@example.com"),
    ("plus-tag", "sam+faq@example.org", "sam+faq@example.org"),
    ("trimmed", "  sam@example.org  ", "sam@example.org"),
    ("in-sentence", "it's maria@example.com", "maria@example.com"),
    ("sentence-period", "My email is maria@example.com.", "maria@example.com"),
    ("angle-brackets", "<maria@example.com>", "maria@example.com"),
    ("no-then-address", "no, it's maria@example.com", "maria@example.com"),
    ("unicode-local", "josé@example.com", "josé@example.com"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in EMAILS_ACCEPTED],
    ids=[case[0] for case in EMAILS_ACCEPTED],
)
def test_validate_email_accepts(no_network: None, text: str, expected: str) -> None:
    assert validate_email(text) == Accepted(expected)


EMAIL_SKIPS = [
    "skip", "Skip.", "no", "none", "no email", "I don't have one",
    "i don\u2019t have one", "don't have email", "I don't have an email address",
    "n/a", "N/A", "pass", "rather not", "I'd rather not", "no thanks", "nope",
]


@pytest.mark.parametrize("text", EMAIL_SKIPS)
def test_validate_email_skips(text: str) -> None:
    assert validate_email(text) == Accepted(SKIPPED)


EMAILS_REJECTED = [
    ("no-at", "maria at example dot com", "doesn't look like an email"),
    ("words", "hello there", "doesn't look like an email"),
    ("no-dot-domain", "maria@example", "full domain"),
    ("no-domain", "maria@", "full domain"),
    ("no-local", "@gmail.com", "typo"),
    ("double-at", "maria@@example.com", "typo"),
    ("space-in-domain", "maria@exa mple.com", "full domain"),
    ("two-addresses", "maria@example.com or m.lopez@example.org", "more than one"),
    ("special-use-domain", "maria@example.test", "typo"),
]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [case[1:] for case in EMAILS_REJECTED],
    ids=[case[0] for case in EMAILS_REJECTED],
)
def test_validate_email_rejects(no_network: None, text: str, fragment: str) -> None:
    reason = assert_good_reason(validate_email(text), text)
    assert fragment in reason
    assert "skip" in reason


TIMES = [
    ("free-text", "weekday mornings", Accepted("weekday mornings")),
    ("collapsed", "  after   5pm  ", Accepted("after 5pm")),
    ("any-time", "any time", Accepted(ANY_TIME)),
    ("anytime", "Anytime!", Accepted(ANY_TIME)),
    ("whenever", "whenever is fine", Accepted(ANY_TIME)),
    ("no-preference", "no preference", Accepted(ANY_TIME)),
    ("skip", "skip", Accepted(SKIPPED)),
    ("no", "no", Accepted(SKIPPED)),
    ("rather-not", "rather not say", Accepted(SKIPPED)),
    ("limit", "x" * 120, Accepted("x" * 120)),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in TIMES], ids=[c[0] for c in TIMES]
)
def test_validate_preferred_time_accepts(text: str, expected: Accepted) -> None:
    assert validate_preferred_time(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "x", "y" * 121], ids=["empty", "blank", "one-char", "121"]
)
def test_validate_preferred_time_rejects(text: str) -> None:
    reason = assert_good_reason(validate_preferred_time(text), text)
    assert "skip" in reason


CONDITIONS = [
    ("free-text", "CRPS in my left foot", Accepted("CRPS in my left foot")),
    ("collapsed", "chronic\n\nback   pain ", Accepted("chronic back pain")),
    ("not-a-skip", "no relief from opioids", Accepted("no relief from opioids")),
    ("skip", "skip", Accepted(SKIPPED)),
    ("none", "None.", Accepted(SKIPPED)),
    ("prefer-not", "prefer not to say", Accepted(SKIPPED)),
    ("limit", "a" * 500, Accepted("a" * 500)),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CONDITIONS], ids=[c[0] for c in CONDITIONS]
)
def test_validate_condition_accepts(text: str, expected: Accepted) -> None:
    assert validate_condition(text) == expected


@pytest.mark.parametrize("text", ["", "x", "pain " * 101], ids=["empty", "one", "long"])
def test_validate_condition_rejects(text: str) -> None:
    assert_good_reason(validate_condition(text), text)


def test_validators_do_not_import_web_or_rasa() -> None:
    code = (
        "import sys, bot.conversation.validators, bot.conversation.details; "
        "bad = {m for m in sys.modules if m.split('.')[0] in {'flask', 'rasa_sdk'}}; "
        "sys.exit(sorted(bad) or 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr
