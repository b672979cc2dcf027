"""`GET /health` and Rasa's `POST /model/parse`."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from webhook.requests import json_object, text_field
from webhook.runtime import runtime

blueprint = Blueprint("model", __name__)


@blueprint.get("/")
def index() -> ResponseReturnValue:
    """What this server offers, for whoever opens its address."""
    return jsonify(
        {
            "service": "faqbot",
            "endpoints": {
                "health": "GET /health",
                "chat": "POST /webhooks/rest/webhook {sender, message}",
                "parse": "POST /model/parse {text}",
                "actions": "POST /webhook?token=... (Rasa action server)",
                "sms": "POST /webhooks/twilio/webhook (Twilio SMS and WhatsApp)",
                "messenger": "GET, POST /webhooks/facebook/webhook (Messenger)",
            },
        }
    )


@blueprint.get("/health")
def health() -> ResponseReturnValue:
    """Liveness: the knowledge base is loaded and the app answers."""
    return jsonify({"status": "ok", "topics": len(runtime().knowledge.topics)})


@blueprint.post("/model/parse")
def parse() -> ResponseReturnValue:
    """Rasa's parse endpoint: `{"text": ...}` in, the parse result out."""
    body = json_object(request)
    text = text_field(body, "text", max_chars=runtime().settings.max_message_chars)
    return jsonify(runtime().engine.understand(text))
