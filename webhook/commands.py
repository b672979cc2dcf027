"""What each `faqbot` command does; `webhook.cli` parses the arguments."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import TextIO

from bot.settings import Settings


def parse(args: argparse.Namespace, out: TextIO) -> int:
    """Print the parse result of one message."""
    from bot.knowledge import load_knowledge_base
    from bot.runtime import build_parser

    semantic = Settings.from_env().semantic
    result = build_parser(load_knowledge_base(), semantic=semantic).parse(args.text)
    print(json.dumps(result, indent=2, ensure_ascii=False), file=out)
    return 0


def evaluate(args: argparse.Namespace, out: TextIO) -> int:
    """Score a labelled file; non-zero exit below --min-accuracy."""
    from bot.knowledge import load_knowledge_base
    from bot.runtime import build_parser
    from bot.tooling.evaluation import evaluate as run_evaluation
    from bot.tooling.evaluation import load_labelled, render

    items = load_labelled(args.file)
    parser = build_parser(load_knowledge_base(), semantic=Settings.from_env().semantic)
    report = run_evaluation(items, parser.parse)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False), file=out)
    else:
        print(render(report), file=out)
    if args.min_accuracy is not None and report.accuracy < args.min_accuracy:
        print(
            f"faqbot: accuracy {report.accuracy:.1%} is below {args.min_accuracy:.1%}",
            file=sys.stderr,
        )
        return 1
    return 0


def chat(args: argparse.Namespace, out: TextIO) -> int:
    """A conversation in the terminal, stored like any other channel's."""
    from bot.messages import IncomingMessage
    from bot.runtime import build_runtime

    runtime = build_runtime(Settings.from_env())
    sender = f"cli-{uuid.uuid4().hex[:12]}"
    print("faqbot chat: type a message, or an empty line to quit.", file=out)
    for line in sys.stdin:
        text = line.strip()
        if not text:
            break
        replies = runtime.engine.handle(IncomingMessage("cli", sender, text))
        # Numbered across the turn, as the engine counts them: typing a number
        # presses that button.
        number = 0
        for reply in replies:
            print(f"bot> {reply.text}", file=out)
            for button in reply.buttons:
                number += 1
                print(f"     [{number}] {button.title}", file=out)
        if number:
            print("     (type a number to choose)", file=out)
    return 0


def extract(args: argparse.Namespace, out: TextIO) -> int:
    """Write a draft knowledge base from an article."""
    from knowledge.extract import draft_to_yaml, extract_article

    text = args.article.read_text(encoding="utf-8")
    draft = extract_article(text, source=args.article.name)
    args.output.write_text(draft_to_yaml(draft), encoding="utf-8")
    print(f"wrote {len(draft.entries)} draft entries to {args.output}", file=out)
    return 0


def serve(args: argparse.Namespace, out: TextIO) -> int:
    """Serve the HTTP API with gunicorn."""
    from bot.storage import Store
    from webhook import create_app
    from webhook.server import serve as run_server
    from webhook.staff.secret import session_secret

    settings = Settings.from_env()
    # Refuse to start now, with the reason, rather than in every worker.
    session_secret(settings)
    # Migrate once, before the workers start, so they never race to create tables.
    store = Store.from_url(settings.database_url)
    store.upgrade()
    store.dispose()
    print(f"faqbot: serving on http://{args.host}:{args.port}/", file=out, flush=True)
    run_server(
        create_app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        connections=args.connections,
        read_timeout=args.read_timeout,
    )
    return 0


def db(args: argparse.Namespace, out: TextIO) -> int:
    """Create or migrate the schema."""
    from bot.storage import Store

    store = Store.from_url(Settings.from_env().database_url)
    version = store.upgrade()
    store.dispose()
    print(f"database schema at version {version}", file=out)
    return 0


def handoffs(args: argparse.Namespace, out: TextIO) -> int:
    """List or export consultation requests."""
    from bot.storage import handoffs_to_csv, handoffs_to_json
    from webhook.data_commands import open_store

    # Reading only: a missing database is an error, not a new empty one.
    store = open_store(Settings.from_env(), read_only=True)
    try:
        found = store.handoffs(status=args.status)
    finally:
        store.dispose()
    if args.handoffs_command == "export":
        text = (
            handoffs_to_json(found) if args.format == "json" else handoffs_to_csv(found)
        )
        out.write(text if text.endswith("\n") else text + "\n")
        return 0
    print(
        f"{'id':>4}  {'created (UTC)':<16}  {'status':<9}  {'channel':<9}  "
        f"{'name':<24}  {'phone':<16}  crisis",
        file=out,
    )
    for h in found:
        print(
            f"{h.id:>4}  {h.created_at:%Y-%m-%d %H:%M}  {h.status:<9}  "
            f"{h.channel:<9}  {h.name[:24]:<24}  {h.phone:<16}  "
            f"{'yes' if h.crisis else ''}",
            file=out,
        )
    print(f"{len(found)} handoff(s)", file=out)
    return 0


def export_rasa(args: argparse.Namespace, out: TextIO) -> int:
    """Write a Rasa 3.x project that uses faqbot's action server."""
    from bot.knowledge import load_knowledge_base
    from bot.tooling.rasa_export import export_rasa_project

    written = export_rasa_project(
        load_knowledge_base(), args.directory, action_endpoint=args.action_endpoint
    )
    print(f"wrote {len(written)} files to {args.directory}", file=out)
    return 0


def train_crisis(args: argparse.Namespace, out: TextIO) -> int:
    """Train the crisis model on the bank and write it beside the bank."""
    from bot.knowledge import default_directory, load_knowledge_base
    from bot.tooling.crisis_training import train_and_write
    from bot.understanding.crisis_bank import bank_directory

    directory = args.bank or Path(str(bank_directory(default_directory())))
    path = train_and_write(load_knowledge_base(), directory)
    print(f"crisis model written to {path}", file=out)
    return 0


def train_intents(args: argparse.Namespace, out: TextIO) -> int:
    """Train the intent model on the shipped knowledge base and write it there."""
    from bot.knowledge import default_directory, load_knowledge_base
    from bot.tooling.intent_training import train_and_write

    directory = Path(str(default_directory()))
    path = train_and_write(load_knowledge_base(directory), directory)
    print(f"intent model written to {path}", file=out)
    return 0
