"""Take the README's screenshots of the open widget on the demo page.

Run: .venv/bin/python docs/screenshots.py  (needs /usr/bin/chromium)
It serves faqbot on a free loopback port with a throwaway database, asks two
questions as a visitor would, and writes docs/widget-desktop.png and
docs/widget-360.png.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from bot.runtime import build_runtime
from bot.settings import Settings
from webhook import create_app

DOCS = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "widget-desktop.png": {"width": 1280, "height": 800},
    "widget-360.png": {"width": 360, "height": 740},
}


def converse(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Chat with us").click()
    log = page.get_by_role("log", name="Conversation")
    box = page.get_by_role("textbox", name="Your message")
    box.fill("does insurance cover it?")
    box.press("Enter")
    expect(log.get_by_role("link").first).to_be_visible()
    box.fill("is this ketamine drip safe?")
    box.press("Enter")
    expect(log).to_contain_text("Source:")
    page.wait_for_timeout(300)  # the last reply's scroll settles


def main() -> None:
    with tempfile.TemporaryDirectory() as instance:
        runtime = build_runtime(Settings.from_env({"FAQBOT_INSTANCE_PATH": instance}))
        server = make_server("127.0.0.1", 0, create_app(runtime=runtime), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                for name, viewport in VIEWPORTS.items():
                    page = browser.new_page(viewport=viewport)
                    converse(page, url)
                    page.screenshot(path=DOCS / name)
                    print(f"wrote docs/{name}")
                    page.close()
                browser.close()
        finally:
            server.shutdown()
            runtime.store.dispose()


if __name__ == "__main__":
    main()
