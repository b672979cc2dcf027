"""Real headless Chromium against a real server on an ephemeral port.

Skipped where Chromium or Playwright is missing, except under CI=true, where
the browser tests must run and so fail instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from browser.chromium import CHROMIUM, CHROMIUM_ARGS, unavailable
from flask import Flask
from werkzeug.serving import make_server


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 at a free port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright browser on Debian's Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        unavailable(f"playwright is not installed: {e}")
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
