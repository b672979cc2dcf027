"""The staff session cookie: signed, HttpOnly, SameSite=Lax, Secure over HTTPS."""

from __future__ import annotations

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class StaffSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever served over HTTPS."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Flask builds the cookie's signing serializer for every request, each
        # visitor's chat turn included; only a request with a cookie needs it.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure
