import pytest

from bot.conversation.answers import is_cancel, is_skip, parse_consent

CONSENT = [
    ("yes", "yes", True),
    ("y", "Y", True),
    ("yep", "yep", True),
    ("sure", "sure", True),
    ("ok", "ok", True),
    ("okay", "Okay.", True),
    ("i-agree", "I agree", True),
    ("i-consent", "i consent", True),
    ("yes-please", "yes please!", True),
    ("absolutely", "Absolutely", True),
    ("go-ahead", "go ahead", True),
    ("thats-fine", "that\u2019s fine", True),
    ("thumbs-up", "👍", True),
    ("thumbs-up-skin-tone", "👍🏽", True),
    ("no-problem-idiom", "no problem, go ahead", True),
    ("contact-me", "Yes, you can contact me and store my details", True),
    ("no", "no", False),
    ("n", "n", False),
    ("nope", "Nope", False),
    ("no-thanks", "no thanks", False),
    ("do-not-agree", "I do not agree", False),
    ("dont", "dont", False),
    ("dont-apostrophe", "I don't", False),
    ("not-now", "not now", False),
    ("rather-not", "I'd rather not", False),
    ("absolutely-not", "absolutely not", False),
    ("thumbs-down", "👎", False),
    ("yes-but-no", "yes but no", None),
    ("ok-but-dont-store", "ok but don't store my data", None),
    ("not-sure", "not sure", None),
    ("maybe", "maybe", None),
    ("question", "ok what does it cost?", None),
    ("unrelated", "what is ketamine", None),
    ("empty", "", None),
    ("emoji-only", "😊", None),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CONSENT], ids=[c[0] for c in CONSENT]
)
def test_parse_consent(text: str, expected: bool | None) -> None:
    assert parse_consent(text) is expected


CANCEL = [
    ("cancel", "cancel", True),
    ("stop", "STOP", True),
    ("never-mind", "never mind", True),
    ("nevermind", "Nevermind.", True),
    ("nvm", "nvm", True),
    ("quit", "quit", True),
    ("forget-it", "forget it", True),
    ("changed-mind", "I changed my mind", True),
    ("exit", "exit", True),
    ("cancel-that", "cancel that!", True),
    ("stop-please", "stop please", True),
    ("please-stop", "please stop", True),
    ("stop-the-pain", "stop the pain", False),
    ("how-stop-pain", "how do i stop the pain", False),
    ("cancel-later", "can i cancel later?", False),
    ("cancel-policy", "what is your cancellation policy", False),
    ("no", "no", False),
    ("end-it", "i want to end it", False),
    ("empty", "", False),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CANCEL], ids=[c[0] for c in CANCEL]
)
def test_is_cancel(text: str, expected: bool) -> None:
    assert is_cancel(text) is expected


SKIP = [
    ("skip", "skip", True),
    ("skip-please", "skip please", True),
    ("no-email", "No email.", True),
    ("dont-have-one", "I don\u2019t have one", True),
    ("n-a", "n/a", True),
    ("pass", "pass", True),
    ("no-pain", "no pain", False),
    ("question", "can I skip the infusion?", False),
    ("cancel", "cancel", False),
    ("yes", "yes", False),
    ("empty", "", False),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in SKIP], ids=[c[0] for c in SKIP]
)
def test_is_skip(text: str, expected: bool) -> None:
    assert is_skip(text) is expected
