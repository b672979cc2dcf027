"""`bot` is the pure core: importing all of it never pulls in Flask or Werkzeug."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SCRIPT = """
import importlib, json, pkgutil, sys
import bot

names = sorted(
    info.name for info in pkgutil.walk_packages(bot.__path__, prefix="bot.")
)
for name in names:
    importlib.import_module(name)
web = sorted(
    m for m in sys.modules if m.split(".")[0] in ("flask", "werkzeug")
)
print(json.dumps({"imported": names, "web": web}))
"""


def test_importing_every_bot_module_leaves_flask_out() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    expected = {
        "bot.conversation.engine",
        "bot.runtime",
        "bot.conversation.actions.consultation",
    }
    assert expected <= set(report["imported"])
    assert report["web"] == []
