"""faqbot's HTTP face: thin Flask adapters over the channel-neutral engine."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask

from bot.settings import Settings

if TYPE_CHECKING:  # the runtime pulls in rasa-sdk: imported by create_app only
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

RUNTIME_KEY = "faqbot"
MAX_REQUEST_BYTES = 64 * 1024


def create_app(
    test_config: Mapping[str, Any] | None = None, *, runtime: Runtime | None = None
) -> Flask:
    """Build the app. `test_config` overrides FAQBOT_* environment variables."""
    from bot.runtime import build_runtime
    from webhook import (
        action_server,
        errors,
        hardening,
        limits,
        live_knowledge,
        messenger,
        model,
        openapi,
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
    hardening.init_app(app)
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
    app.register_blueprint(openapi.blueprint)
    app.config.update(
        {k: v for k, v in (test_config or {}).items() if not k.startswith("FAQBOT_")}
    )
    staff.init_app(app, runtime)
    live_knowledge.init_app(app, runtime)
    # Last: it limits the views of every blueprint registered above.
    limits.init_app(app, runtime.settings)
    _announce_channels(runtime.settings)
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
