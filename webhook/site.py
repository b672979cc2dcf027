"""What a browser finds at the bot's address: a demo page, and the API at /api.

The demo page is the clinic's article as a web page with the widget on it, so
`make run` has something to look at and the widget something to be tried on.
It is served under a strict Content-Security-Policy (no inline script or style),
the policy a careful clinic site would have.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue

from knowledge.readers import read_article
from webhook.runtime import runtime
from webhook.widget import widget_script

blueprint = Blueprint("site", __name__)

PLACEHOLDER_MARK = "[placeholder]"
DEMO_PAGE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


@dataclass(frozen=True)
class ClinicValue:
    """A clinic detail, and whether the clinic has yet to fill it in."""

    text: str
    placeholder: bool

    @classmethod
    def read(cls, value: str) -> ClinicValue:
        if value.endswith(PLACEHOLDER_MARK):
            return cls(value.removesuffix(PLACEHOLDER_MARK).strip(), True)
        return cls(value, False)


@blueprint.get("/")
def demo() -> ResponseReturnValue:
    """The clinic's article as a web page, with the chat widget on it."""
    knowledge = runtime().knowledge
    reading = read_article(knowledge.article)
    clinic = knowledge.clinic
    page = render_template(
        "demo.html",
        title=reading.title or knowledge.title,
        blocks=[b for b in reading.blocks if b.kind != "gap"],
        clinic={
            key: ClinicValue.read(getattr(clinic, key))
            for key in ("name", "phone", "hours", "website")
        },
        widget_version=widget_script().version,
    )
    return page, 200, {"Content-Security-Policy": DEMO_PAGE_POLICY}


@blueprint.get("/api")
def api() -> ResponseReturnValue:
    """What this server offers, for whoever opens its address."""
    return jsonify(
        {
            "service": "faqbot",
            "endpoints": {
                "demo": "GET / (the article with the chat widget)",
                "widget": "GET /widget.js (embed with <script src=... defer>)",
                "widget_config": "GET /widget/config",
                "health": "GET /health",
                "chat": "POST /webhooks/rest/webhook {sender, message, metadata}",
                "parse": "POST /model/parse {text}",
                "actions": "POST /webhook?token=... (Rasa action server)",
                "sms": "POST /webhooks/twilio/webhook (Twilio SMS and WhatsApp)",
                "messenger": "GET, POST /webhooks/facebook/webhook (Messenger)",
            },
        }
    )

