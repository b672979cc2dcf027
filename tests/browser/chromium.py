"""Where the browser tests find Debian's Chromium, how they start it, and how
they give up: skipped with the reason, or failed under CI=true, where they must
run."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
# Headless as root, and quiet: this machine's network is closed.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason: str) -> None:
    """Skip the browser test, or fail it under CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run under CI: {reason}")
    pytest.skip(reason)
