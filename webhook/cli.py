"""The `faqbot` command line: understanding, conversations, data and the server."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.errors import (
    ConfigurationError,
    EvaluationFileError,
    KnowledgeBaseError,
    StorageError,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faqbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", help="print the parse result of TEXT as JSON")
    parse.add_argument("text")

    evaluate = commands.add_parser(
        "eval",
        help="score a labelled file of messages (or a folder of them): accuracy,"
        " and crisis recall and false alarms per crisis kind",
    )
    evaluate.add_argument("file", type=Path, help="a .yml file, or a folder of them")
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.add_argument(
        "--min-accuracy",
        type=float,
        default=None,
        metavar="X",
        help="exit with status 1 when accuracy is below X (0-1)",
    )

    commands.add_parser("chat", help="talk to the bot in the terminal")

    train_crisis = commands.add_parser(
        "train-crisis",
        help="train the crisis model on knowledge/crisis/ and write its model.npz",
    )
    train_crisis.add_argument(
        "--bank", type=Path, default=None, help="another bank folder (default: shipped)"
    )

    commands.add_parser(
        "train-intents",
        help="train the intent model on the phrasings and knowledge/visitors/ "
        "and write knowledge/intent_model.npz",
    )

    extract = commands.add_parser(
        "extract", help="draft a knowledge base from an article"
    )
    extract.add_argument("article", type=Path)
    extract.add_argument("-o", "--output", type=Path, required=True)

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5005)
    serve.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="processes (default: one per core)",
    )
    serve.add_argument(
        "--connections",
        type=int,
        default=1000,
        help="open connections per process (default 1000; each waits in a"
        " greenlet, so slow clients hold no worker)",
    )
    serve.add_argument(
        "--read-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="longest pause while reading a request body (default 10; then 408)",
    )

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="create or migrate the schema")

    handoffs = commands.add_parser("handoffs", help="consultation requests")
    handoff_commands = handoffs.add_subparsers(dest="handoffs_command", required=True)
    listing = handoff_commands.add_parser("list", help="print a table")
    listing.add_argument("--status", choices=("new", "contacted", "closed"))
    export = handoff_commands.add_parser("export", help="print every handoff")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--status", choices=("new", "contacted", "closed"))

    set_status = handoff_commands.add_parser(
        "set-status", help="mark a request new, contacted or closed"
    )
    set_status.add_argument("id", type=int)
    set_status.add_argument("status", choices=("new", "contacted", "closed"))

    staff = commands.add_parser("staff", help="staff accounts for the staff pages")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    for name, text in (
        ("create-user", "add an account (password prompted)"),
        ("set-password", "change an account's password"),
    ):
        command = staff_commands.add_parser(name, help=text)
        command.add_argument("name")
        command.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input's first line",
        )
    staff_commands.add_parser("list-users", help="list accounts")
    staff_commands.add_parser("remove-user", help="delete an account").add_argument(
        "name"
    )

    from webhook.data_commands import parse_duration

    purge = commands.add_parser(
        "purge", help="delete conversations and closed requests past retention"
    )
    purge.add_argument(
        "--older-than",
        type=parse_duration,
        required=True,
        metavar="AGE",
        help="e.g. 90d, 12w or 36h",
    )

    knowledge = commands.add_parser("knowledge", help="what staff taught the bot")
    knowledge_commands = knowledge.add_subparsers(
        dest="knowledge_command", required=True
    )
    knowledge_commands.add_parser(
        "export", help="write learned phrasings and clinic topics as YAML"
    ).add_argument("directory", type=Path)

    rasa = commands.add_parser("export-rasa", help="write a Rasa 3.x project")
    rasa.add_argument("directory", type=Path)
    rasa.add_argument("--action-endpoint", default="http://localhost:5005/webhook")
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run one command; return the exit status."""
    args = _parser().parse_args(argv)
    out = out or sys.stdout
    try:
        return _dispatch(args, out)
    except (
        KnowledgeBaseError,
        EvaluationFileError,
        ConfigurationError,
        StorageError,
        OSError,
    ) as e:
        print(f"faqbot: {e}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace, out: TextIO) -> int:
    from webhook import commands, data_commands

    if args.command == "handoffs" and args.handoffs_command == "set-status":
        return data_commands.set_status(args, out)
    handlers = {
        "staff": data_commands.staff,
        "purge": data_commands.purge,
        "knowledge": data_commands.knowledge,
        "parse": commands.parse,
        "eval": commands.evaluate,
        "chat": commands.chat,
        "extract": commands.extract,
        "serve": commands.serve,
        "db": commands.db,
        "handoffs": commands.handoffs,
        "export-rasa": commands.export_rasa,
        "train-crisis": commands.train_crisis,
        "train-intents": commands.train_intents,
    }
    return handlers[args.command](args, out)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
