"""The staff session cookie: signed, HttpOnly, SameSite=Lax, Secure over HTTPS."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface


class StaffSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever served over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure
