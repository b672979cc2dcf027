"""HTTP status mapping, in one place: every error answers JSON saying what was wrong.

Every error the app returns has one shape, `{"error": message, "status": code}`
(gunicorn's own refusals share it, see webhook.workers). A bug is a 500 logged
at ERROR with the exception's type and where it was raised, never its message,
which may quote a visitor's words. Every response carries the security headers.
"""

from __future__ import annotations

import logging
import traceback

from flask import Flask, Response, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import ClientDisconnected, HTTPException

from bot.errors import StorageError

logger = logging.getLogger(__name__)

_MESSAGES = {
    404: "There is no such endpoint.",
    405: "That method is not allowed here.",
    413: "The request body is too large.",
    429: "Too many requests: slow down and retry later.",
}


class BadRequest(Exception):
    """The request is malformed; `status` is 400, 413 or 415."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def error_response(message: str, status: int) -> ResponseReturnValue:
    return jsonify({"error": message, "status": status}), status


def where(error: BaseException) -> str:
    """The innermost frame an exception was raised in, as `file:line in function`."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "unknown"
    last = frames[-1]
    return f"{last.filename}:{last.lineno} in {last.name}"


def log_bug(error: BaseException, context: str) -> None:
    """Log a bug at ERROR: its type and location, never its message or input."""
    logger.error(
        "%s failed: %s at %s", context, type(error).__name__, where(error)
    )


def init_app(app: Flask) -> None:
    """Register the JSON error handlers."""

    @app.errorhandler(BadRequest)
    def bad_request(e: BadRequest) -> ResponseReturnValue:
        return error_response(e.message, e.status)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> ResponseReturnValue:
        if isinstance(e, ClientDisconnected) and isinstance(
            e.__cause__ or e.__context__, TimeoutError
        ):
            return read_timeout(e)
        status = e.code or 500
        body, code = error_response(_MESSAGES.get(status, e.description or ""), status)
        response: Response = body
        # Keep what the exception adds (Allow on a 405, Retry-After on a 429).
        for name, value in e.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, code

    @app.errorhandler(StorageError)
    def storage_error(e: StorageError) -> ResponseReturnValue:
        logger.error("storage failure: %s", type(e.__cause__ or e).__name__)
        return error_response("The service is temporarily unavailable.", 503)

    @app.errorhandler(TimeoutError)
    def read_timeout(e: Exception) -> ResponseReturnValue:
        # The socket's read timeout (webhook.workers) while reading the body.
        body, code = error_response("The request body did not arrive in time.", 408)
        body.headers["Connection"] = "close"
        return body, code

    @app.errorhandler(Exception)
    def bug(e: Exception) -> ResponseReturnValue:
        log_bug(e, "a request")
        return error_response("The server could not handle the request.", 500)
