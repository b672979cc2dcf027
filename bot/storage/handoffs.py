"""Writing a consultation request: its row and the outbox entry that announces it.

A request is written in the transaction of the turn that confirmed it (see
`Store.turn`), or alone when no turn is running (Rasa calling the action
server); either way its announcement to staff is an outbox entry of the same
transaction, delivered once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from bot.storage import schema
from bot.storage.outbox import insert_entries
from bot.storage.records import HandoffDetails, OutboxEntry, TranscriptLine, as_utc

# The outbox kind announcing a new request; `bot.delivery` handles it.
HANDOFF_NOTICE = "handoff.new"
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def handoff_values(
    details: HandoffDetails,
    *,
    channel: str,
    sender_id: str,
    transcript: Sequence[TranscriptLine],
    crisis: bool,
) -> dict[str, Any]:
    """The handoffs row for a consented request; ValueError if it is malformed."""
    if not _E164.fullmatch(details.phone):
        raise ValueError("phone must be in E.164 form, e.g. +15135550134")
    return {
        "channel": channel,
        "sender_id": sender_id,
        "name": details.name,
        "phone": details.phone,
        "email": details.email,
        "preferred_time": details.preferred_time,
        "condition": details.condition,
        # The form only hands over once the visitor has said yes.
        "consent": True,
        "consent_at": as_utc(details.consent_at),
        "crisis": crisis,
        "status": "new",
        "notes": "",
        "transcript": [line.to_json() for line in transcript],
    }


def insert_handoff(conn: Connection, values: dict[str, Any], *, now: datetime) -> int:
    """Insert the request and its notice in the caller's transaction; its id."""
    conversation = schema.conversations
    conversation_id = (
        select(conversation.c.id)
        .where(
            conversation.c.channel == values["channel"],
            conversation.c.sender_id == values["sender_id"],
        )
        .scalar_subquery()
    )
    result = conn.execute(
        schema.handoffs.insert().values(
            conversation_id=conversation_id, created_at=now, updated_at=now, **values
        )
    )
    handoff_id: int = result.inserted_primary_key[0]
    # Ids and flags only: the staff inbox shows the rest behind sign-in.
    notice = OutboxEntry(
        kind=HANDOFF_NOTICE,
        key=f"handoff-{handoff_id}",
        payload={
            "handoff_id": handoff_id,
            "channel": values["channel"],
            "crisis": values["crisis"],
        },
    )
    insert_entries(conn, [notice], now=now)
    return handoff_id
