"""The staff pages through Flask's test client: sign-in, inbox, request page,
actions, exports, crisis list, and their protections."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from staff.helpers import PASSWORD, TOKEN, USER, csrf_token, make_request, sign_in
from webhook.staff.services import SERVICES_KEY

Send = Callable[..., list[str]]


@pytest.mark.parametrize(
    "path",
    [
        "/staff/",
        "/staff/requests/1",
        "/staff/crisis",
        "/staff/unanswered",
        "/staff/insights",
        "/staff/conversations/1",
    ],
)
def test_signed_out_pages_redirect_to_the_login(
    staff_client: FlaskClient, path: str
) -> None:
    response = staff_client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


@pytest.mark.parametrize("path", ["/staff/requests.csv", "/staff/requests.json"])
def test_signed_out_exports_answer_401(staff_client: FlaskClient, path: str) -> None:
    response = staff_client.get(path)
    assert response.status_code == 401
    assert response.get_json()["error"] == "Sign in first."


def test_a_wrong_user_and_a_wrong_password_get_the_same_answer(
    staff_client: FlaskClient,
) -> None:
    answers = []
    for user, password in ((USER, "wrong password!"), ("mallory", PASSWORD)):
        response = staff_client.post(
            "/staff/login",
            data={
                "username": user,
                "password": password,
                "csrf_token": csrf_token(staff_client),
            },
        )
        assert response.status_code == 401
        page = TOKEN.sub("TOKEN", response.get_data(as_text=True))
        answers.append(page.replace(user, "NAME"))
    assert "Wrong user name or password." in answers[0]
    assert answers[0] == answers[1]


def test_failed_sign_ins_are_slowed_then_refused(
    staff_app: Flask, staff_client: FlaskClient
) -> None:
    for _ in range(5):
        staff_client.post(
            "/staff/login",
            data={
                "username": USER,
                "password": "not it at all",
                "csrf_token": csrf_token(staff_client),
            },
        )
    # The second failure on, each attempt waited longer than the last.
    assert staff_app.extensions["test_sleeps"] == [0.5, 1.0, 1.5]
    refused = staff_client.post(
        "/staff/login",
        data={
            "username": USER,
            "password": PASSWORD,
            "csrf_token": csrf_token(staff_client),
        },
    )
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0


def test_sign_in_sets_a_hardened_cookie_and_sign_out_ends_it(
    staff_client: FlaskClient,
) -> None:
    response = staff_client.post(
        "/staff/login",
        data={
            "username": USER,
            "password": PASSWORD,
            "csrf_token": csrf_token(staff_client),
        },
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    assert staff_client.get("/staff/").status_code == 200
    staff_client.post(
        "/staff/logout", data={"csrf_token": csrf_token(staff_client, "/staff/")}
    )
    assert staff_client.get("/staff/").status_code == 302


def test_the_cookie_is_secure_over_https(staff_client: FlaskClient) -> None:
    token = csrf_token(staff_client)
    response = staff_client.post(
        "/staff/login",
        base_url="https://localhost",
        data={"username": USER, "password": PASSWORD, "csrf_token": token},
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_changed_password_ends_existing_sessions(
    staff_app: Flask, signed_in: FlaskClient
) -> None:
    staff_app.extensions[SERVICES_KEY].users.set_password(USER, "another long secret")
    assert signed_in.get("/staff/").status_code == 302


def test_an_idle_session_expires(signed_in: FlaskClient) -> None:
    with signed_in.session_transaction("/staff/") as session:
        session["seen"] -= 31 * 60
    assert signed_in.get("/staff/").status_code == 302


def test_the_inbox_lists_a_rest_request_newest_first_with_filters(
    signed_in: FlaskClient, visitor: Send
) -> None:
    make_request(visitor, sender="first")
    make_request(visitor, sender="second")
    page = signed_in.get("/staff/").get_data(as_text=True)
    assert "<title>Inbox (2 new)" in page
    assert page.index("#2</a>") < page.index("#1</a>")
    assert "(513) 555-0134" in page  # national format
    assert "weekday mornings" in page and "rest" in page and "just now" in page
    assert "Grace Hopper" in signed_in.get("/staff/?q=grace").get_data(as_text=True)
    assert "Grace Hopper" in signed_in.get("/staff/?q=555-0134").get_data(as_text=True)
    assert "No requests match" in signed_in.get("/staff/?q=ada").get_data(as_text=True)
    closed = signed_in.get("/staff/?status=closed").get_data(as_text=True)
    assert "No requests match" in closed


def test_the_request_page_escapes_the_visitor_and_records_actions(
    signed_in: FlaskClient, visitor: Send
) -> None:
    make_request(visitor)
    page = signed_in.get("/staff/requests/1").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "I&#39;d like to book a consultation" in page  # the transcript
    assert "Intent <code>request_consultation</code>" in page  # on demand
    token = csrf_token(signed_in, "/staff/requests/1")
    signed_in.post(
        "/staff/requests/1/status", data={"status": "contacted", "csrf_token": token}
    )
    signed_in.post(
        "/staff/requests/1/notes",
        data={"note": "Left a voicemail <b>", "csrf_token": token},
    )
    page = signed_in.get("/staff/requests/1").get_data(as_text=True)
    assert "pill contacted" in page
    assert "<strong>alice</strong>" in page and "new → contacted" in page
    assert "Left a voicemail &lt;b&gt;" in page


def test_posts_without_a_csrf_token_are_refused(
    staff_app: Flask, signed_in: FlaskClient, visitor: Send
) -> None:
    make_request(visitor)
    for path, data in (
        ("/staff/requests/1/status", {"status": "closed"}),
        ("/staff/requests/1/notes", {"note": "forged"}),
        ("/staff/requests/1/status", {"status": "closed", "csrf_token": "forged"}),
    ):
        assert signed_in.post(path, data=data).status_code == 400
    request = staff_app.extensions[SERVICES_KEY].inbox.request(1)
    assert request.status == "new" and request.notes == ""


def test_exports_are_filtered_and_spreadsheet_safe(
    signed_in: FlaskClient, visitor: Send
) -> None:
    make_request(visitor)
    for text in [
        "I want a consultation",
        "Ada Lovelace",
        "+44 20 7946 0958",
        "skip",
        '=HYPERLINK("http://x")',
        "skip",
        "yes",
    ]:
        visitor(text, sender="other")
    rows = list(
        csv.DictReader(
            io.StringIO(signed_in.get("/staff/requests.csv").get_data(as_text=True))
        )
    )
    assert [r["name"] for r in rows] == ["Ada Lovelace", "Grace Hopper"]
    # A leading + would start a formula: quoted, like every such cell.
    assert rows[0]["phone"] == "'+44 20 7946 0958"
    assert rows[0]["preferred_time"].startswith("'=")
    assert rows[1]["phone"] == "(513) 555-0134"
    response = signed_in.get("/staff/requests.json?q=grace")
    assert response.headers["Content-Disposition"].startswith("attachment")
    exported = json.loads(response.get_data(as_text=True))
    assert [e["name"] for e in exported] == ["Grace Hopper"]
    assert exported[0]["transcript"][0]["text"] == "I'd like to book a consultation"


def test_crisis_conversations_are_listed_bannered_and_reviewed(
    signed_in: FlaskClient, visitor: Send
) -> None:
    visitor("i want to end my life", sender="someone")
    page = signed_in.get("/staff/").get_data(as_text=True)
    assert "1 crisis-flagged conversation not yet reviewed" in page
    crisis = signed_in.get("/staff/crisis").get_data(as_text=True)
    assert "Conversation #1" in crisis and "Request" in crisis
    transcript = signed_in.get("/staff/conversations/1").get_data(as_text=True)
    assert "i want to end my life" in transcript and "988" in transcript
    signed_in.post(
        "/staff/crisis/1/reviewed",
        data={"csrf_token": csrf_token(signed_in, "/staff/crisis")},
    )
    assert "not yet reviewed" not in signed_in.get("/staff/").get_data(as_text=True)
    assert "Reviewed by alice" in signed_in.get("/staff/crisis").get_data(as_text=True)
    visitor("i still want to die", sender="someone")  # flagged again: review again
    assert "not yet reviewed" in signed_in.get("/staff/").get_data(as_text=True)


def test_pages_forbid_inline_script_and_caching(signed_in: FlaskClient) -> None:
    response = signed_in.get("/staff/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "unsafe-inline" not in policy
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script" not in response.get_data(as_text=True)


def test_a_login_redirect_never_leaves_the_staff_pages(
    staff_client: FlaskClient,
) -> None:
    for target in ("https://evil.example/", "//evil.example/staff", "/webhook"):
        response = staff_client.post(
            "/staff/login",
            data={
                "username": USER,
                "password": PASSWORD,
                "next": target,
                "csrf_token": csrf_token(staff_client),
            },
        )
        assert response.headers["Location"] == "/staff/"
        staff_client.post(
            "/staff/logout", data={"csrf_token": csrf_token(staff_client, "/staff/")}
        )


def test_insights_draw_weekly_charts_and_the_fallback_rate(
    signed_in: FlaskClient, visitor: Send
) -> None:
    visitor("is ketamine safe?")
    visitor("what is the capital of peru")
    page = signed_in.get("/staff/insights").get_data(as_text=True)
    assert page.count("<svg") == 4
    assert "50.0%</strong> fallback rate" in page
    assert "Conversations per week" in page


def test_sign_in_is_needed_again_after_the_user_is_removed(
    staff_app: Flask, signed_in: FlaskClient
) -> None:
    staff_app.extensions[SERVICES_KEY].users.remove(USER)
    assert signed_in.get("/staff/").status_code == 302
    sign_in_failed = signed_in.post(
        "/staff/login",
        data={
            "username": USER,
            "password": PASSWORD,
            "csrf_token": csrf_token(signed_in),
        },
    )
    assert sign_in_failed.status_code == 401
    _ = sign_in  # the helper is shared with the browser tests
