"""Sign-in, sign-out, and the guard in front of every staff page."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

from webhook.limits import rate_limited
from webhook.staff import IDLE_TIMEOUT, blueprint
from webhook.staff.services import services

PUBLIC_ENDPOINTS = frozenset({"staff.login", "staff.static"})
# Answer 401 instead of a redirect: programs, not people, read these.
API_ENDPOINTS = frozenset({"staff.export_requests"})
WRONG_CREDENTIALS = "Wrong user name or password."
MAX_FIELD_CHARS = 1024


@blueprint.app_context_processor
def csrf_field() -> dict[str, Any]:
    return {"csrf_token": generate_csrf}


@blueprint.before_request
def guard() -> ResponseReturnValue | None:
    """CSRF on every POST, then a signed-in, recently active user on every page."""
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as e:
            raise CSRFError(str(e)) from e
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = _session_user()
    if user is not None:
        g.staff_user = user
        return None
    session.clear()
    if request.endpoint in API_ENDPOINTS:
        return jsonify({"error": "Sign in first.", "status": 401}), 401
    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))


def _session_user() -> Any:
    user_id = session.get("uid")
    seen = session.get("seen")
    if not isinstance(user_id, int) or not isinstance(seen, int | float):
        return None
    now = time.time()
    # The cookie's own expiry is the browser's to keep; this one is ours.
    if now - seen > IDLE_TIMEOUT.total_seconds():
        return None
    user = services().users.find(user_id)
    # A changed password or a removed account ends every session it had.
    if user is None or user.password_changed_at.timestamp() != session.get("pwd"):
        return None
    session["seen"] = now
    return user


@blueprint.errorhandler(CSRFError)
def csrf_refused(e: CSRFError) -> ResponseReturnValue:
    return (
        render_template(
            "staff/message.html",
            title="Form expired",
            message="This form was missing its security token or it had expired."
            " Go back, reload the page and try again.",
        ),
        400,
    )


@blueprint.route("/login", methods=["GET", "POST"])
@rate_limited(sender=lambda request: request.form.get("username"))
def login() -> ResponseReturnValue:
    """The sign-in form; too many failures per address or user are refused."""
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("staff/login.html", next=next_url, error=None)
    username = request.form.get("username", "")[:MAX_FIELD_CHARS].strip()
    password = request.form.get("password", "")[:MAX_FIELD_CHARS]
    address = request.remote_addr or "unknown"
    staff = services()
    verdict = staff.throttle.check(address, username)
    if verdict.refused:
        minutes = max(1, round(verdict.retry_after.total_seconds() / 60))
        error = (
            "Too many failed sign-ins. Try again in"
            f" {minutes} minute{'s' if minutes != 1 else ''}."
        )
        response = render_template(
            "staff/login.html", next=next_url, error=error, username=username
        )
        return response, 429, {"Retry-After": str(minutes * 60)}
    if verdict.delay:
        staff.sleep(verdict.delay)
    user = staff.users.authenticate(username, password) if username else None
    if user is None:
        staff.throttle.failed(address, username)
        response = render_template(
            "staff/login.html",
            next=next_url,
            error=WRONG_CREDENTIALS,
            username=username,
        )
        return response, 401
    staff.throttle.succeeded(address, username)
    session.clear()  # a fresh session: nothing carried over from before sign-in
    session.permanent = True
    session["uid"] = user.id
    session["pwd"] = user.password_changed_at.timestamp()
    session["seen"] = time.time()
    return redirect(next_url or url_for("staff.inbox"))


@blueprint.post("/logout")
def logout() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("staff.login"))


def _safe_next(value: str | None) -> str | None:
    """Only a staff page of this site: never a redirect elsewhere."""
    if not value or not value.startswith("/staff") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(ch) < 32 for ch in value):
        return None
    return value


def author() -> str:
    """The signed-in user's name, for the audit trail."""
    return str(g.staff_user.username)
