"""faqbot's HTTP face: thin Flask adapters over the channel-neutral engine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings

RUNTIME_KEY = "faqbot"
MAX_REQUEST_BYTES = 64 * 1024


def create_app(
    test_config: Mapping[str, Any] | None = None, *, runtime: Runtime | None = None
) -> Flask:
    """Build the app. `test_config` overrides FAQBOT_* environment variables."""
    from webhook import action_server, errors, live_knowledge, model, rest, staff

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
    app.config.update(
        {k: v for k, v in (test_config or {}).items() if not k.startswith("FAQBOT_")}
    )
    staff.init_app(app, runtime)
    live_knowledge.init_app(app, runtime)
    return app
