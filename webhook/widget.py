"""The web chat widget: its script and the settings it fetches when it starts.

`GET /widget.js` is one static file read once when the app is built. Pages
embed it unversioned (`/widget.js`), which browsers keep for five minutes and
then revalidate with its ETag, or versioned (`/widget.js?v=...`, as the demo
page does), which may be cached for a year. `GET /widget/config` is
called from the embedding page, so it answers CORS like the REST channel.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from bot.conversation.actions.base import consultation_button
from bot.conversation.actions.smalltalk import greeting_message
from webhook.cors import allow_origins
from webhook.runtime import runtime

blueprint = Blueprint("widget", __name__)
config_blueprint = Blueprint("widget_config", __name__, url_prefix="/widget")
allow_origins(config_blueprint)

EXTENSION_KEY = "faqbot.widget"
YEAR = 365 * 24 * 3600
# Short enough that a release reaches every site within minutes, long enough
# that a visitor browsing the clinic's pages does not fetch it on each one.
UNVERSIONED_MAX_AGE = 300


@dataclass(frozen=True)
class WidgetScript:
    """The widget's source and the version that names it in cache-busting URLs."""

    body: bytes
    version: str

    @classmethod
    def load(cls) -> WidgetScript:
        body = resources.files("webhook").joinpath("static/widget.js").read_bytes()
        return cls(body=body, version=hashlib.sha256(body).hexdigest()[:16])


def init_app(app: Flask) -> None:
    """Read the widget's script once, for every request the app will serve."""
    app.extensions[EXTENSION_KEY] = WidgetScript.load()


def widget_script() -> WidgetScript:
    """The script `init_app` loaded for the current app."""
    return current_app.extensions[EXTENSION_KEY]


@blueprint.get("/widget.js")
def script() -> ResponseReturnValue:
    """The widget, with an ETag; cached for a year when asked for by version."""
    widget = widget_script()
    response = current_app.response_class(
        widget.body, mimetype="text/javascript", status=200
    )
    response.set_etag(widget.version)
    if request.args.get("v") == widget.version:
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = UNVERSIONED_MAX_AGE
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Other sites' pages load it; a host page isolated with COEP still may.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


@config_blueprint.get("/config")
def config() -> ResponseReturnValue:
    """What the widget shows before the visitor writes: the clinic and greeting."""
    knowledge = runtime().knowledge
    return jsonify(
        {
            "title": knowledge.clinic.name,
            "greeting": greeting_message(knowledge),
            "consultation": consultation_button(),
            "max_message_chars": runtime().settings.max_message_chars,
        }
    )
