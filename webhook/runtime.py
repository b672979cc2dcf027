"""Reaching the app's runtime from a request."""

from __future__ import annotations

from flask import current_app

from bot.runtime import Runtime


def runtime() -> Runtime:
    """The runtime `create_app` attached to the current app."""
    from webhook import RUNTIME_KEY

    return current_app.extensions[RUNTIME_KEY]
