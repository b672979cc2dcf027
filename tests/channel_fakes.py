"""Stand-ins for the platforms' side of the channels, with the real algorithms.

Requests are signed as Twilio and Meta sign them (the twilio library's validator
math; HMAC-SHA256 over the raw body), and `GraphServer` is a real HTTP server on
loopback that receives Messenger's Send API calls.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import RequestValidator

TWILIO_TOKEN = "twilio-auth-token-for-tests"
APP_SECRET = "messenger-app-secret-for-tests"
VERIFY_TOKEN = "messenger-verify-token-for-tests"
PAGE_TOKEN = "messenger-page-token-for-tests"
TWILIO_URL = "http://localhost/webhooks/twilio/webhook"


def channel_environment(graph_url: str) -> dict[str, str]:
    """Every channel secret, with Messenger's Send API pointed at `graph_url`."""
    return {
        "FAQBOT_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "FAQBOT_MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN,
        "FAQBOT_MESSENGER_APP_SECRET": APP_SECRET,
        "FAQBOT_MESSENGER_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
        "FAQBOT_MESSENGER_GRAPH_URL": graph_url,
    }


def twilio_signature(
    url: str, params: Mapping[str, str], token: str = TWILIO_TOKEN
) -> str:
    """X-Twilio-Signature as Twilio computes it (the library's own math)."""
    return RequestValidator(token).compute_signature(url, dict(params))


def twilio_form(
    body: str, *, sender: str = "+15135550134", sid: str | None = None
) -> dict[str, str]:
    """Twilio's webhook form for one incoming message."""
    form = {
        "ToCountry": "US",
        "From": sender,
        "To": "+15135550100",
        "Body": body,
        "NumMedia": "0",
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
    }
    if sid is not None:
        form["MessageSid"] = sid
        form["SmsSid"] = sid
    return form


def messenger_signature(body: bytes, secret: str = APP_SECRET) -> str:
    """X-Hub-Signature-256 as Meta computes it: HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def messenger_body(*events: dict[str, Any], page: str = "PAGE-1") -> bytes:
    """A webhook call carrying `events` for one page entry."""
    return json.dumps(
        {
            "object": "page",
            "entry": [{"id": page, "time": 1767000000000, "messaging": list(events)}],
        }
    ).encode()


def text_event(sender: str, text: str, mid: str) -> dict[str, Any]:
    return {
        "sender": {"id": sender},
        "recipient": {"id": "PAGE-1"},
        "timestamp": 1767000000000,
        "message": {"mid": mid, "text": text},
    }


class GraphServer:
    """Meta's Send API on loopback: records each call, fails the first `failures`."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.failures = 0
        self.failed = 0
        self.status_for_failures = 500
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                parts = urlsplit(self.path)
                with owner._lock:
                    failing = owner.failures > 0
                    if failing:
                        owner.failures -= 1
                        owner.failed += 1
                    else:
                        owner.calls.append(
                            {
                                "path": parts.path,
                                "query": parse_qs(parts.query),
                                "body": body,
                            }
                        )
                status = owner.status_for_failures if failing else 200
                answer = (
                    {"error": {"message": "boom", "type": "OAuthException", "code": 2}}
                    if failing
                    else {"recipient_id": "x", "message_id": "m"}
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v21.0"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            return [call["body"] for call in self.calls]

    def texts(self, recipient: str | None = None) -> list[str]:
        """The texts sent, in arrival order (to `recipient` only, if given)."""
        return [
            body["message"]["text"]
            for body in self.bodies()
            if "message" in body
            and (recipient is None or body["recipient"]["id"] == recipient)
        ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
