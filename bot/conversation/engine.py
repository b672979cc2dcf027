"""One engine for every channel.

A turn: understand the message, load the sender's state from storage, then
decide in a fixed order: a clear crisis first (the crisis reply and nothing
else), then a possible crisis's safety line (before whatever comes next), then
the active form (cancel, an interruption, or the next answer), then the
intent's action. Actions are rasa-sdk actions run against a `Tracker` built
from the stored state; their events update the state and their messages become
channel-neutral replies.
The user's message, every reply and the new state are stored in one
transaction. A crisis is answered even when storage fails; other turns fail.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from rasa_sdk import Action
from rasa_sdk.types import DomainDict

from bot.conversation import options
from bot.conversation.actions.base import OFFERED_SLOT
from bot.conversation.actions.consultation import (
    FORM_NAME,
    FORM_SLOTS,
    REJECTION_SLOT,
    REQUESTED_SLOT,
)
from bot.conversation.actions.crisis import CRISIS_SLOT, signal_in
from bot.conversation.actions.running import run_action
from bot.conversation.answers import parse_consent
from bot.conversation.crisis_replies import safety_message
from bot.conversation.domain import INTENT_ACTIONS
from bot.conversation.form_reply import FormReply, asks_something_else, classify
from bot.conversation.payloads import parse_payload
from bot.conversation.phone_offer import OFFERED_PHONE_SLOT, question_asked
from bot.conversation.redaction import contact_redactor
from bot.conversation.replies import CONTACT_DETAILS_REMOVED, forgotten_reply
from bot.conversation.turn import Turn, stored_parse
from bot.errors import StorageError
from bot.knowledge import FAQ_PREFIX
from bot.messages import IncomingMessage, Reply
from bot.notifications import Notifier
from bot.storage import NewMessage, OutboxEntry, Store
from bot.storage.privacy import Privacy
from bot.storage.store import HandledMessage, TurnScope
from bot.understanding.parser import CRISIS, IntentScore, Parser, ParseResult

logger = logging.getLogger(__name__)

SUBMIT_ACTION = "action_submit_consultation"
CANCEL_ACTION = "action_cancel_consultation"
FORGET_INTENT = "forget_me"
# Deleting is not undone: a vaguer match ("what data do you keep?") falls back.
FORGET_CONFIDENCE = 0.75
_LOCK_STRIPES = 64

OutboxFor = Callable[[list[Reply]], Sequence[OutboxEntry]]


class Engine:
    """Handles messages from every channel; safe to call from many threads."""

    def __init__(
        self,
        *,
        parser: Parser,
        store: Store,
        actions: Mapping[str, Action],
        domain: DomainDict,
        clock: Callable[[], float] = time.time,
        phone_region: str = "US",
        notifier: Notifier | None = None,
    ) -> None:
        self.parser = parser
        self.phone_region = phone_region
        self.notifier = notifier
        self.store = store
        self.actions = actions
        self.domain = domain
        self._clock = clock
        # Two messages from one sender must not interleave; striping bounds memory.
        self._locks = tuple(threading.Lock() for _ in range(_LOCK_STRIPES))

    def understand(self, text: str) -> ParseResult:
        """Parse `text`, honouring Rasa's `/intent` button payloads."""
        decoded = parse_payload(text)
        if decoded is not None:
            # A payload is typed text like any other: a crisis written into one
            # (an entity value, say) gets the crisis reply, never the button's
            # intent. Each value is read on its own, as the visitor wrote it.
            intent, entities = decoded
            for value in (*map(str, entities.values()), text):
                if self.parser.detect_crisis(value) is not None:
                    return {**self.parser.parse(value), "text": text}
            if intent in self.domain["intents"] or self._is_topic(intent):
                score = IntentScore(name=intent, confidence=1.0)
                result = ParseResult(
                    text=text,
                    intent=score,
                    entities=[{"entity": k, "value": v} for k, v in entities.items()],
                    intent_ranking=[score],
                )
                result["response_selector"] = self.parser.response_selector(
                    score, [score]
                )
                return result
        return self.parser.parse(text)

    def _is_topic(self, intent: str) -> bool:
        # A stale or forged `/faq/<id>` button must not reach the actions.
        topics = self.parser.knowledge.topics
        return intent.startswith(FAQ_PREFIX) and any(t.intent == intent for t in topics)

    def handle(
        self, message: IncomingMessage, *, outbox: OutboxFor | None = None
    ) -> list[Reply]:
        """Answer one message and store the turn; return the replies in order.

        `outbox` turns the replies into outbox entries (a channel that sends its
        replies later, say), stored in the turn's transaction. A message whose
        `message_id` was handled before gets its first replies again, and
        nothing else happens.
        """
        # Understood before anything is loaded: a crisis needs no stored state.
        parse = self.understand(message.text)
        lock = self._locks[hash((message.channel, message.sender_id)) % _LOCK_STRIPES]
        with lock:
            try:
                # Across worker processes too: a double-tapped "yes" must not be
                # taken twice from the same state.
                # The turn's writes, a consultation request included, commit
                # together or not at all.
                with self.store.turn(message.channel, message.sender_id) as scope:
                    return self._handle(message, parse, outbox, scope)
            except StorageError as e:
                if parse["intent"]["name"] != CRISIS:
                    raise
                _log_unstored_crisis(message, e)
                turn = Turn(
                    message, parse, {}, self._clock(), slot_names=self.domain["slots"]
                )
                self._answer_crisis(turn)
                return turn.replies

    def _handle(
        self,
        message: IncomingMessage,
        parse: ParseResult,
        outbox: OutboxFor | None,
        scope: TurnScope,
    ) -> list[Reply]:
        intent = parse["intent"]
        if (
            intent["name"] == FORGET_INTENT
            and intent["confidence"] >= FORGET_CONFIDENCE
        ):
            # Nothing of this turn is stored: the visitor asked for the opposite.
            forgotten = Privacy(self.store).forget(message.channel, message.sender_id)
            replies = [Reply(forgotten_reply(requests=forgotten.requests))]
            if outbox is not None:
                # A channel that sends its replies from the outbox (Messenger).
                self.store.outbox.enqueue(list(outbox(replies)), now=datetime.now(UTC))
            return replies
        # A new visitor's conversation is created with their first turn's record.
        conversation = self.store.find_conversation(message.channel, message.sender_id)
        conversation_id = None if conversation is None else conversation.id
        if message.message_id is not None and conversation_id is not None:
            replayed = self.store.handled_replies(conversation_id, message.message_id)
            if replayed is not None:
                return [Reply.from_json(reply) for reply in replayed]
        typed = message.text
        state = {} if conversation is None else conversation.state
        choice = options.chosen(typed, state)
        if choice is not None:
            # "2" right after numbered options presses the second button.
            message = replace(message, text=choice)
            parse = self.understand(choice)
        turn = Turn(
            message,
            parse,
            state,
            self._clock(),
            slot_names=self.domain["slots"],
        )
        # Form answers are kept apart from questions the bot could not answer.
        form_slot = turn.slots.get(REQUESTED_SLOT) if turn.active_loop else None
        given_name = turn.slots.get("name")
        in_form = bool(turn.active_loop) or any(
            turn.slots.get(slot) is not None for slot in FORM_SLOTS
        )
        self._decide(turn, conversation_id)
        redact = None
        if turn.dropped_form and in_form:
            names = [given_name] if isinstance(given_name, str) else []
            redact = contact_redactor(names=names, region=self.phone_region)
            # Said in the cancel or refusal reply itself, which ends the turn.
            last = turn.replies[-1]
            turn.replies[-1] = replace(
                last, text=f"{last.text}\n\n{CONTACT_DETAILS_REMOVED}"
            )
        kept = stored_parse(parse)
        if form_slot:
            kept["form_slot"] = form_slot
        stored = [NewMessage(sender="user", text=typed, parse=kept)]
        stored += [
            NewMessage(sender="bot", text=r.text, data=r.data()) for r in turn.replies
        ]
        state = turn.state()
        offered = options.remembered(turn.replies)
        if offered:
            state[options.STATE_KEY] = offered
        handled = None
        if message.message_id is not None:
            handled = HandledMessage(
                message.message_id, [reply.to_json() for reply in turn.replies]
            )
        entries = list(outbox(turn.replies)) if outbox is not None else []
        if turn.crisis and self.notifier is not None and not (
            conversation is not None and conversation.crisis
        ):
            if conversation_id is None:
                # The notice links to the conversation: it needs its id now.
                conversation_id = self.store.conversation(
                    message.channel, message.sender_id
                ).id
            # Staff hear of a crisis once per conversation, in the turn's commit.
            entries += self.notifier.crisis(conversation_id, message.channel)
        try:
            # Only a redacting turn passes `redact`, so other stores stay compatible.
            extra = {"redact": redact} if redact is not None else {}
            conversation_id = self.store.record_turn(
                conversation_id,
                stored,
                state=state,
                crisis=turn.crisis,
                handled=handled,
                outbox=entries,
                new_conversation=(message.channel, message.sender_id),
                **extra,
            )
        except StorageError as e:
            # The reply matters more than the record: send it regardless, unless
            # it says a request was received that was not stored.
            if not turn.crisis or scope.handoffs:
                raise
            _log_unstored_crisis(message, e)
        logger.debug(
            "turn for conversation %s: intent %s", conversation_id, turn.intent
        )
        return turn.replies

    def _run(
        self, turn: Turn, action_name: str, conversation_id: int | None
    ) -> None:
        if action_name == CANCEL_ACTION or (
            action_name == SUBMIT_ACTION and turn.slots.get("consent") is not True
        ):
            turn.dropped_form = True
        history = None
        if action_name == SUBMIT_ACTION and conversation_id is not None:
            history = [
                {
                    "event": line.sender,
                    "text": line.text,
                    "timestamp": line.timestamp.timestamp(),
                }
                for line in self.store.transcript(conversation_id)
            ]
        events, messages = run_action(
            self.actions[action_name], turn.tracker(history), self.domain
        )
        turn.apply(events, messages)
        # An action may find a crisis the parser did not (the fallback checks
        # the text again): the conversation is flagged all the same.
        if any(_raises_crisis(event) for event in events):
            turn.crisis = True

    def _answer_crisis(self, turn: Turn) -> None:
        """The fixed crisis reply; needs nothing from storage."""
        turn.crisis = True
        events, messages = run_action(
            self.actions["action_crisis"], turn.tracker(), self.domain
        )
        turn.apply(events, messages)

    def _decide(self, turn: Turn, conversation_id: int | None) -> None:
        run = lambda name: self._run(turn, name, conversation_id)  # noqa: E731
        if turn.intent == CRISIS:
            self._answer_crisis(turn)
            return
        _say_safety_line(turn)
        if turn.active_loop == FORM_NAME:
            self._form_turn(turn, run)
            return
        # An offer stands for one turn only: a "yes" later means something else.
        offered = turn.slots.pop(OFFERED_SLOT, False)
        if not self._plain_answer(turn):
            run("action_fallback")
            return
        if turn.intent == "request_consultation" or (
            offered and turn.intent == "affirm"
        ):
            turn.active_loop = FORM_NAME
            turn.slots[REQUESTED_SLOT] = None
            run(f"validate_{FORM_NAME}")
            self._next_form_step(turn, run)
            return
        run(self._action_for(turn.intent))

    def _action_for(self, intent: str) -> str:
        if intent.startswith(FAQ_PREFIX):
            return "action_answer_faq"
        return INTENT_ACTIONS.get(intent, "action_fallback")

    @staticmethod
    def _plain_answer(turn: Turn) -> bool:
        """A yes/no intent counts only for a message that is nothing but yes or no."""
        return turn.intent not in ("affirm", "deny") or (
            parse_consent(turn.message.text) is not None
        )

    def _form_turn(self, turn: Turn, run: Callable[[str], None]) -> None:
        text = turn.message.text
        explicit = parse_payload(text) is not None
        if explicit and turn.intent == "request_consultation":
            # The consultation button pressed again mid-form: carry on, and do
            # not take the payload for an answer.
            self._next_form_step(turn, run)
            return
        # One decision per reply: a withdrawal, a question, or an answer.
        asked = question_asked(
            turn.slots.get(REQUESTED_SLOT), turn.slots.get(OFFERED_PHONE_SLOT)
        )
        reply = classify(text, turn.parse, requested_slot=asked)
        if reply is FormReply.WITHDRAWAL:
            run("action_cancel_consultation")
            return
        answers_question = asks_something_else(turn.parse)
        if reply is FormReply.QUESTION or (answers_question and explicit):
            self._interrupt(turn, run)
            return
        checkpoint = turn.checkpoint()
        run(f"validate_{FORM_NAME}")
        # Only a rejected answer counts: a correction of another slot ("actually
        # my number is ...") leaves the pending slot empty without rejecting it.
        rejected = turn.slots.get(REJECTION_SLOT) is not None
        if rejected and answers_question:
            # Not an answer to the pending question but a clear question of its
            # own: answer it instead of complaining about the format.
            turn.restore(checkpoint)
            self._interrupt(turn, run)
            return
        self._next_form_step(turn, run)

    def _interrupt(self, turn: Turn, run: Callable[[str], None]) -> None:
        """Answer a side question, then bring the pending question back."""
        run(self._action_for(turn.intent))
        turn.slots[REJECTION_SLOT] = None
        requested = turn.slots.get(REQUESTED_SLOT)
        if requested:
            run(f"action_ask_{requested}")

    def _next_form_step(self, turn: Turn, run: Callable[[str], None]) -> None:
        missing = next((s for s in FORM_SLOTS if turn.slots.get(s) is None), None)
        if missing is not None:
            turn.slots[REQUESTED_SLOT] = missing
            run(f"action_ask_{missing}")
            return
        turn.active_loop = None
        turn.slots[REQUESTED_SLOT] = None
        run(SUBMIT_ACTION)


def _say_safety_line(turn: Turn) -> None:
    """One line with the numbers to call, before the answer to a possible crisis.

    Nothing else changes: the message is answered as it would have been, a form
    goes on, and the conversation is not flagged for staff.
    """
    signal = signal_in(turn.parse)
    if signal is not None and signal.level == "possible":
        turn.apply([], [safety_message(signal.kind, signal.language)])


def _raises_crisis(event: Mapping[str, object]) -> bool:
    return (
        event.get("event") == "slot"
        and event.get("name") == CRISIS_SLOT
        and event.get("value") is True
    )


def _log_unstored_crisis(message: IncomingMessage, error: StorageError) -> None:
    # Names of the channel and the failure only: no sender id, no message text.
    logger.error(
        "storage failed (%s) on a crisis turn on %s: crisis reply sent, turn not"
        " stored",
        type(error.__cause__ or error).__name__,
        message.channel,
    )
