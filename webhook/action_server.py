"""The Rasa action-server protocol (`POST /webhook`, `GET /actions`).

Runs faqbot's actions through rasa-sdk's own `ActionExecutor`, with its status
codes: 404 unknown action, 400 rejected action or bad body, 449 missing domain.
Every call must carry FAQBOT_ACTION_TOKEN as its `token` query parameter, which
is where Rasa puts the `token:` of its endpoints.yml; without a configured token
the action server refuses every call.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from webhook.action_calls import check_action_call
from webhook.errors import error_response
from webhook.requests import json_object
from webhook.runtime import runtime

logger = logging.getLogger(__name__)
blueprint = Blueprint("action_server", __name__)
EXECUTOR_KEY = "faqbot.action_executor"
TOKEN_PARAMETER = "token"  # rasa.utils.endpoints.EndpointConfig's default token_name


def init_app(app: Flask) -> None:
    """Build the app's executor once, with every action of its runtime registered."""
    from webhook import RUNTIME_KEY

    built = ActionExecutor()
    for action in app.extensions[RUNTIME_KEY].actions.values():
        built.register_action(action)
    app.extensions[EXECUTOR_KEY] = built


def executor(app: Flask) -> ActionExecutor:
    """The executor `init_app` built for `app`."""
    found: ActionExecutor = app.extensions[EXECUTOR_KEY]
    return found


@blueprint.before_request
def check_token() -> ResponseReturnValue | None:
    """Refuse a caller without the shared token, before its body is read."""
    expected = runtime().settings.action_token
    if expected is None:
        return error_response(
            "The action server is closed: set FAQBOT_ACTION_TOKEN for faqbot, and"
            " the same value as `token:` of Rasa's action_endpoint.",
            403,
        )
    given = request.args.get(TOKEN_PARAMETER, "")
    # As bytes: compare_digest refuses str with non-ASCII characters.
    if not hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"),
        expected.encode("utf-8", "surrogateescape"),
    ):
        logger.warning("refused an action-server call without the right token")
        return error_response(
            f"Send FAQBOT_ACTION_TOKEN as the '{TOKEN_PARAMETER}' query parameter.",
            403,
        )
    return None


@blueprint.get("/actions")
def actions() -> ResponseReturnValue:
    """The names of the actions this server runs."""
    names = [a.model_dump() for a in executor(current_app).list_actions()]
    return jsonify(names)


@blueprint.post("/webhook")
def run() -> ResponseReturnValue:
    """Run the action a Rasa server asks for."""
    call = json_object(request)
    check_action_call(call)
    try:
        result = asyncio.run(executor(current_app).run(call))
    except ActionNotFoundException as e:
        return jsonify({"error": e.message, "action_name": e.action_name}), 404
    except ActionMissingDomainException as e:
        return jsonify({"error": e.message, "action_name": e.action_name}), 449
    except ActionExecutionRejection as e:
        return jsonify({"error": e.message, "action_name": e.action_name}), 400
    except (KeyError, TypeError, ValueError) as e:
        logger.info("malformed action call: %s", type(e).__name__)
        return error_response("The action call's tracker is malformed.", 400)
    return jsonify(result.model_dump() if result else None)
