"""SMS keywords carriers expect every sender to honour: STOP, START, HELP.

A keyword counts only as the whole message ("stop", "STOP.", " Stop "), never
inside a sentence. The lists are the carriers' (and Twilio's) standard ones.
"""

from __future__ import annotations

import enum

from bot.knowledge import Clinic


class Keyword(enum.Enum):
    OPT_OUT = "opt-out"
    OPT_IN = "opt-in"
    HELP = "help"


_KEYWORDS = {
    **dict.fromkeys(
        ("stop", "stopall", "unsubscribe", "cancel", "end", "quit"), Keyword.OPT_OUT
    ),
    **dict.fromkeys(("start", "unstop"), Keyword.OPT_IN),
    "help": Keyword.HELP,
}


def keyword(text: str) -> Keyword | None:
    """The keyword `text` is, or None for an ordinary message."""
    return _KEYWORDS.get(text.strip().rstrip(".!").strip().lower())


def help_text(clinic: Clinic) -> str:
    """The reply to HELP: who is texting, how to reach a person, how to stop."""
    return (
        f"{clinic.name} assistant: text a question about chronic pain or ketamine"
        f" infusions. To talk to a person call {clinic.phone}. In an emergency"
        " call 911; in crisis call or text 988. Reply STOP to opt out."
    )


def opted_in_text(clinic: Clinic) -> str:
    """The reply to START after an opt-out."""
    return (
        f"You are subscribed again to {clinic.name}'s assistant. Text a question"
        " any time, HELP for help, STOP to opt out."
    )
