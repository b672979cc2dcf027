"""Consultation dialogues run through the REST channel, checked in the staff export.

Two sets in one format: the shared development set (shared/eval/handoff_dev.yml,
skipped when that checkout is absent) and the suite's own dialogues
(tests/data/handoff_dialogues.yml, always run). Each dialogue is sent turn by turn
to `POST /webhooks/rest/webhook`; then `faqbot handoffs export --format json`
must show a handoff for that sender exactly when `stored` says so, holding what
`must_contain` says.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import yaml
from conftest import SHARED
from flask.testing import FlaskClient

DEV_FILE = SHARED / "eval" / "handoff_dev.yml"
OWN_FILE = Path(__file__).parent / "data" / "handoff_dialogues.yml"
CHECKED_FIELDS = frozenset({"name", "phone_digits", "email"})


@dataclass(frozen=True)
class Dialogue:
    """One conversation and what it must leave in the handoff export."""

    id: str
    turns: tuple[str, ...]
    stored: bool
    must_contain: Mapping[str, str]


def load_dialogues(path: Path) -> list[Dialogue]:
    """Read a dialogue file; a malformed entry fails loudly, naming it."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    dialogues = []
    for entry in entries:
        unknown = set(entry["must_contain"]) - CHECKED_FIELDS
        if unknown:
            raise ValueError(f"{path.name}: {entry['id']}: cannot check {unknown}")
        if not entry["turns"] or not all(isinstance(t, str) for t in entry["turns"]):
            raise ValueError(f"{path.name}: {entry['id']}: turns must be text")
        dialogues.append(
            Dialogue(
                id=entry["id"],
                turns=tuple(entry["turns"]),
                stored=bool(entry["stored"]),
                must_contain=dict(entry["must_contain"]),
            )
        )
    return dialogues


def dev_params() -> list[Any]:
    if not DEV_FILE.is_file():
        reason = f"shared development set not found at {DEV_FILE}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="absent")]
    return [pytest.param(d, id=d.id) for d in load_dialogues(DEV_FILE)]


def own_params() -> list[Any]:
    return [pytest.param(d, id=d.id) for d in load_dialogues(OWN_FILE)]


@pytest.fixture
def check(
    client: FlaskClient,
    runner: Callable[..., tuple[int, str]],
    database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[Dialogue], None]:
    """Run a dialogue through the REST channel, then check the JSON export."""
    monkeypatch.setenv("FAQBOT_DATABASE_URL", database)

    def run(dialogue: Dialogue) -> None:
        sender = f"dialogue-{dialogue.id}"
        for turn in dialogue.turns:
            response = client.post(
                "/webhooks/rest/webhook", json={"sender": sender, "message": turn}
            )
            assert response.status_code == 200, (turn, response.get_json())
        status, out = runner("handoffs", "export", "--format", "json")
        assert status == 0, out
        records = [r for r in json.loads(out) if r["sender_id"] == sender]
        if not dialogue.stored:
            assert records == [], f"{dialogue.id}: nothing may be stored"
            return
        assert len(records) == 1, f"{dialogue.id}: expected one handoff"
        [record] = records
        found = {
            "name": record["name"].casefold(),
            "phone_digits": str(phonenumbers.parse(record["phone"]).national_number),
            "email": record["email"],
        }
        expected = dict(dialogue.must_contain)
        if "name" in expected:
            expected["name"] = expected["name"].casefold()
        assert {k: found[k] for k in expected} == expected, dialogue.id
        assert record["consent"] is True
        assert record["phone"].startswith("+")

    return run


@pytest.mark.parametrize("dialogue", dev_params())
def test_shared_dev_dialogue(
    check: Callable[[Dialogue], None], dialogue: Dialogue
) -> None:
    check(dialogue)


@pytest.mark.parametrize("dialogue", own_params())
def test_own_dialogue(check: Callable[[Dialogue], None], dialogue: Dialogue) -> None:
    check(dialogue)


def test_own_dialogues_are_well_formed() -> None:
    dialogues = load_dialogues(OWN_FILE)
    ids = [d.id for d in dialogues]
    assert len(ids) == len(set(ids)) >= 8
    assert {d.stored for d in dialogues} == {True, False}
    for dialogue in dialogues:
        if dialogue.stored:
            assert {"name", "phone_digits"} <= dialogue.must_contain.keys()
        else:
            assert dialogue.must_contain == {}
