"""Opt-in: a stock Rasa 3.6 validates and trains the exported project.

Rasa 3.6 needs Python 3.8 to 3.10 and about 2.7 GB of dependencies, so it stays
out of faqbot's environment; these tests are skipped unless FAQBOT_RASA_PYTHON
names an interpreter that has it:

    ~/.pyenv/versions/3.10.13/bin/python -m venv /tmp/rasa36
    /tmp/rasa36/bin/pip install rasa==3.6.21
    FAQBOT_RASA_PYTHON=/tmp/rasa36/bin/python .venv/bin/pytest tests/rasa_stock -q

Training takes a few minutes on a CPU.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bot.knowledge import load_knowledge_base
from bot.rasa_export import export_rasa_project, load_crisis_examples

RASA_VERSION = "3.6.21"
PYTHON_VARIABLE = "FAQBOT_RASA_PYTHON"
# Warnings of `rasa data validate` that mean the export is wired wrongly.
MISWIRING = (
    "is not listed in the domain",
    "is not found in the NLU training data",
    "labeled with multiple different intents",
    "is not present in the domain slots",
)
PARSE = """
import asyncio, json, sys
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
print(json.dumps([asyncio.run(agent.parse_message(t)) for t in sys.argv[2:]]))
"""

pytestmark = pytest.mark.skipif(
    not os.environ.get(PYTHON_VARIABLE),
    reason=f"set {PYTHON_VARIABLE} to a Python that has rasa=={RASA_VERSION}",
)


def rasa(
    python: str, project: Path, *args: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run Rasa's command line in `project`, without telemetry."""
    return subprocess.run(
        [python, "-m", "rasa", *args],
        cwd=project,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def rasa_python() -> str:
    python = os.environ[PYTHON_VARIABLE]
    probe = subprocess.run(
        [python, "-c", "import rasa; print(rasa.__version__)"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if probe.returncode or probe.stdout.strip() != RASA_VERSION:
        pytest.fail(
            f"{PYTHON_VARIABLE}={python} does not have rasa=={RASA_VERSION}:"
            f" {probe.stdout}{probe.stderr}"
        )
    return python


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("rasa_project")
    export_rasa_project(load_knowledge_base(), directory)
    return directory


@pytest.fixture(scope="module")
def model(rasa_python: str, project: Path) -> Path:
    trained = rasa(
        rasa_python, project, "train", "--fixed-model-name", "t", timeout=3600
    )
    assert trained.returncode == 0, trained.stdout + trained.stderr
    return project / "models" / "t.tar.gz"


def test_rasa_validates_the_export(rasa_python: str, project: Path) -> None:
    checked = rasa(rasa_python, project, "data", "validate", timeout=900)
    output = checked.stdout + checked.stderr
    assert checked.returncode == 0, output
    assert [w for w in MISWIRING if w in output] == [], output


def test_rasa_trains_the_export(model: Path) -> None:
    assert model.is_file()


def test_the_trained_model_speaks_faqbots_intents(
    rasa_python: str, project: Path, model: Path
) -> None:
    knowledge = load_knowledge_base()
    topic = knowledge.topics[0]
    texts = [load_crisis_examples()[0], topic.question, "cancel"]
    parsed = subprocess.run(
        [rasa_python, "-c", PARSE, str(model), *texts],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert parsed.returncode == 0, parsed.stderr
    crisis, faq, cancel = json.loads(parsed.stdout.strip().splitlines()[-1])
    assert crisis["intent"]["name"] == "crisis"
    assert cancel["intent"]["name"] == "cancel"
    assert faq["intent"]["name"] == "faq"
    # The layout action_answer_faq reads to pick the topic.
    selected = faq["response_selector"]["faq"]["response"]["intent_response_key"]
    assert selected == topic.intent
