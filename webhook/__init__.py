"""faqbot's HTTP face: thin Flask adapters over the channel-neutral engine."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings

logger = logging.getLogger(__name__)

RUNTIME_KEY = "faqbot"
MAX_REQUEST_BYTES = 64 * 1024


def create_app(
    test_config: Mapping[str, Any] | None = None, *, runtime: Runtime | None = None
) -> Flask:
    """Build the app. `test_config` overrides FAQBOT_* environment variables."""
    from webhook import (
        action_server,
        errors,
        live_knowledge,
        messenger,
        model,
        rest,
        site,
        staff,
        twilio_sms,
        widget,
    )

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.json.sort_keys = False  # keep Rasa's field order; sorting costs every reply
    if runtime is None:
        settings = Settings.from_env({**os.environ, **(test_config or {})})
        runtime = build_runtime(settings)
    app.extensions[RUNTIME_KEY] = runtime
    errors.init_app(app)
    action_server.init_app(app)
    app.register_blueprint(model.blueprint)
    app.register_blueprint(rest.blueprint)
    app.register_blueprint(action_server.blueprint)
    app.register_blueprint(twilio_sms.blueprint)
    app.register_blueprint(messenger.blueprint)
    widget.init_app(app)
    app.register_blueprint(widget.blueprint)
    app.register_blueprint(widget.config_blueprint)
    app.register_blueprint(site.blueprint)
    _announce_channels(runtime.settings)
    app.config.update(
        {k: v for k, v in (test_config or {}).items() if not k.startswith("FAQBOT_")}
    )
    staff.init_app(app, runtime)
    live_knowledge.init_app(app, runtime)
    return app


def _announce_channels(settings: Settings) -> None:
    """One line per optional channel at start-up: on, or off and why."""
    if settings.twilio_enabled:
        logger.info("Twilio SMS channel on at /webhooks/twilio/webhook")
    else:
        logger.warning("Twilio SMS channel off: FAQBOT_TWILIO_AUTH_TOKEN is not set")
    if settings.messenger_enabled:
        logger.info("Messenger channel on at /webhooks/facebook/webhook")
    else:
        logger.warning(
            "Messenger channel off: set FAQBOT_MESSENGER_VERIFY_TOKEN,"
            " FAQBOT_MESSENGER_APP_SECRET and FAQBOT_MESSENGER_PAGE_ACCESS_TOKEN"
        )
