import pytest

from bot.conversation.details import (
    Correction,
    FoundDetails,
    find_correction,
    find_details,
)
from bot.conversation.validators import Accepted, validate_name, validate_phone

DETAILS = [
    (
        "name-and-phone",
        "I'm Grace Whitfield, call me at 513.555.0163",
        FoundDetails(name="Grace Whitfield", phone="513.555.0163"),
    ),
    (
        "name-and-email",
        "my name is Sam Ortiz and my email is sam@example.org",
        FoundDetails(name="Sam Ortiz", email="sam@example.org"),
    ),
    (
        "this-is-name-phone",
        "this is Dana Li 614-555-0111",
        FoundDetails(name="Dana Li", phone="614-555-0111"),
    ),
    (
        "my-name-is-lower-case",
        "hi my name is grace whitfield",
        FoundDetails(name="grace whitfield"),
    ),
    ("i-am", "Hello, I am Maria. I have CRPS.", FoundDetails(name="Maria")),
    ("curly-apostrophe", "I\u2019m José García", FoundDetails(name="José García")),
    ("particles", "Hi I'm Maria de la Cruz", FoundDetails(name="Maria de la Cruz")),
    ("apostrophe-name", "I'm Seán O'Brien", FoundDetails(name="Seán O'Brien")),
    ("name-max-four-words", "my name is Ana Lucia Maria Perez Gomez",
     FoundDetails(name="Ana Lucia Maria Perez")),
    ("international-phone", "you can reach me on +44 20 7946 0958",
     FoundDetails(phone="+44 20 7946 0958")),
    ("email-only", "email me at Maria.Lopez@Example.com please",
     FoundDetails(email="Maria.Lopez@Example.com")),
    ("email-digits-not-phone", "it's john5135550198@example.com",
     FoundDetails(email="john5135550198@example.com")),
    ("in-pain", "I'm in pain", FoundDetails()),
    ("ready", "I'm ready to book", FoundDetails()),
    ("looking", "I am looking for help", FoundDetails()),
    ("interested-capitalised", "I'm Interested In Ketamine", FoundDetails()),
    ("this-is-lower", "this is urgent", FoundDetails()),
    ("this-is-capitalised-word", "This Is Great", FoundDetails()),
    ("i-am-lower-case-name", "im grace", FoundDetails()),
    ("not-important", "my name is not important", FoundDetails()),
    ("age", "I'm 45 years old", FoundDetails()),
    ("question", "how much does an infusion cost?", FoundDetails()),
    ("short-number", "I've had pain for 12 years", FoundDetails()),
    ("invalid-number", "is 123-456-7890 your number?", FoundDetails()),
    ("empty", "", FoundDetails()),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in DETAILS], ids=[c[0] for c in DETAILS]
)
def test_find_details(text: str, expected: FoundDetails) -> None:
    assert find_details(text) == expected


def test_find_details_uses_default_region() -> None:
    found = find_details("ring me on 020 7946 0958", default_region="GB")
    assert found.phone == "020 7946 0958"
    assert find_details("ring me on 020 7946 0958").phone is None


@pytest.mark.parametrize(
    "text", [c[1] for c in DETAILS], ids=[c[0] for c in DETAILS]
)
def test_found_details_pass_the_validators(text: str) -> None:
    found = find_details(text)
    if found.name is not None:
        assert isinstance(validate_name(found.name), Accepted)
    if found.phone is not None:
        assert isinstance(validate_phone(found.phone), Accepted)


CORRECTIONS = [
    ("actually-number", "actually my number is 513-555-0177",
     Correction("phone", "513-555-0177")),
    ("sorry-phone", "sorry, my phone is (614) 555-0111",
     Correction("phone", "(614) 555-0111")),
    ("wait-email", "wait, my email is x@y.com", Correction("email", "x@y.com")),
    ("correction-name", "correction: my name is Jon Smith",
     Correction("name", "Jon Smith")),
    ("name-is-actually", "my name is actually Jon", Correction("name", "Jon")),
    ("name-not", "my name is actually Jon, not John", Correction("name", "Jon")),
    ("change-to", "change my number to 513-555-0177",
     Correction("phone", "513-555-0177")),
    ("please-update-email", "please update my email to sam@example.org.",
     Correction("email", "sam@example.org")),
    ("oops-wrong-number", "oops wrong number, it's 614-555-0123",
     Correction("phone", "614-555-0123")),
    ("wrong-number-typo-value", "oops wrong number, it's 614-555-012",
     Correction("phone", "614-555-012")),
    ("inferred-email", "actually it's jon@example.com",
     Correction("email", "jon@example.com")),
    ("i-meant", "I meant 513-555-0177", Correction("phone", "513-555-0177")),
    ("right-number", "the right number is 513-555-0177",
     Correction("phone", "513-555-0177")),
    ("best-time", "actually my best time is evenings, thanks",
     Correction("preferred_time", "evenings")),
    ("condition", "sorry, my condition is CRPS, not fibromyalgia",
     Correction("condition", "CRPS, not fibromyalgia")),
    ("curly-apostrophe", "oops, it\u2019s 513-555-0177",
     Correction("phone", "513-555-0177")),
    ("inferred-international", "sorry it's +1 (513) 555-0177 not 0178",
     Correction("phone", "+1 (513) 555-0177")),
    ("years-not-phone", "actually I've had pain since 2019 - 2021", None),
    ("someone-elses-email", "actually I emailed bob@example.com yesterday", None),
    ("plain-number", "513-555-0177", None),
    ("plain-my-number", "my number is 513-555-0177", None),
    ("plain-name", "my name is Jon", None),
    ("sorry-no-email", "sorry, I don't have an email", None),
    ("actually-question", "actually, what are the side effects?", None),
    ("actually-name-unknown-slot", "actually it's Jon", None),
    ("no", "no", None),
    ("sorry", "sorry", None),
    ("empty", "", None),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CORRECTIONS], ids=[c[0] for c in CORRECTIONS]
)
def test_find_correction(text: str, expected: Correction | None) -> None:
    assert find_correction(text) == expected
