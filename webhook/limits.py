"""Rate limits for every channel: per client address and per sender (Flask-Limiter).

A channel endpoint opts in with a decorator, wherever its blueprint lives:

    @blueprint.post("/webhook")
    @rate_limited(sender=lambda request: request.form.get("From"))
    def receive(): ...

`init_app`, called by `create_app` after every blueprint is registered, applies
the limits to the marked views: the per-address limit to every marked view and,
where the view names how to find its sender, the per-sender limit too. A request
over a limit is answered 429 in the shared JSON error shape, with Retry-After.
Counters live in memory (per worker process, `webhook.limit_store`) unless
FAQBOT_RATELIMIT_STORAGE_URL names a Redis server, which every process and host
then shares; while it is unreachable, requests pass unlimited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Request, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.settings import Settings
from webhook import limit_store

LIMITER_KEY = "faqbot.limiter"
_MARK = "_faqbot_rate_limit"
SenderOf = Callable[[Request], object]
View = TypeVar("View", bound=Callable[..., object])


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


def init_app(app: Flask, settings: Settings) -> Limiter:
    """Apply the limits to every view marked with `rate_limited`."""
    if settings.trusted_proxies:
        # X-Forwarded-For from that many proxies in front is the client's address.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=1
        )
    limiter = Limiter(
        client_address,
        app=app,
        storage_uri=_storage_uri(settings.ratelimit_storage_url),
        headers_enabled=True,
        key_prefix="faqbot",
        strategy="fixed-window",
        # Fail open: with Redis unreachable, visitors are answered unlimited
        # (Flask-Limiter logs the storage error) rather than refused.
        swallow_errors=True,
    )
    app.extensions[LIMITER_KEY] = limiter
    # faqbot sets no default or application-wide limit: every limit belongs to a
    # marked view and is checked by its decorator. Flask-Limiter's own
    # before-request hook would look for limits on every request, /health's
    # and the static files' included (a third of /health's time), and find none.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    for endpoint, view in list(app.view_functions.items()):
        marked: _Marked | None = getattr(view, _MARK, None)
        if marked is None:
            continue
        limited = limiter.limit(
            settings.ratelimit_per_address, key_func=client_address, scope="address"
        )(view)
        if marked.sender is not None:
            limited = limiter.limit(
                settings.ratelimit_per_sender,
                key_func=_sender_key(endpoint, marked.sender),
                scope="sender",
                exempt_when=lambda sender=marked.sender: not _sender(sender),
            )(limited)
        app.view_functions[endpoint] = limited
    return limiter


def _storage_uri(configured: str) -> str:
    """memory:// is faqbot's own memory store (see webhook.limit_store)."""
    if configured.startswith("memory://"):
        return f"{limit_store.SCHEME}://"
    return configured


def close(app: Flask) -> None:
    """Close the limit store's connections (Redis), for an app being discarded."""
    limiter: Limiter | None = app.extensions.get(LIMITER_KEY)
    client = getattr(getattr(limiter, "storage", None), "storage", None)
    pool = getattr(client, "connection_pool", None)
    if pool is not None:
        pool.disconnect()


def _sender(sender_of: SenderOf) -> str:
    try:
        found = sender_of(request)
    except Exception:  # a malformed body: the view answers it; count the address
        return ""
    return "" if found is None else str(found)


def _sender_key(endpoint: str, sender_of: SenderOf) -> Callable[[], str]:
    def key() -> str:
        # Per channel: "42" on SMS and "42" on the REST channel are two visitors.
        return f"{endpoint}:{_sender(sender_of)}"

    return key


def json_field(name: str) -> SenderOf:
    """A `sender` for JSON bodies: the top-level field `name`, if any."""

    def sender(req: Request) -> object:
        body = req.get_json(silent=True)
        return body.get(name) if isinstance(body, dict) else None

    return sender
