"""What every response gets: the security headers."""

from __future__ import annotations

from flask import Flask, Response

from webhook.workers import SECURITY_HEADERS

# Pages may load their own scripts, styles and images, nothing from elsewhere;
# JSON answers load nothing at all (SECURITY_HEADERS).
PAGE_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_POLICY = "content-security-policy"
_FOR_JSON = tuple(
    (name.lower(), name, value) for name, value in SECURITY_HEADERS.items()
)
_FOR_PAGES = tuple(
    (lower, name, PAGE_POLICY if lower == _POLICY else value)
    for lower, name, value in _FOR_JSON
)


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        # A page that needs its own policy (the widget, staff pages) sets it and
        # keeps it. One pass over the headers: werkzeug's `setdefault` looks a
        # missing header up by raising and catching an exception, five times a
        # response.
        present = {name.lower() for name, _ in response.headers.items()}
        wanted = _FOR_PAGES if response.mimetype == "text/html" else _FOR_JSON
        headers = response.headers
        for lower, name, value in wanted:
            if lower not in present:
                headers.add(name, value)
        return response
