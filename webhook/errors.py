"""HTTP status mapping, in one place: every error answers JSON saying what was wrong."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from bot.errors import StorageError

logger = logging.getLogger(__name__)


class BadRequest(Exception):
    """The request is malformed; `status` is 400, 413 or 415."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def error_response(message: str, status: int) -> ResponseReturnValue:
    return jsonify({"error": message, "status": status}), status


def init_app(app: Flask) -> None:
    """Register the JSON error handlers."""

    @app.errorhandler(BadRequest)
    def bad_request(e: BadRequest) -> ResponseReturnValue:
        return error_response(e.message, e.status)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> ResponseReturnValue:
        messages = {413: "The request body is too large."}
        return error_response(
            messages.get(e.code or 500, e.description or ""), e.code or 500
        )

    @app.errorhandler(StorageError)
    def storage_error(e: StorageError) -> ResponseReturnValue:
        logger.error("storage failure: %s", type(e).__name__)
        return error_response("The service is temporarily unavailable.", 503)
