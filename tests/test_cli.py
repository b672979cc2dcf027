"""The `faqbot` command line, run in-process against a database under tmp_path."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

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
