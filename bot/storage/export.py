"""Handoffs exported for staff as JSON or spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from bot.storage.records import Handoff, TranscriptLine, as_utc

EXPORT_FIELDS = (
    "id",
    "created_at",
    "status",
    "channel",
    "sender_id",
    "name",
    "phone",
    "email",
    "preferred_time",
    "condition",
    "consent",
    "crisis",
    "notes",
    "transcript",
)

# A spreadsheet reads a cell starting with one of these as a formula; tab and
# carriage return are on OWASP's list because some importers strip them first.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _record(handoff: Handoff) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "created_at": as_utc(handoff.created_at).isoformat(),
        "status": handoff.status,
        "channel": handoff.channel,
        "sender_id": handoff.sender_id,
        "name": handoff.name,
        "phone": handoff.phone,
        "email": handoff.email,
        "preferred_time": handoff.preferred_time,
        "condition": handoff.condition,
        "consent": handoff.consent,
        "crisis": handoff.crisis,
        "notes": handoff.notes,
        "transcript": [line.to_json() for line in handoff.transcript],
    }


def handoffs_to_json(handoffs: Sequence[Handoff]) -> str:
    """Render handoffs as a JSON list of objects keyed by EXPORT_FIELDS."""
    return json.dumps([_record(h) for h in handoffs], ensure_ascii=False, indent=2)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _transcript_cell(lines: Sequence[TranscriptLine]) -> str:
    return "\n".join(f"{line.sender}: {line.text}" for line in lines)


def handoffs_to_csv(
    handoffs: Sequence[Handoff], *, phone: Callable[[str], str] | None = None
) -> str:
    """Render handoffs as CSV, a header row then one row per handoff.

    `phone` formats the phone numbers (staff pages pass the national format).
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_FIELDS)
    for handoff in handoffs:
        record = _record(handoff)
        record["transcript"] = _transcript_cell(handoff.transcript)
        if phone is not None:
            record["phone"] = phone(handoff.phone)
        writer.writerow([_cell(record[field]) for field in EXPORT_FIELDS])
    return out.getvalue()
