"""Facebook Messenger's webhook: the verification handshake and page events.

`GET /webhooks/facebook/webhook` echoes `hub.challenge` when `hub.verify_token`
is FAQBOT_MESSENGER_VERIFY_TOKEN. `POST` carries page events signed with
`X-Hub-Signature-256`; each visitor message is handled by the engine and its
replies queued in the outbox in the same transaction, then the call answers 200
at once: the background worker sends them through the Send API, in order per
recipient. A message id Meta sends again is answered once.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from bot.channels.graph_api import SendApi
from bot.channels.messenger_events import inbound_messages
from bot.channels.messenger_inbox import MessengerInbox
from webhook.errors import error_response
from webhook.requests import json_object
from webhook.runtime import runtime
from webhook.signatures import require_messenger_signature

blueprint = Blueprint("messenger", __name__, url_prefix="/webhooks/facebook")
blueprint.before_request(require_messenger_signature)


@blueprint.get("/webhook")
def verify() -> ResponseReturnValue:
    """Meta's subscription handshake: echo the challenge for the right token."""
    token = runtime().settings.messenger_verify_token or ""
    given = request.args.get("hub.verify_token", "")
    challenge = request.args.get("hub.challenge", "")
    if request.args.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        given.encode(), token.encode()
    ):
        return error_response("Verification failed: wrong mode or verify token.", 403)
    return challenge, 200, {"Content-Type": "text/plain; charset=utf-8"}


@blueprint.post("/webhook")
def receive() -> ResponseReturnValue:
    """Handle every visitor message of the call; the replies go out later."""
    app = runtime()
    settings = app.settings
    assert settings.messenger_page_access_token is not None
    inbox = MessengerInbox(
        engine=app.engine,
        store=app.store,
        send_now=SendApi(
            settings.messenger_graph_url, settings.messenger_page_access_token
        ).send,
        max_message_chars=settings.max_message_chars,
    )
    for message in inbound_messages(json_object(request)):
        inbox.receive(message)
    return jsonify({"status": "ok"})
