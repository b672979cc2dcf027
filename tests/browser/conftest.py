"""Browser tests: real headless Chromium against a real faqbot server on loopback.

`bot` is the Flask app served by werkzeug on an ephemeral port, on an SQLite
file that the `runner` fixture's `faqbot` command reads too. `host_site` is a
second server on another port, a stand-in for the clinic's own website: pages
there are another origin, the way the widget meets real sites.

Chromium missing or unable to start skips these tests with the reason, except
under CI=true, where it fails them: CI installs Chromium (.ci/run) and a skipped
browser test there would hide a broken widget.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge import KnowledgeBase
from bot.runtime import build_runtime
from bot.settings import Settings
from bot.understanding.parser import Parser
from browser.chromium import CHROMIUM, CHROMIUM_ARGS, unavailable
from browser.live_servers import Bot, HostSite, PageErrors


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test module.

    Not per session: while Playwright's sync API is open, the main thread has a
    running event loop, and the rest of the suite (rasa-sdk's executor calls
    asyncio.run) must not run inside it.
    """
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as e:
        unavailable(f"playwright is not installed: {e}")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        except Error as e:
            unavailable(f"Chromium did not start: {e}")
        yield browser
        browser.close()


@pytest.fixture
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    site.server.start()
    yield site
    site.server.stop()


@pytest.fixture
def bot(
    knowledge: KnowledgeBase, parser: Parser, tmp_path: Path, host_site: HostSite
) -> Iterator[Bot]:
    """faqbot on an ephemeral port; the host site's origin may embed it."""
    settings = Settings.from_env(
        {
            "FAQBOT_INSTANCE_PATH": str(tmp_path),
            "FAQBOT_ALLOWED_ORIGINS": host_site.server.origin,
        }
    )
    # The sentence model loads on the first message (a second or more on a busy
    # machine): loaded here, so that no test's first reply waits for it.
    parser.parse("hello")
    runtime = build_runtime(settings, knowledge=knowledge, parser=parser)
    server = Bot(runtime)
    server.start()
    yield server
    server.gate.open()
    server.stop()
    runtime.store.dispose()


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


def _open_page(chromium: Any, errors: PageErrors, **context: Any) -> Any:
    browser_context = chromium.new_context(**context)
    page = browser_context.new_page()
    page.on("pageerror", lambda e: errors.errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        errors.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    # Runs before the page's own scripts and outside its CSP.
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    return page


@pytest.fixture
def page(chromium: Any, page_errors: PageErrors) -> Iterator[Any]:
    """A fresh desktop-sized tab (its own sessionStorage)."""
    page = _open_page(chromium, page_errors, viewport={"width": 1280, "height": 800})
    page.set_default_timeout(10_000)
    yield page
    page.context.close()


@pytest.fixture
def phone_page(chromium: Any, page_errors: PageErrors) -> Iterator[Any]:
    """A fresh 360 px wide tab, as on a small phone."""
    page = _open_page(
        chromium,
        page_errors,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page.set_default_timeout(10_000)
    yield page
    page.context.close()
