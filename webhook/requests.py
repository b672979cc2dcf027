"""Reading JSON bodies strictly: malformed, non-object or mistyped input is a 400."""

from __future__ import annotations

import json
from typing import Any

from flask import Request

from webhook.errors import BadRequest

# Far deeper than anything Rasa or a widget sends (a Rasa tracker nests about 8
# levels), and far enough below Python's recursion limit that nothing which walks
# the parsed body later (copying, storing, answering) can run out of stack.
MAX_JSON_DEPTH = 64
# Where a request's parsed body is kept: the rate limit reads the sender from it
# before the view reads the rest.
_PARSED = "faqbot.json_object"


def json_object(request: Request) -> dict[str, Any]:
    """The request's body as a JSON object, or BadRequest saying why not.

    Parsed once per request; callers get the same dict and must not change it.
    """
    parsed: dict[str, Any] | None = request.environ.get(_PARSED)
    if parsed is not None:
        return parsed
    if not request.is_json:
        raise BadRequest(
            "Send a JSON body with Content-Type: application/json.", status=415
        )
    too_deep = f"The body is nested more than {MAX_JSON_DEPTH} levels deep."
    data = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        # A chunked body has no length to refuse up front, and Werkzeug stops
        # reading it at the limit without saying whether more was coming.
        raise BadRequest("The request body is too large.", status=413)
    try:
        body = json.loads(data or b"")
    except json.JSONDecodeError as e:
        raise BadRequest(f"The body is not valid JSON: {e.msg}") from e
    except UnicodeDecodeError as e:
        raise BadRequest(f"The body is not valid JSON: {e}") from e
    except RecursionError as e:
        raise BadRequest(too_deep) from e
    except ValueError as e:
        # Python refuses integers of more than 4,300 digits (sys.int_info).
        raise BadRequest("The body is not valid JSON: a number is too long.") from e
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    if _deeper_than(body, MAX_JSON_DEPTH):
        raise BadRequest(too_deep)
    request.environ[_PARSED] = body
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


def _deeper_than(body: dict[str, Any], limit: int) -> bool:
    # Level by level rather than recursively, so the check itself cannot run out
    # of the stack it protects. After n rounds, `level` holds the containers n + 1
    # levels down.
    level: list[Any] = [body]
    for _round in range(limit):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


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
