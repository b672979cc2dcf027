"""`GET /health` and Rasa's `POST /model/parse`."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from webhook.requests import json_object, text_field
from webhook.runtime import runtime

blueprint = Blueprint("model", __name__)


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
