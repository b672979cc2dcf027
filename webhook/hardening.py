"""What every response gets: the security headers."""

from __future__ import annotations

from flask import Flask, Response

from webhook.workers import SECURITY_HEADERS

# Pages may load their own scripts, styles and images, nothing from elsewhere;
# JSON answers load nothing at all (SECURITY_HEADERS).
PAGE_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""
    @app.after_request
    def security_headers(response: Response) -> Response:
        # setdefault: a page that needs its own policy (the widget, staff pages)
        # sets it and keeps it.
        for name, value in SECURITY_HEADERS.items():
            if name == "Content-Security-Policy" and response.mimetype == "text/html":
                value = PAGE_POLICY
            response.headers.setdefault(name, value)
        return response
