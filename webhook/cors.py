"""Cross-origin access for the widget's endpoints: which sites' pages may call them.

A page on one of FAQBOT_ALLOWED_ORIGINS (or the bot's own pages) may call them;
any other origin gets 403 before anything is parsed or stored, so a site that was
never allowed cannot talk to the bot from its visitors' browsers. Preflights and
that 403 carry the CORS headers all the same, so the widget on a site that was
never added can read the refusal and say why instead of a bare network error.
Requests without an Origin header (curl, Rasa, other servers) are not browsers'
cross-site requests and pass untouched.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from webhook.errors import error_response
from webhook.runtime import runtime

PREFLIGHT_MAX_AGE = 600  # seconds a browser may reuse a preflight answer


def allow_origins(blueprint: Blueprint) -> None:
    """Check the Origin of every request to `blueprint` and answer CORS for it."""
    blueprint.before_request(_check_origin)
    blueprint.after_request(_add_headers)


def is_allowed(origin: str) -> bool:
    """Whether a page on `origin` may call the bot."""
    origin = origin.lower()
    if origin in runtime().settings.allowed_origins:
        return True
    # The bot's own pages. Compared by host only: behind a proxy that ends TLS
    # the app sees http while the browser's origin says https.
    _scheme, _sep, host = origin.partition("://")
    return host == request.host.lower()


def _check_origin() -> ResponseReturnValue | None:
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        return response
    if not is_allowed(origin):
        return error_response(
            "This site is not allowed to use the chat: add its origin to"
            " FAQBOT_ALLOWED_ORIGINS.",
            403,
        )
    return None


def _add_headers(response: Response) -> Response:
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin is not None:
        # Every answer (a 403 included) is readable; only allowed origins get
        # anything but the refusal, as _check_origin ran first.
        response.headers["Access-Control-Allow-Origin"] = origin
    return response
