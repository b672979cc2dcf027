"""The `faqbot` command line, run in-process against a database under tmp_path."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.tooling.evaluation import load_labelled
from bot.understanding.parser import Parser

DATA = Path(__file__).parent / "data"
Runner = Callable[..., tuple[int, str]]


def test_parse_prints_rasas_parse_result(runner: Runner) -> None:
    status, out = runner("parse", "wat r the side efects of ketamin")
    assert status == 0
    result = json.loads(out)
    assert result["intent"]["name"] == "faq/side_effects"
    assert result["text"] == "wat r the side efects of ketamin"


def test_eval_reports_and_gates_on_accuracy(runner: Runner, tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.yml"
    labelled.write_text(
        yaml.safe_dump(
            [
                {
                    "text": "is ketamine safe for adults",
                    "expect": ["faq/ketamine_safety"],
                },
                {"text": "i want to end my life", "expect": ["crisis"]},
                {"text": "hello there!", "expect": ["goodbye"]},  # wrong on purpose
            ]
        )
    )
    status, out = runner("eval", str(labelled))
    assert status == 0
    assert "intent accuracy     66.7%" in out
    assert "crisis recall       100.0%" in out
    assert "'hello there!'" in out

    status, out = runner("eval", str(labelled), "--json")
    assert json.loads(out)["total"] == 3

    status, _ = runner("eval", str(labelled), "--min-accuracy", "0.9")
    assert status == 1


def test_eval_of_a_folder_reports_crisis_figures_per_kind(
    runner: Runner, parser: Parser
) -> None:
    """Run on tests/data/crisis_eval with the product's parser; the figures are
    checked against what that parser makes of each message."""
    folder = DATA / "crisis_eval"
    status, out = runner("eval", str(folder), "--json")
    assert status == 0
    report = json.loads(out)
    items = load_labelled(folder)
    assert report["total"] == len(items)
    rows = {row["kind"]: row for row in report["crisis_by_kind"]}
    assert {"suicide", "overdose", "idiom", "all"} <= set(rows)
    for kind, row in rows.items():
        mine = [i for i in items if kind in ("all", i.kind) and i.kind is not None]
        levels = [_tier(parser.parse(i.text)) for i in mine if "crisis" in i.expect]
        near = [_tier(parser.parse(i.text)) for i in mine if "crisis" not in i.expect]
        assert row["crises"] == len(levels), kind
        assert row["caught"] == levels.count("clear"), kind
        assert row["possible_only"] == levels.count("possible"), kind
        assert row["missed"] == levels.count(None), kind
        assert row["near_misses"] == len(near), kind
        assert row["false_alarms"] == near.count("clear"), kind
        assert row["safety_lines"] == near.count("possible"), kind
    assert rows["idiom"]["crises"] == 0 and rows["idiom"]["near_misses"] == 2

    status, text = runner("eval", str(folder))
    assert status == 0
    assert "crisis by kind" in text and "near-misses" in text
    assert "ordinary accuracy" in text
    assert any(line.split()[:2] == ["idiom", "0"] for line in text.splitlines())


def _tier(result: dict[str, Any]) -> str | None:
    if result["intent"]["name"] == "crisis":
        return "clear"
    return "possible" if result.get("crisis", {}).get("level") == "possible" else None


def test_eval_of_a_missing_file_is_a_clear_error(
    runner: Runner, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _ = runner("eval", "/nonexistent/labelled.yml")
    assert status == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("article", ["article.html", "article.md"])
def test_extract_writes_a_draft_knowledge_base(
    runner: Runner, tmp_path: Path, article: str
) -> None:
    draft = tmp_path / "draft.yml"
    status, out = runner("extract", str(DATA / article), "-o", str(draft))
    assert status == 0 and "draft entries" in out
    data = yaml.safe_load(draft.read_text())
    sections = {t["section"] for t in data["topics"]}
    assert "Nerve Damage" in sections
    assert all(t["source"] == article for t in data["topics"])


def test_db_upgrade_then_empty_handoff_listing(runner: Runner) -> None:
    assert runner("db", "upgrade") == (0, "database schema at version 1\n")
    status, out = runner("handoffs", "list")
    assert status == 0 and out.strip().endswith("0 handoff(s)")
    assert runner("handoffs", "export", "--format", "json") == (0, "[]\n")
    status, out = runner("handoffs", "export", "--format", "csv")
    assert status == 0 and out.startswith("id,created_at,status")


def test_export_rasa_writes_a_project(runner: Runner, tmp_path: Path) -> None:
    status, out = runner("export-rasa", str(tmp_path / "rasa"))
    assert status == 0
    for name in ("domain.yml", "config.yml", "endpoints.yml", "data/nlu.yml"):
        assert (tmp_path / "rasa" / name).is_file()


def test_unknown_command_exits_with_usage(runner: Runner) -> None:
    with pytest.raises(SystemExit) as exit_info:
        runner("frobnicate")
    assert exit_info.value.code == 2


def test_chat_talks_in_the_terminal_and_stores_the_conversation(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "hello\nis ketamine addictive?\ni want to end it all\n\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    status, out = runner("chat")
    assert status == 0
    replies = [line for line in out.splitlines() if line.startswith("bot> ")]
    assert "automated assistant" in replies[0]
    assert "addiction" in replies[1].lower()
    assert "988" in replies[2] and "911" in replies[2]
    assert "[1] " in out  # buttons are numbered for the terminal


# variable -> (value, words the one-line error must contain)
BAD_CONFIGURATION = {
    "in-memory sqlite": ("FAQBOT_DATABASE_URL", "sqlite://", "in-memory"),
    "in-memory sqlite file": (
        "FAQBOT_DATABASE_URL",
        "sqlite:///:memory:",
        "in-memory",
    ),
    "unsupported database": (
        "FAQBOT_DATABASE_URL",
        "mysql://clinic:hunter2@db.example/faqbot",
        "unsupported database URL scheme 'mysql'",
    ),
    "driver not installed": (
        "FAQBOT_DATABASE_URL",
        "postgresql+psycopg2://clinic:hunter2@db.example/faqbot",
        "no driver",
    ),
    "not a url": ("FAQBOT_DATABASE_URL", "instance/faqbot.db", "malformed"),
    "port not a number": (
        "FAQBOT_DATABASE_URL",
        "postgresql+psycopg://clinic:hunter2@db.example:five/faqbot",
        "malformed",
    ),
    "bad driver option": (
        "FAQBOT_DATABASE_URL",
        "sqlite:///{tmp}/faqbot.db?timeout=soon",
        "options are invalid",
    ),
    "unknown phone region": ("FAQBOT_PHONE_REGION", "XX", "FAQBOT_PHONE_REGION"),
    "bad message limit": (
        "FAQBOT_MAX_MESSAGE_CHARS",
        "lots",
        "FAQBOT_MAX_MESSAGE_CHARS",
    ),
}


@pytest.mark.parametrize("command", [("db", "upgrade"), ("handoffs", "list")])
@pytest.mark.parametrize(
    ("variable", "value", "words"),
    BAD_CONFIGURATION.values(),
    ids=list(BAD_CONFIGURATION),
)
def test_bad_configuration_is_one_line_and_status_2(
    runner: Runner,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: tuple[str, ...],
    variable: str,
    value: str,
    words: str,
) -> None:
    monkeypatch.setenv(variable, value.format(tmp=tmp_path))
    status, out = runner(*command)
    err = capsys.readouterr().err
    assert (status, out) == (2, "")
    assert err.startswith("faqbot: ") and err.count("\n") == 1, err
    assert words in err
    assert "hunter2" not in err  # a URL's password stays out of the message
