"""The OpenAPI 3.1 document of every public endpoint, served at GET /openapi.json.

Kept true by tests/test_openapi.py: every route of the app is described here,
nothing here is missing from the app, and schemathesis checks that answers
match the document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

blueprint = Blueprint("openapi", __name__)

# A new endpoint adds its entry to PATHS: the test fails until it does.
_JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    descriptions = {
        400: "malformed JSON or fields",
        403: "missing or wrong action-server token",
        404: "no such action",
        408: "the body did not arrive in time",
        413: "the body or a field is too large",
        415: "the body is not JSON",
        429: "over a rate limit (see Retry-After)",
        449: "the call needs the domain",
        503: "storage unavailable",
    }
    return {
        str(code): {
            "description": descriptions[code],
            "content": {_JSON: {"schema": _ref("Error")}},
            **(
                {"headers": {"Retry-After": {"schema": {"type": "string"}}}}
                if code == 429
                else {}
            ),
        }
        for code in codes
    }


_BODY_ERRORS = (400, 408, 413, 415, 429)
_TOKEN = {
    "name": "token",
    "in": "query",
    "required": True,
    "description": "FAQBOT_ACTION_TOKEN, as Rasa sends its endpoints.yml token",
    "schema": {"type": "string"},
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string"},
            "status": {"type": "integer"},
            "action_name": {"type": "string"},
        },
    },
    "Button": {
        "type": "object",
        "required": ["title", "payload"],
        "properties": {"title": {"type": "string"}, "payload": {"type": "string"}},
    },
    "BotMessage": {
        "type": "object",
        "required": ["recipient_id", "text"],
        "properties": {
            "recipient_id": {"type": "string"},
            "text": {"type": "string"},
            "buttons": {"type": "array", "items": _ref("Button")},
            "custom": {"type": "object"},
        },
    },
    "UserMessage": {
        "type": "object",
        "required": ["sender", "message"],
        "properties": {
            "sender": {"type": "string", "minLength": 1, "maxLength": 128},
            "message": {"type": "string", "minLength": 1},
            "metadata": {"type": "object"},
        },
    },
    "ParseRequest": {
        "type": "object",
        "required": ["text"],
        "properties": {"text": {"type": "string", "minLength": 1}},
    },
    "ParseResult": {
        "type": "object",
        "required": ["text", "intent", "entities", "intent_ranking"],
        "properties": {
            "text": {"type": "string"},
            "intent": {
                "type": "object",
                "required": ["name", "confidence"],
                "properties": {
                    "name": {"type": "string"},
                    "confidence": {"type": "number"},
                },
            },
            "entities": {"type": "array", "items": {"type": "object"}},
            "intent_ranking": {"type": "array", "items": {"type": "object"}},
            "response_selector": {"type": "object"},
            "crisis": {
                "type": "object",
                "description": "present when the message may be about a crisis:"
                " level clear (the intent is crisis) or possible (a safety line"
                " comes before the answer)",
                "required": ["level", "kind", "cue", "language"],
                "properties": {
                    "level": {"enum": ["clear", "possible"]},
                    "kind": {"type": "string"},
                    "cue": {"type": "string"},
                    "language": {"enum": ["en", "es"]},
                },
            },
        },
    },
    "ActionCall": {
        "type": "object",
        "description": "Rasa's action-server request",
        "required": ["next_action", "tracker"],
        "properties": {
            "next_action": {"type": "string"},
            "sender_id": {"type": "string"},
            "tracker": {"type": "object"},
            "domain": {"type": "object"},
            "domain_digest": {"type": ["string", "null"]},
            "version": {"type": "string"},
        },
    },
    "ActionResult": {
        "type": ["object", "null"],
        "properties": {
            "events": {"type": "array", "items": {"type": "object"}},
            "responses": {"type": "array", "items": {"type": "object"}},
        },
    },
}

PATHS: dict[str, Any] = {
    "/": {
        "get": {
            "summary": "The demo page: the clinic's article with the chat widget",
            "responses": {
                "200": {
                    "description": "an HTML page",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                }
            },
        }
    },
    "/api": {
        "get": {
            "summary": "What this server offers",
            "responses": {"200": _json({"type": "object"}, "the endpoints")},
        }
    },
    "/widget.js": {
        "get": {
            "summary": "The chat widget's script (cached for a year with ?v=VERSION)",
            "parameters": [{"name": "v", "in": "query", "schema": {"type": "string"}}],
            "responses": {
                "200": {
                    "description": "JavaScript",
                    "content": {"text/javascript": {"schema": {"type": "string"}}},
                },
                "304": {"description": "not modified (ETag)"},
            },
        }
    },
    "/widget/config": {
        "get": {
            "summary": "What the widget shows before the visitor writes",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["title", "greeting"],
                        "properties": {
                            "title": {"type": "string"},
                            "greeting": {"type": "object"},
                            "consultation": {"type": "object"},
                            "max_message_chars": {"type": "integer"},
                        },
                    },
                    "the widget's settings",
                ),
                **_errors(403),
            },
        }
    },
    "/health": {
        "get": {
            "summary": "Liveness",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["status"],
                        "properties": {
                            "status": {"const": "ok"},
                            "topics": {"type": "integer"},
                        },
                    },
                    "the knowledge base is loaded",
                )
            },
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
        }
    },
    "/webhooks/rest/": {
        "get": {
            "summary": "Rasa's REST channel status",
            "responses": {"200": _json({"type": "object"}, "ok")},
        }
    },
    "/webhooks/rest/webhook": {
        "post": {
            "summary": "Rasa's REST channel: one visitor message, the bot's replies",
            "requestBody": {
                "required": True,
                "content": {_JSON: {"schema": _ref("UserMessage")}},
            },
            "responses": {
                "200": _json(
                    {"type": "array", "items": _ref("BotMessage")}, "the replies"
                ),
                **_errors(*_BODY_ERRORS, 403, 503),
            },
        }
    },
    "/model/parse": {
        "post": {
            "summary": "Rasa's parse endpoint",
            "requestBody": {
                "required": True,
                "content": {_JSON: {"schema": _ref("ParseRequest")}},
            },
            "responses": {
                "200": _json(_ref("ParseResult"), "the parse result"),
                **_errors(*_BODY_ERRORS),
            },
        }
    },
    "/webhook": {
        "post": {
            "summary": "Rasa's action server: run one action",
            "parameters": [_TOKEN],
            "requestBody": {
                "required": True,
                "content": {_JSON: {"schema": _ref("ActionCall")}},
            },
            "responses": {
                "200": _json(_ref("ActionResult"), "the action's events"),
                **_errors(*_BODY_ERRORS, 403, 404, 449, 503),
            },
        }
    },
    "/actions": {
        "get": {
            "summary": "Rasa's action server: the actions it runs",
            "parameters": [_TOKEN],
            "responses": {
                "200": _json(
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name"],
                            "properties": {"name": {"type": "string"}},
                        },
                    },
                    "action names",
                ),
                **_errors(403),
            },
        }
    },
}


_SIGNED_ERRORS = (400, 403, 404, 413, 415, 429, 503)
_FORM = "application/x-www-form-urlencoded"

PATHS["/webhooks/twilio/webhook"] = {
    "post": {
        "summary": "Twilio's messaging webhook (SMS, WhatsApp): a form in, TwiML out",
        "parameters": [
            {
                "name": "X-Twilio-Signature",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                _FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["From"],
                        "properties": {
                            "From": {"type": "string"},
                            "Body": {"type": "string"},
                            "MessageSid": {"type": "string"},
                        },
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "TwiML: one <Message> per reply",
                "content": {"application/xml": {"schema": {"type": "string"}}},
            },
            **_errors(*_SIGNED_ERRORS),
        },
    }
}
PATHS["/webhooks/facebook/webhook"] = {
    "get": {
        "summary": "Messenger's subscription handshake",
        "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string"}}
            for name in ("hub.mode", "hub.verify_token", "hub.challenge")
        ],
        "responses": {
            "200": {
                "description": "the challenge, echoed",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            **_errors(403, 404, 429),
        },
    },
    "post": {
        "summary": "Messenger's page events; replies are sent later (Send API)",
        "parameters": [
            {
                "name": "X-Hub-Signature-256",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {_JSON: {"schema": {"type": "object"}}},
        },
        "responses": {
            "200": _json(
                {"type": "object", "properties": {"status": {"const": "ok"}}},
                "every message taken",
            ),
            **_errors(*_SIGNED_ERRORS),
        },
    },
}


_HTML = {"text/html": {"schema": {"type": "string"}}}
_STAFF_FORM_ERRORS = {
    "400": {"description": "the form's CSRF token is missing or wrong"},
    "429": {"description": "too many requests, or too many failed sign-ins"},
}

# Staff sign-in. The pages behind it are HTML for signed-in staff, not an API:
# they are not described here (see STAFF_PAGES_PREFIX).
PATHS["/staff/login"] = {
    "get": {
        "summary": "The staff sign-in page",
        "parameters": [
            {"name": "next", "in": "query", "schema": {"type": "string"}},
        ],
        "responses": {"200": {"description": "the sign-in form", "content": _HTML}},
    },
    "post": {
        "summary": "Sign in: username, password and the form's CSRF token",
        "requestBody": {
            "required": True,
            "content": {
                _FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "username": {"type": "string"},
                            "password": {"type": "string"},
                            "csrf_token": {"type": "string"},
                            "next": {"type": "string"},
                        },
                    }
                }
            },
        },
        "responses": {
            "302": {"description": "signed in: on to the inbox (or `next`)"},
            "401": {"description": "wrong username or password (one message for both)"},
            **_STAFF_FORM_ERRORS,
        },
    },
}
PATHS["/staff/logout"] = {
    "post": {
        "summary": "Sign out (a form with the CSRF token)",
        "responses": {
            "302": {"description": "signed out: back to the sign-in page"},
            **_STAFF_FORM_ERRORS,
        },
    }
}
# Routes under this prefix other than sign-in and sign-out are staff pages.
STAFF_PAGES_PREFIX = "/staff/"
DESCRIBED_STAFF_ROUTES = frozenset({"/staff/login", "/staff/logout"})


def document() -> dict[str, Any]:
    """The whole document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "faqbot",
            "version": "1",
            "description": "A clinic's FAQ chatbot: Rasa-compatible channels, "
            "parse endpoint and action server. Every error answers "
            '`{"error", "status"}`.',
        },
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }


@blueprint.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """This server's OpenAPI 3.1 document."""
    return jsonify(document())
