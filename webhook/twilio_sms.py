"""Twilio's messaging webhook: SMS and WhatsApp in, TwiML out.

`POST /webhooks/twilio/webhook` takes Twilio's form (`From`, `Body`,
`MessageSid`, ...) signed with `X-Twilio-Signature` and answers with TwiML from
the twilio library's `MessagingResponse`; an empty `<Response/>` sends nothing.
`From: whatsapp:+1...` is WhatsApp through the same endpoint.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.notices import NOT_TEXT, too_long
from bot.channels.sms import render_sms, render_whatsapp
from bot.channels.texting import Texting
from bot.conversation.phone_offer import SENDER_PHONE
from bot.messages import IncomingMessage, Reply
from webhook.errors import BadRequest
from webhook.runtime import runtime
from webhook.signatures import FORM, require_twilio_signature

blueprint = Blueprint("twilio", __name__, url_prefix="/webhooks/twilio")
blueprint.before_request(require_twilio_signature)

WHATSAPP_PREFIX = "whatsapp:"
MAX_ADDRESS_CHARS = 64
MAX_SID_CHARS = 64


def sender(form_value: str | None) -> tuple[str, str]:
    """(channel, sender id) from Twilio's `From`: "sms" or "whatsapp", the number."""
    value = (form_value or "").strip()
    channel = "sms"
    if value.lower().startswith(WHATSAPP_PREFIX):
        channel, value = "whatsapp", value[len(WHATSAPP_PREFIX) :]
    if not value or len(value) > MAX_ADDRESS_CHARS or not value.isprintable():
        raise BadRequest(
            f"'From' must be a phone address of at most {MAX_ADDRESS_CHARS}"
            " printable characters."
        )
    return channel, value


def twiml(bodies: list[str]) -> Response:
    """The TwiML answer: one <Message> per body, none for silence."""
    response = MessagingResponse()
    for body in bodies:
        response.message(body)
    return Response(str(response), mimetype="application/xml")


@blueprint.post("/webhook")
def receive() -> ResponseReturnValue:
    """Answer one text message."""
    if request.mimetype != FORM:
        raise BadRequest(f"Send Twilio's form with Content-Type: {FORM}.", status=415)
    form = request.form
    channel, address = sender(form.get("From"))
    render = render_whatsapp if channel == "whatsapp" else render_sms
    text = (form.get("Body") or "").strip()
    limit = runtime().settings.max_message_chars
    if len(text) > limit:
        return twiml(render([Reply(too_long(limit))]))
    if not text or "\x00" in text:
        return twiml(render([Reply(NOT_TEXT)]))
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    message = IncomingMessage(
        channel=channel,
        sender_id=address,
        text=text,
        # Twilio vouches for the sender's number: the form may offer it.
        metadata={SENDER_PHONE: address},
        message_id=sid[:MAX_SID_CHARS] or None,
    )
    app = runtime()
    texting = Texting(engine=app.engine, store=app.store, clinic=app.knowledge.clinic)
    return twiml(render(texting.handle(message)))
