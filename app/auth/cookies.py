"""Cookies that are Secure whenever the request came over HTTPS.

Flask and Flask-Login read a fixed `*_COOKIE_SECURE` setting; Mizan often runs on plain HTTP
(`make run`) and behind an HTTPS proxy in a team, so the request decides: a request over HTTPS
(`request.is_secure`, which behind a proxy needs MIZAN_TRUSTED_PROXIES for X-Forwarded-Proto to
count) gets Secure cookies, and MIZAN_SECURE_COOKIES makes them Secure always.
"""
from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or (has_request_context() and request.is_secure))


def secure_cookies_over_https(response: Response) -> Response:
    """The other cookies (Flask-Login's remember cookie, the login device cookie) set on an HTTPS request."""
    if not request.is_secure:
        return response
    cookies = response.headers.getlist("Set-Cookie")
    if any("; secure" not in cookie.lower() for cookie in cookies):
        response.headers.setlist("Set-Cookie", [
            cookie if "; secure" in cookie.lower() else cookie + "; Secure" for cookie in cookies])
    return response
