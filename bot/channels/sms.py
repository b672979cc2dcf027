"""SMS and WhatsApp replies: one text per turn, buttons as numbered options.

A turn's replies are joined into one message, so they cannot arrive out of
order. Buttons become "Reply 1 for side effects, 2 for safety." right after the
reply that offered them, numbered across the turn as the engine remembers them
(see `bot.conversation.options`). SMS uses each reply's SMS form where it has
one, plain GSM-7 punctuation, and aims at two segments: when the options push a
message past that, trailing options are left out (they still answer to their
numbers). A possible crisis's safety line that would push the turn past two
segments goes first as a text of its own, so the answer keeps its two. Options
of a reply in Spanish (a Spanish crisis reply) are offered in Spanish.
WhatsApp has no segments and formats with *bold*, so it keeps the full
answers and lists the options one per line.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.channels.sms_text import plain, segments
from bot.channels.texts import split_text
from bot.messages import Button, Reply

TARGET_SEGMENTS = 2
# Twilio refuses a message body longer than this; longer turns are split.
MAX_BODY_CHARS = 1600
# How options read: "Reply 1 for ..., 2 for ... or 3 for ...".
_ENGLISH_OPTIONS = ("Reply", "for", "or")
_SPANISH_OPTIONS = ("Responda", "para", "o")


def option_label(button: Button) -> str:
    """The words a number stands for: the button's label, else its title."""
    return button.label or button.title.rstrip("?.! ")


def sms_options(buttons: Sequence[Button], first: int, *, spanish: bool = False) -> str:
    """ "Reply 1 for side effects, 2 for safety or 3 for addiction risk." """
    reply, linked, last = _SPANISH_OPTIONS if spanish else _ENGLISH_OPTIONS
    choices = [
        f"{number} {linked} {option_label(button)}"
        for number, button in enumerate(buttons, start=first)
    ]
    if len(choices) > 1:
        choices[-2:] = [f"{choices[-2]} {last} {choices[-1]}"]
    return f"{reply} {', '.join(choices)}."


def in_spanish(reply: Reply) -> bool:
    """Whether the reply is in Spanish (a crisis reply to a Spanish message)."""
    return bool(reply.custom) and reply.custom.get("language") == "es"


def is_safety_line(reply: Reply) -> bool:
    """The line said before the answer to a possible crisis."""
    return bool(reply.custom) and reply.custom.get("safety_line") is True


def render_sms(replies: Sequence[Reply]) -> list[str]:
    """The turn as SMS bodies: one where it fits Twilio's limit, else several."""
    if (
        len(replies) > 1
        and is_safety_line(replies[0])
        and not replies[0].buttons
        and segments(_sms_body(replies, shown=None)) > TARGET_SEGMENTS
    ):
        return [*_fitted(replies[:1]), *_fitted(replies[1:])]
    return _fitted(replies)


def _fitted(replies: Sequence[Reply]) -> list[str]:
    """The replies as one body, trailing options left out past two segments."""
    body = _sms_body(replies, shown=None)
    if segments(body) > TARGET_SEGMENTS:
        total = sum(len(r.buttons) for r in replies)
        for shown in range(total - 1, -1, -1):
            shorter = _sms_body(replies, shown=shown)
            if segments(shorter) <= TARGET_SEGMENTS:
                body = shorter
                break
    return split_text(body, MAX_BODY_CHARS) if body else []


def _sms_body(replies: Sequence[Reply], *, shown: int | None) -> str:
    """The turn's text with the first `shown` options (all when None)."""
    parts: list[str] = []
    number = 1
    for reply in replies:
        text = plain(reply.short_text or reply.text).strip()
        if text:
            parts.append(text)
        buttons = list(reply.buttons)
        if shown is not None:
            buttons = buttons[: max(shown - (number - 1), 0)]
        if buttons:
            parts.append(sms_options(buttons, number, spanish=in_spanish(reply)))
        number += len(reply.buttons)
    return "\n\n".join(parts)


def render_whatsapp(replies: Sequence[Reply]) -> list[str]:
    """The turn as WhatsApp bodies: full answers, options one per line."""
    parts: list[str] = []
    number = 1
    for reply in replies:
        if reply.text.strip():
            parts.append(reply.text.strip())
        if reply.buttons:
            spanish = in_spanish(reply)
            lines = ["Responda con un número:" if spanish else "Reply with a number:"]
            for button in reply.buttons:
                lines.append(f"*{number}* {button.title}")
                number += 1
            parts.append("\n".join(lines))
    body = "\n\n".join(parts)
    return split_text(body, MAX_BODY_CHARS) if body else []
