"""Handoff export as JSON and spreadsheet-safe CSV, from handoffs really stored."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import (
    EXPORT_FIELDS,
    Handoff,
    HandoffDetails,
    NewMessage,
    Store,
    handoffs_to_csv,
    handoffs_to_json,
)


def save(
    store: Store,
    *,
    name: str = "Test Visitor",
    sender_id: str = "+15135550134",
    email: str | None = "visitor@example.com",
    condition: str | None = "fibromyalgia",
    preferred_time: str | None = "after 3pm",
    crisis: bool = False,
) -> Handoff:
    conv = store.conversation("sms", sender_id)
    store.record_turn(
        conv.id,
        [NewMessage("user", "can I book?"), NewMessage("bot", "Of course.")],
        state={},
    )
    handoff_id = store.save_handoff(
        HandoffDetails(
            name=name,
            phone="+15135550134",
            email=email,
            preferred_time=preferred_time,
            condition=condition,
            consent_at=datetime.now(UTC),
        ),
        channel="sms",
        sender_id=sender_id,
        transcript=store.transcript(conv.id),
        crisis=crisis,
    )
    saved = store.handoff(handoff_id)
    assert saved is not None
    return saved


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_json_export_has_every_field_with_its_type(store: Store) -> None:
    first = save(store)
    save(store, sender_id="+15135550199", email=None, condition=None, crisis=True)

    exported = json.loads(handoffs_to_json(store.handoffs()))

    assert isinstance(exported, list)
    assert len(exported) == 2
    for record in exported:
        assert list(record) == list(EXPORT_FIELDS)
        assert isinstance(record["id"], int)
        created = datetime.fromisoformat(record["created_at"])
        assert created.utcoffset() == timedelta(0)
        for field in ("status", "channel", "sender_id", "name", "phone", "notes"):
            assert isinstance(record[field], str)
        assert record["consent"] is True
        assert isinstance(record["crisis"], bool)
        for line in record["transcript"]:
            assert set(line) == {"sender", "text", "timestamp"}
            assert line["sender"] in ("user", "bot")
            assert datetime.fromisoformat(line["timestamp"]).utcoffset() == timedelta(0)

    one, two = exported
    assert one["id"] == first.id
    assert datetime.fromisoformat(one["created_at"]) == first.created_at
    assert (one["name"], one["email"], one["condition"]) == (
        "Test Visitor",
        "visitor@example.com",
        "fibromyalgia",
    )
    assert [(t["sender"], t["text"]) for t in one["transcript"]] == [
        ("user", "can I book?"),
        ("bot", "Of course."),
    ]
    assert (two["email"], two["condition"], two["crisis"]) == (None, None, True)


def test_json_export_of_nothing_is_an_empty_list() -> None:
    assert json.loads(handoffs_to_json([])) == []


def test_csv_export_reads_back_row_for_row(store: Store) -> None:
    tricky = 'Doe, Jane\nsecond line "quoted"'
    saved = save(store, name=tricky, email=None)

    rows = read_csv(handoffs_to_csv(store.handoffs()))

    assert rows[0] == list(EXPORT_FIELDS)
    assert len(rows) == 2
    row = dict(zip(EXPORT_FIELDS, rows[1], strict=True))
    assert row["id"] == str(saved.id)
    assert datetime.fromisoformat(row["created_at"]) == saved.created_at
    assert row["name"] == tricky
    assert row["email"] == ""
    assert (row["consent"], row["crisis"]) == ("true", "false")
    assert row["transcript"] == "user: can I book?\nbot: Of course."


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://example.com","x")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_csv_export_defuses_formulas(store: Store, value: str) -> None:
    saved = save(store, name=value, condition=value, preferred_time=value)
    store.update_handoff(saved.id, notes=value)

    rows = read_csv(handoffs_to_csv(store.handoffs()))

    row = dict(zip(EXPORT_FIELDS, rows[1], strict=True))
    for field in ("name", "condition", "preferred_time", "notes"):
        assert row[field] == "'" + value
    # An E.164 number starts with "+", which a spreadsheet would evaluate too.
    assert row["phone"] == "'+15135550134"


def test_csv_export_leaves_ordinary_text_alone(store: Store) -> None:
    save(store, name="Ana O'Neil", condition="CRPS - left arm")

    rows = read_csv(handoffs_to_csv(store.handoffs()))
    row = dict(zip(EXPORT_FIELDS, rows[1], strict=True))

    assert (row["name"], row["condition"]) == ("Ana O'Neil", "CRPS - left arm")


def test_csv_export_of_nothing_is_just_the_header() -> None:
    assert read_csv(handoffs_to_csv([])) == [list(EXPORT_FIELDS)]
