"""The staff pages in real headless Chromium, as a staff member uses them."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from staff.browser import chromium, live_server
from staff.helpers import CONSULTATION, PASSWORD, USER

# `FAQBOT_SCREENSHOTS=docs pytest tests/staff/test_staff_browser.py` refreshes
# the README's screenshots; otherwise they go to the test's temporary folder.
SCREENSHOTS_VARIABLE = "FAQBOT_SCREENSHOTS"
SCRIPT = "<script>alert(1)</script> fibromyalgia"


def say(base: str, text: str, sender: str = "visitor-1") -> list[str]:
    request = urllib.request.Request(
        f"{base}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return [m["text"] for m in json.load(response)]


@pytest.fixture
def site(staff_app: Flask) -> Iterator[tuple[str, Any]]:
    """The live server's URL and a page in a fresh browser context."""
    with live_server(staff_app) as base, chromium() as browser:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs  # type: ignore[attr-defined]
        yield base, page
        context.close()


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/staff/")
    page.get_by_label("User name").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Consultation requests").wait_for()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_staff_handle_a_request_end_to_end(
    site: tuple[str, Any], tmp_path: Path
) -> None:
    base, page = site
    shots = Path(os.environ.get(SCREENSHOTS_VARIABLE) or tmp_path)
    for text in CONSULTATION:
        say(base, text)
    for text in [
        "hello",
        "I want a consultation",
        "Ada Lovelace",
        "+44 20 7946 0958",
        "ada@example.com",
        "any time",
        "chronic back pain",
        "yes",
    ]:
        say(base, text, sender="visitor-4")
    say(base, "is ketamine safe?", sender="visitor-2")
    say(base, "how long does an infusion take", sender="visitor-2")
    say(base, "what is the capital of peru", sender="visitor-2")
    say(base, "i want to end my life", sender="visitor-3")

    # Signed out: the inbox is not shown, the login is.
    page.goto(f"{base}/staff/")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert "Grace Hopper" not in page.content()

    sign_in(page, base)
    assert page.title().startswith("Inbox (2 new)")
    assert (
        page.get_by_role("alert")
        .inner_text()
        .startswith("1 crisis-flagged conversation")
    )
    row = page.get_by_role("row").filter(has_text="Grace Hopper")
    assert "(513) 555-0134" in row.inner_text()
    page.screenshot(path=str(shots / "staff-inbox.png"), full_page=True)

    page.get_by_role("link", name="Grace Hopper").click()
    page.get_by_role("heading", name="Transcript").wait_for()
    # The visitor's markup is shown as text and runs nothing.
    assert page.get_by_text(SCRIPT).first.is_visible()
    assert page.dialogs == []
    page.get_by_text("What the bot understood").first.click()
    assert page.get_by_text("Intent request_consultation").is_visible()

    page.get_by_role("button", name="Mark contacted").click()
    assert page.get_by_role("status").inner_text() == "Request #1 marked contacted."
    page.get_by_label("Add a note").fill("Called back, left a voicemail.")
    page.get_by_role("button", name="Add note").click()
    history = page.locator("#history").inner_text()
    assert "alice noted: Called back, left a voicemail." in history
    assert "changed the status: new → contacted" in history
    page.screenshot(path=str(shots / "staff-transcript.png"), full_page=True)

    page.get_by_role("link", name="Inbox").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [(r["name"], r["status"]) for r in rows] == [
        ("Ada Lovelace", "new"),
        ("Grace Hopper", "contacted"),
    ]
    assert rows[1]["condition"] == SCRIPT

    # Forms without the CSRF token are refused, even with the session cookie.
    forged = page.request.post(
        f"{base}/staff/requests/1/status", form={"status": "closed"}
    )
    assert forged.status == 400

    page.goto(f"{base}/staff/insights")
    page.get_by_role("img", name="Conversations per week").wait_for()
    # At least "the capital of peru" fell back, of seven questions.
    rate = page.get_by_text("fallback rate").inner_text()
    fallbacks = int(re.search(r"\((\d+) not understood\)", rate).group(1))
    assert fallbacks >= 1 and f"{fallbacks / 7:.1%}" in rate
    page.screenshot(path=str(shots / "staff-insights.png"), full_page=True)
    assert page.dialogs == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_staff_answer_an_unanswered_question(site: tuple[str, Any]) -> None:
    base, page = site
    first = say(base, "is there parking at the clinic", sender="asker")
    assert "Yes: free parking" not in first[0]  # not answered before staff teach it
    sign_in(page, base)
    page.get_by_role("link", name="Unanswered").click()
    page.get_by_role("heading", name="“is there parking at the clinic”").wait_for()
    page.get_by_role("button", name="Write a clinic answer").click()
    page.get_by_label("Topic id").fill("parking")
    page.get_by_label("Question").fill("Is there parking at the clinic?")
    page.get_by_label("Answer", exact=True).fill(
        "Yes: free parking behind the building."
    )
    page.get_by_label("SMS answer").fill("Yes, free parking behind the building.")
    page.get_by_role("button", name="Add topic").click()
    assert "The bot answers it now" in page.get_by_role("status").inner_text()
    # A new conversation gets the clinic's answer.
    answer = say(base, "is there parking at the clinic?", sender="newcomer")
    assert answer[0].startswith("Yes: free parking behind the building.")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_signed_out_access_is_refused(site: tuple[str, Any]) -> None:
    base, page = site
    for path in ("/staff/requests/1", "/staff/crisis", "/staff/insights"):
        page.goto(base + path)
        assert page.url.startswith(f"{base}/staff/login")
    export = page.request.get(f"{base}/staff/requests.csv")
    assert export.status == 401
