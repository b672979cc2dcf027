"""Rate limits for every channel: per client address and per sender.

A channel endpoint opts in with a decorator, wherever its blueprint lives:

    @blueprint.post("/webhook")
    @rate_limited(sender=lambda request: request.form.get("From"))
    def receive(): ...

`init_app`, called by `create_app` after every blueprint is registered, applies
the limits to the marked views: the per-address limit to every marked view
(counted per view) and, where the view names how to find its sender, the
per-sender limit too (counted per view and sender). A request over a limit is
answered 429 in the shared JSON error shape, with Retry-After.

Counting is the `limits` package's fixed windows (the engine Flask-Limiter runs
on, driven here directly: Flask-Limiter's per-request bookkeeping, which looks
for default, application, blueprint and meta limits faqbot never sets, cost a
tenth of a chat turn's CPU). Counters live in memory (per worker process,
`webhook.limit_store`) unless FAQBOT_RATELIMIT_STORAGE_URL names a Redis
server, which every process and host then shares; while it is unreachable,
requests pass unlimited and the failure is logged.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Flask, Request, request
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.settings import Settings
from webhook import limit_store
from webhook.errors import BadRequest
from webhook.requests import json_object

logger = logging.getLogger(__name__)

LIMITER_KEY = "faqbot.limiter"
KEY_PREFIX = "faqbot"
_MARK = "_faqbot_rate_limit"
SenderOf = Callable[[Request], object]
View = TypeVar("View", bound=Callable[..., Any])


class _Marked:
    """What `rate_limited` records on a view."""

    def __init__(self, sender: SenderOf | None) -> None:
        self.sender = sender


def rate_limited(sender: SenderOf | None = None) -> Callable[[View], View]:
    """Mark a view for the per-address limit and, given `sender`, the per-sender one.

    `sender(request)` returns the id the channel knows the visitor by (any value;
    None or "" when the request names none, which then counts against the
    address only). It must not fail on a malformed request: the limit is checked
    before the view validates anything.
    """

    def mark(view: View) -> View:
        setattr(view, _MARK, _Marked(sender))
        return view

    return mark


def client_address() -> str:
    """The client's address (the proxy's, unless FAQBOT_TRUSTED_PROXIES is set)."""
    return request.remote_addr or "unknown"


class RateLimits:
    """The configured limits and where their counters live, for one app."""

    def __init__(self, settings: Settings) -> None:
        self.storage: Storage = storage_from_string(
            _storage_uri(settings.ratelimit_storage_url)
        )
        self._counter = FixedWindowRateLimiter(self.storage)
        self.per_address: Sequence[RateLimitItem] = parse_many(
            settings.ratelimit_per_address
        )
        self.per_sender: Sequence[RateLimitItem] = parse_many(
            settings.ratelimit_per_sender
        )

    def check(self, endpoint: str, sender_of: SenderOf | None) -> None:
        """Count this request; TooManyRequests (429) if it is over a limit."""
        counted = [
            (item, (KEY_PREFIX, endpoint, "address", client_address()))
            for item in self.per_address
        ]
        sender = _sender(sender_of) if sender_of is not None else ""
        if sender:
            counted += [
                (item, (KEY_PREFIX, endpoint, "sender", sender))
                for item in self.per_sender
            ]
        try:
            for item, key in counted:
                if not self._counter.hit(item, *key):
                    reset = self._counter.get_window_stats(item, *key).reset_time
                    wait = max(1, math.ceil(reset - time.time()))
                    # Which limit, never whose: the key holds a sender id.
                    logger.info("rate limit %s exceeded at %s", item, endpoint)
                    raise TooManyRequests(retry_after=wait)
        except TooManyRequests:
            raise
        except Exception as e:  # noqa: BLE001 - any storage failure fails open
            # Fail open: with Redis unreachable, visitors are answered unlimited
            # rather than refused.
            logger.error("rate-limit store unavailable: %s", type(e).__name__)


def init_app(app: Flask, settings: Settings) -> RateLimits:
    """Apply the limits to every view marked with `rate_limited`."""
    if settings.trusted_proxies:
        # X-Forwarded-For from that many proxies in front is the client's address.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=1
        )
    limits = RateLimits(settings)
    app.extensions[LIMITER_KEY] = limits
    for endpoint, view in list(app.view_functions.items()):
        marked: _Marked | None = getattr(view, _MARK, None)
        if marked is not None:
            app.view_functions[endpoint] = _limited(view, limits, endpoint, marked)
    return limits


def _limited(
    view: Callable[..., Any], limits: RateLimits, endpoint: str, marked: _Marked
) -> Callable[..., Any]:
    @functools.wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        limits.check(endpoint, marked.sender)
        return view(*args, **kwargs)

    return limited


def _storage_uri(configured: str) -> str:
    """memory:// is faqbot's own memory store (see webhook.limit_store)."""
    if configured.startswith("memory://"):
        return f"{limit_store.SCHEME}://"
    return configured


def close(app: Flask) -> None:
    """Close the limit store's connections (Redis), for an app being discarded."""
    limits: RateLimits | None = app.extensions.get(LIMITER_KEY)
    client = getattr(getattr(limits, "storage", None), "storage", None)
    pool = getattr(client, "connection_pool", None)
    if pool is not None:
        pool.disconnect()


def _sender(sender_of: SenderOf) -> str:
    try:
        found = sender_of(request)
    except Exception:  # a malformed body: the view answers it; count the address
        return ""
    return "" if found is None else str(found)


def json_field(name: str) -> SenderOf:
    """A `sender` for JSON bodies: the top-level field `name`, if any."""

    def sender(req: Request) -> object:
        # The view's own parse, done once: a body it refuses names no sender.
        try:
            return json_object(req).get(name)
        except BadRequest:
            return None

    return sender
