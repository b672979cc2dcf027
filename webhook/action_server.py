"""The Rasa action-server protocol (`POST /webhook`, `GET /actions`).

Runs faqbot's actions through rasa-sdk's own `ActionExecutor`, with its status
codes: 404 unknown action, 400 rejected action or bad body, 449 missing domain.
"""

from __future__ import annotations

import asyncio
import logging

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from webhook.errors import BadRequest, error_response
from webhook.requests import json_object
from webhook.runtime import runtime

logger = logging.getLogger(__name__)
blueprint = Blueprint("action_server", __name__)
EXECUTOR_KEY = "faqbot.action_executor"


def executor(app: Flask) -> ActionExecutor:
    """The app's executor, with every faqbot action registered once."""
    found = app.extensions.get(EXECUTOR_KEY)
    if found is None:
        found = ActionExecutor()
        for action in runtime().actions.values():
            found.register_action(action)
        app.extensions[EXECUTOR_KEY] = found
    return found


@blueprint.get("/actions")
def actions() -> ResponseReturnValue:
    """The names of the actions this server runs."""
    names = [a.model_dump() for a in executor(current_app).list_actions()]
    return jsonify(names)


@blueprint.post("/webhook")
def run() -> ResponseReturnValue:
    """Run the action a Rasa server asks for."""
    call = json_object(request)
    if not isinstance(call.get("next_action"), str) or not isinstance(
        call.get("tracker"), dict
    ):
        raise BadRequest("An action call needs 'next_action' and a 'tracker' object.")
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
