"""Storage for faqbot: conversations, messages and staff handoffs."""

from bot.storage.export import EXPORT_FIELDS, handoffs_to_csv, handoffs_to_json
from bot.storage.records import (
    HANDOFF_STATUSES,
    Conversation,
    Delivery,
    Handoff,
    HandoffDetails,
    NewMessage,
    OutboxEntry,
    TranscriptLine,
)
from bot.storage.schema import SCHEMA_VERSION
from bot.storage.store import Store

__all__ = [
    "EXPORT_FIELDS",
    "HANDOFF_STATUSES",
    "SCHEMA_VERSION",
    "Conversation",
    "Delivery",
    "Handoff",
    "HandoffDetails",
    "NewMessage",
    "OutboxEntry",
    "Store",
    "TranscriptLine",
    "handoffs_to_csv",
    "handoffs_to_json",
]
