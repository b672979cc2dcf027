"""Reading JSON bodies strictly: malformed, non-object or mistyped input is a 400."""

from __future__ import annotations

import json
from typing import Any

from flask import Request

from webhook.errors import BadRequest


def json_object(request: Request) -> dict[str, Any]:
    """The request's body as a JSON object, or BadRequest saying why not."""
    if not request.is_json:
        raise BadRequest(
            "Send a JSON body with Content-Type: application/json.", status=415
        )
    try:
        body = json.loads(request.get_data(cache=True) or b"")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadRequest(
            f"The body is not valid JSON: {e.msg if hasattr(e, 'msg') else e}"
        ) from e
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def text_field(body: dict[str, Any], key: str, *, max_chars: int) -> str:
    """A required, non-empty string field no longer than `max_chars`."""
    value = body.get(key)
    if not isinstance(value, str):
        raise BadRequest(f"'{key}' must be a string.")
    if not value.strip():
        raise BadRequest(f"'{key}' is empty.")
    if len(value) > max_chars:
        raise BadRequest(f"'{key}' is longer than {max_chars} characters.", status=413)
    if not _storable(value):
        raise BadRequest(f"'{key}' contains a NUL character or a lone surrogate.")
    return value


def _storable(value: str) -> bool:
    # JSON can carry both ("\u0000", "\udcff"), but PostgreSQL text refuses NUL
    # and neither database driver can encode a lone surrogate.
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
