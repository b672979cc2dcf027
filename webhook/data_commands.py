"""`faqbot` commands over stored data: staff accounts, request status, purge,
learned knowledge. Commands that only read never create a database."""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import TextIO

import yaml
from sqlalchemy.engine import make_url

from bot.errors import ConfigurationError
from bot.settings import Settings
from bot.storage import Store

_DURATION = re.compile(r"(\d+)([dhw])")


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """The server's database. Read-only: ConfigurationError naming where it
    looked if there is none, instead of creating an empty one."""
    # Built first: a malformed URL is refused with its own reason.
    store = Store.from_url(settings.database_url)
    if read_only and settings.uses_sqlite:
        database = make_url(settings.database_url).database or ""
        path = Path(database)
        if not database.startswith("file:") and not path.is_file():
            store.dispose()
            raise ConfigurationError(
                f"no database at {path}: set FAQBOT_DATABASE_URL or"
                " FAQBOT_INSTANCE_PATH to the server's, or start the server once"
            )
    store.upgrade()
    return store


def where(settings: Settings) -> str:
    """The database location, without a password."""
    if settings.uses_sqlite:
        return settings.database_url.removeprefix("sqlite:///")
    return re.sub(r"//[^@/]*@", "//", settings.database_url)


def staff(args: argparse.Namespace, out: TextIO) -> int:
    """Manage staff accounts."""
    from bot.storage.staff_users import StaffUserError, StaffUsers

    settings = Settings.from_env()
    store = open_store(settings, read_only=args.staff_command == "list-users")
    try:
        users = StaffUsers(store)
        if args.staff_command == "list-users":
            found = users.list()
            for user in found:
                print(
                    f"{user.username:<24} created {user.created_at:%Y-%m-%d %H:%M} UTC",
                    file=out,
                )
            print(f"{len(found)} user(s) in {where(settings)}", file=out)
            return 0
        if args.staff_command == "remove-user":
            users.remove(args.name)
            print(f"removed {args.name}", file=out)
            return 0
        password = _password(args.password_stdin)
        if args.staff_command == "create-user":
            users.create(args.name, password)
            print(f"created {args.name} in {where(settings)}", file=out)
        else:
            users.set_password(args.name, password)
            print(f"password of {args.name} changed; its sessions are ended", file=out)
        return 0
    except StaffUserError as e:
        print(f"faqbot: {e}", file=sys.stderr)
        return 1
    finally:
        store.dispose()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise ConfigurationError("the passwords differ; nothing was changed")
    return first


def set_status(args: argparse.Namespace, out: TextIO) -> int:
    """`faqbot handoffs set-status ID STATUS`, recorded as by the CLI user."""
    from bot.errors import HandoffNotFound
    from bot.storage.inbox import Inbox

    store = open_store(Settings.from_env(), read_only=True)
    try:
        Inbox(store).set_status(args.id, args.status, author=f"cli:{getpass.getuser()}")
    except HandoffNotFound as e:
        print(f"faqbot: {e}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    print(f"request {args.id} is {args.status}", file=out)
    return 0


def parse_duration(text: str) -> timedelta:
    """ "90d", "12w" or "36h"; ValueError otherwise."""
    match = _DURATION.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration such as 90d, 12w or 36h"
        )
    amount, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount)}.get(
        unit, timedelta(weeks=amount)
    )


def purge(args: argparse.Namespace, out: TextIO) -> int:
    """Delete conversations and closed requests older than the retention period."""
    from bot.storage.privacy import Privacy

    store = open_store(Settings.from_env(), read_only=True)
    try:
        purged = Privacy(store).purge(args.older_than)
    finally:
        store.dispose()
    print(
        f"deleted {purged.conversations} conversation(s) with {purged.messages}"
        f" message(s), and {purged.requests} closed request(s)",
        file=out,
    )
    return 0


def knowledge(args: argparse.Namespace, out: TextIO) -> int:
    """`faqbot knowledge export DIR`: learned phrasings and clinic topics as YAML."""
    from bot.knowledge import CLINIC_SECTION
    from bot.storage.learning import Learning

    store = open_store(Settings.from_env(), read_only=True)
    try:
        learned = Learning(store).learned()
    finally:
        store.dispose()
    directory: Path = args.directory
    directory.mkdir(parents=True, exist_ok=True)
    phrasings: dict[str, list[str]] = {}
    for p in learned.phrasings:
        phrasings.setdefault(p.intent, []).append(p.text)
    topics = [
        {
            "id": f"clinic_{t.slug}",
            "question": t.question,
            "section": CLINIC_SECTION,
            "answer": t.answer,
            "sms": t.sms,
            "related": [],
            "examples": list(t.examples),
            "written_by": t.created_by,
            "written_at": t.created_at.isoformat(),
        }
        for t in learned.topics
    ]
    header = "# Learned by faqbot from staff; review before merging into the base.\n"
    (directory / "learned_phrasings.yml").write_text(
        header
        + yaml.safe_dump({"phrasings": phrasings}, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    (directory / "clinic_topics.yml").write_text(
        header
        + yaml.safe_dump({"topics": topics}, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    print(
        f"wrote {len(learned.phrasings)} phrasing(s) and {len(topics)} clinic"
        f" topic(s) to {directory}",
        file=out,
    )
    return 0
