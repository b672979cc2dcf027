"""Checking that a webhook call really comes from its platform, before anything else.

Each check is a `before_request` layer of its channel's blueprint: a channel
without its secrets configured answers 404 saying what to set; a missing or
wrong signature answers 403. Either way the body is never read as a message.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import request
from flask.typing import ResponseReturnValue
from twilio.request_validator import RequestValidator

from webhook.errors import error_response
from webhook.runtime import runtime

TWILIO_HEADER = "X-Twilio-Signature"
MESSENGER_HEADER = "X-Hub-Signature-256"
FORM = "application/x-www-form-urlencoded"
TWILIO_OFF = (
    "The Twilio SMS channel is off: set FAQBOT_TWILIO_AUTH_TOKEN (and"
    " FAQBOT_PUBLIC_URL behind a proxy) to turn it on."
)
MESSENGER_OFF = (
    "The Messenger channel is off: set FAQBOT_MESSENGER_VERIFY_TOKEN,"
    " FAQBOT_MESSENGER_APP_SECRET and FAQBOT_MESSENGER_PAGE_ACCESS_TOKEN to turn"
    " it on."
)


def twilio_url(public_url: str | None) -> str:
    """The URL Twilio signed: the public one behind a proxy, else the request's."""
    if public_url is None:
        return request.url
    query = request.query_string.decode("latin-1")
    return public_url + request.path + (f"?{query}" if query else "")


def require_twilio_signature() -> ResponseReturnValue | None:
    """403 unless X-Twilio-Signature signs this URL and form with the auth token."""
    settings = runtime().settings
    if settings.twilio_auth_token is None:
        return error_response(TWILIO_OFF, 404)
    signature = request.headers.get(TWILIO_HEADER)
    if not signature:
        return error_response(f"Missing {TWILIO_HEADER} header.", 403)
    validator = RequestValidator(settings.twilio_auth_token)
    params = request.form if request.mimetype == FORM else {}
    if not validator.validate(twilio_url(settings.public_url), params, signature):
        return error_response(f"Invalid {TWILIO_HEADER}.", 403)
    return None


def require_messenger_signature() -> ResponseReturnValue | None:
    """403 unless X-Hub-Signature-256 is the app secret's HMAC of the raw body.

    The verification handshake (GET) carries no signature; it checks its token.
    """
    settings = runtime().settings
    if not settings.messenger_enabled:
        return error_response(MESSENGER_OFF, 404)
    if request.method != "POST":
        return None
    assert settings.messenger_app_secret is not None
    given = request.headers.get(MESSENGER_HEADER, "")
    if not given:
        return error_response(f"Missing {MESSENGER_HEADER} header.", 403)
    expected = (
        "sha256="
        + hmac.new(
            settings.messenger_app_secret.encode("utf-8"),
            request.get_data(cache=True),
            hashlib.sha256,
        ).hexdigest()
    )
    if not hmac.compare_digest(expected.encode(), given.strip().encode()):
        return error_response(f"Invalid {MESSENGER_HEADER}.", 403)
    return None
