"""Rewriting a conversation's stored messages, e.g. to take contact details out."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, bindparam, select

from bot.storage import schema


def redact_conversation(
    conn: Connection, conversation_id: int, redact: Callable[[str], str]
) -> int:
    """Rewrite the conversation's messages through `redact`; return how many changed."""
    table = schema.messages
    rows = conn.execute(
        select(table.c.id, table.c.text).where(
            table.c.conversation_id == conversation_id
        )
    ).all()
    changed = [
        {"message": row.id, "new_text": new}
        for row in rows
        if (new := redact(row.text)) != row.text
    ]
    if changed:
        conn.execute(
            table.update()
            .where(table.c.id == bindparam("message"))
            .values(text=bindparam("new_text")),
            changed,
        )
    return len(changed)
