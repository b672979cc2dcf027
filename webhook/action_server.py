"""The Rasa action-server protocol (`POST /webhook`, `GET /actions`).

Runs faqbot's actions through rasa-sdk's own `ActionExecutor`, with its status
codes: 404 unknown action, 400 rejected action or bad body, 449 missing domain;
anything else an action raises is a bug, answered 500 and logged at ERROR.
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
    """Run the action a Rasa server asks for.

    Only the caller's mistakes are 4xx; an exception from an action or from
    rasa-sdk on a call that passed the checks is a bug: a 500 (webhook.errors).
    """
    call = json_object(request)
    check_action_call(call)
    running = executor(current_app)
    name = call["next_action"]
    if not call.get("domain") and running.domain is None:
        # No domain sent and none kept from an earlier call: rasa-sdk would run
        # the action with none, which forms cannot do. Ask for it, as for a
        # stale digest.
        return _rasa_error(ActionMissingDomainException(name), 449)
    try:
        result = asyncio.run(running.run(call))
    except ActionNotFoundException as e:
        return _rasa_error(e, 404)
    except ActionMissingDomainException as e:
        return _rasa_error(e, 449)
    except ActionExecutionRejection as e:
        return _rasa_error(e, 400)
    return jsonify(result.model_dump() if result else None)


def _rasa_error(
    error: ActionNotFoundException
    | ActionMissingDomainException
    | ActionExecutionRejection,
    status: int,
) -> ResponseReturnValue:
    """rasa-sdk's error body (`error`, `action_name`) with the shared `status`."""
    body = {"error": error.message, "status": status, "action_name": error.action_name}
    return jsonify(body), status
