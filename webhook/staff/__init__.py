"""Staff pages: a signed-in inbox of consultation requests, crisis flags, learning.

Server-rendered (Jinja templates, the app's own CSS, no script at all), behind a
signed session cookie. Every POST carries a CSRF token (Flask-WTF); every
response carries a Content-Security-Policy that allows no inline script.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, Response

from bot.runtime import Runtime
from webhook.staff import formatting
from webhook.staff.secret import session_secret
from webhook.staff.services import SERVICES_KEY, StaffServices
from webhook.staff.session import StaffSessionInterface

blueprint = Blueprint(
    "staff",
    __name__,
    url_prefix="/staff",
    template_folder="templates",
    static_folder="static",
)

IDLE_TIMEOUT = timedelta(minutes=30)
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'"
)


def init_app(app: Flask, runtime: Runtime) -> None:
    """Configure sessions and CSRF for the staff pages and register them."""
    from webhook.staff import auth, learning, views  # noqa: F401  (routes)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = session_secret(runtime.settings)
    app.config.update(
        SESSION_COOKIE_NAME="faqbot_staff",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH="/staff",
        # Behind a TLS proxy the request looks like HTTP: the public URL decides.
        SESSION_COOKIE_SECURE=(runtime.settings.public_url or "").startswith(
            "https://"
        ),
        # Refreshed by every request: the session ends after idle time.
        PERMANENT_SESSION_LIFETIME=IDLE_TIMEOUT,
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_FIELD_NAME="csrf_token",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.session_interface = StaffSessionInterface()
    app.extensions[SERVICES_KEY] = StaffServices.build(runtime.store)
    app.jinja_env.filters["age"] = formatting.age
    app.jinja_env.filters["timestamp"] = formatting.timestamp
    app.register_blueprint(blueprint)


@blueprint.after_request
def security_headers(response: Response) -> Response:
    """No inline script, no framing, no caching of personal data."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response
