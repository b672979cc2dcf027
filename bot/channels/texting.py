"""Text messaging (SMS, WhatsApp) around the engine: keywords and opt-outs.

STOP and the other opt-out words record the sender as opted out and get no
reply at all; START or UNSTOP opts back in; HELP gets a short help text. Inside
the consultation form, "stop" and "cancel" (the form's own cancel words) end the
form instead, as they do on every channel. An opted-out sender is sent nothing
more, with one exception: a message about a crisis still gets 988 and 911.
"""

from __future__ import annotations

import logging

from bot.channels.keywords import Keyword, help_text, keyword, opted_in_text
from bot.conversation.actions.consultation import FORM_NAME
from bot.conversation.answers import is_cancel
from bot.conversation.engine import Engine
from bot.knowledge import Clinic
from bot.messages import IncomingMessage, Reply
from bot.storage import Store

logger = logging.getLogger(__name__)


class Texting:
    """Answers one text message: a keyword, silence after STOP, or the engine."""

    def __init__(self, *, engine: Engine, store: Store, clinic: Clinic) -> None:
        self._engine = engine
        self._store = store
        self._clinic = clinic

    def handle(self, message: IncomingMessage) -> list[Reply]:
        """The replies to send; an empty list means answer with nothing."""
        found = keyword(message.text)
        channel, sender = message.channel, message.sender_id
        if found is Keyword.HELP:
            return [Reply(help_text(self._clinic))]
        if found is Keyword.OPT_IN:
            self._store.set_opted_out(channel, sender, False)
            logger.info("a %s sender opted in", channel)
            return [Reply(opted_in_text(self._clinic))]
        if found is Keyword.OPT_OUT and not (
            is_cancel(message.text) and self._in_form(message)
        ):
            self._store.set_opted_out(channel, sender, True)
            logger.info("a %s sender opted out", channel)
            return []
        if self._store.is_opted_out(channel, sender) and not self._is_crisis(message):
            return []
        return self._engine.handle(message)

    def _in_form(self, message: IncomingMessage) -> bool:
        conversation = self._store.conversation(message.channel, message.sender_id)
        return conversation.state.get("active_loop") == FORM_NAME

    def _is_crisis(self, message: IncomingMessage) -> bool:
        return self._engine.parser.detect_crisis(message.text) is not None
