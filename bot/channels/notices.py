"""What a text channel says to input the engine cannot take."""

from __future__ import annotations

NOT_TEXT = "Sorry, I can only read text messages. Please type your question."


def too_long(limit: int) -> str:
    """The answer to a message over FAQBOT_MAX_MESSAGE_CHARS."""
    return (
        f"Sorry, that message is too long for me: please send at most {limit}"
        " characters."
    )
