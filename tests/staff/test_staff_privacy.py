"""Privacy and retention, staff accounts and request status from the CLI, and
where commands find the database."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.errors import ConfigurationError
from bot.retention import RetentionPurge
from bot.runtime import Runtime
from bot.settings import Settings
from bot.storage import schema
from bot.storage.inbox import Inbox
from staff.helpers import CONSULTATION, make_request
from webhook.staff.secret import session_secret

Send = Callable[..., list[str]]
Runner = Callable[..., tuple[int, str]]


def _stored_texts(runtime: Runtime, sender: str = "visitor-1") -> str:
    conversation = runtime.store.conversation("rest", sender)
    return "\n".join(m.text for m in Inbox(runtime.store).messages(conversation.id))


def test_a_cancelled_form_is_redacted_and_the_reply_says_so(
    runtime: Runtime, visitor: Send
) -> None:
    for text in CONSULTATION[:3]:
        visitor(text)
    visitor("grace.hopper@example.com")
    reply = visitor("cancel")[0]
    assert "removed the contact details you typed" in reply
    stored = _stored_texts(runtime)
    for detail in ("Grace", "Hopper", "513-555-0134", "grace.hopper@example.com"):
        assert detail not in stored
    assert "[phone removed]" in stored and "[name removed]" in stored
    assert "I'd like to book a consultation" in stored  # the rest is kept


def test_refused_consent_is_redacted_too(runtime: Runtime, visitor: Send) -> None:
    for text in CONSULTATION[:-1]:
        visitor(text)
    reply = visitor("no")[0]
    assert "without your consent" in reply and "removed the contact details" in reply
    stored = _stored_texts(runtime)
    assert "Grace" not in stored and "513-555-0134" not in stored
    assert Inbox(runtime.store).requests() == []


def test_a_visitor_can_ask_to_be_forgotten(runtime: Runtime, visitor: Send) -> None:
    make_request(visitor)
    reply = visitor("delete my info")[0]
    assert "deleted this conversation and your consultation request" in reply
    assert Inbox(runtime.store).requests() == []
    conversation = runtime.store.conversation("rest", "visitor-1")
    assert Inbox(runtime.store).messages(conversation.id) == []  # a new, empty one


def test_a_vague_mention_of_data_deletes_nothing(
    runtime: Runtime, visitor: Send
) -> None:
    make_request(visitor)
    visitor("what data do you keep")
    assert len(Inbox(runtime.store).requests()) == 1


def test_purge_deletes_old_conversations_and_closed_requests(
    runtime: Runtime,
    visitor: Send,
    runner: Runner,
    database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_request(visitor, sender="old")
    make_request(visitor, sender="recent")
    Inbox(runtime.store).set_status(1, "closed", author="test")
    long_ago = datetime.now(UTC) - timedelta(days=100)
    with runtime.store.transaction("age", write=True) as conn:
        conn.execute(
            update(schema.conversations)
            .where(schema.conversations.c.sender_id == "old")
            .values(updated_at=long_ago)
        )
        conn.execute(
            update(schema.handoffs)
            .where(schema.handoffs.c.id == 1)
            .values(updated_at=long_ago)
        )
    monkeypatch.setenv("FAQBOT_DATABASE_URL", database)
    status, out = runner("purge", "--older-than", "90d")
    assert status == 0
    assert out.startswith("deleted 1 conversation(s) with 14 message(s)")
    assert out.rstrip().endswith("and 1 closed request(s)")
    assert [r.id for r in Inbox(runtime.store).requests()] == [2]


def test_purge_refuses_a_vague_age(runner: Runner) -> None:
    with pytest.raises(SystemExit):
        runner("purge", "--older-than", "soon")


def test_reading_commands_never_create_a_database(
    runner: Runner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (("handoffs", "list"), ("staff", "list-users")):
        status, _ = runner(*argv)
        assert status == 2
        assert f"no database at {tmp_path}/faqbot.db" in capsys.readouterr().err
    assert not (tmp_path / "faqbot.db").exists()


def test_staff_accounts_from_the_command_line(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough secret\n"))
    status, out = runner("staff", "create-user", "bob", "--password-stdin")
    assert status == 0 and out.startswith("created bob")
    assert "bob" in runner("staff", "list-users")[1]
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert runner("staff", "set-password", "bob", "--password-stdin")[0] == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert runner("staff", "remove-user", "bob") == (0, "removed bob\n")
    assert runner("staff", "remove-user", "bob")[0] == 1


def test_request_status_from_the_command_line(
    runtime: Runtime,
    visitor: Send,
    runner: Runner,
    database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_request(visitor)
    monkeypatch.setenv("FAQBOT_DATABASE_URL", database)
    assert runner("handoffs", "set-status", "1", "contacted") == (
        0,
        "request 1 is contacted\n",
    )
    history = Inbox(runtime.store).history(1)
    assert history[0].text == "new → contacted"
    assert history[0].author.startswith("cli:")
    assert runner("handoffs", "set-status", "99", "closed")[0] == 1


def test_the_session_key_is_kept_for_sqlite_and_required_for_postgres(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env({"FAQBOT_INSTANCE_PATH": str(tmp_path)})
    key = session_secret(settings)
    assert len(key) == 64 and session_secret(settings) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    postgres = Settings.from_env(
        {"FAQBOT_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/test"}
    )
    with pytest.raises(ConfigurationError, match="FAQBOT_SECRET_KEY is not set"):
        session_secret(postgres)
    with pytest.raises(ConfigurationError, match="at least 32"):
        session_secret(
            Settings.from_env(
                {"FAQBOT_SECRET_KEY": "short", "FAQBOT_INSTANCE_PATH": "x"}
            )
        )


def test_commands_find_the_checkouts_database_from_any_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    checkout = Path(__file__).resolve().parents[2]
    assert settings.instance_path == checkout / "instance"


def test_the_daily_purge_runs_once_a_day_across_processes(
    runtime: Runtime, visitor: Send
) -> None:
    make_request(visitor)
    Inbox(runtime.store).set_status(1, "closed", author="test")
    long_ago = datetime.now(UTC) - timedelta(days=40)
    with runtime.store.transaction("age", write=True) as conn:
        conn.execute(update(schema.handoffs).values(updated_at=long_ago))
    first, second = (RetentionPurge(runtime.store, 30) for _ in range(2))
    assert first.run_once() is True
    assert second.run_once() is False  # another process already ran today's
    assert Inbox(runtime.store).requests() == []
