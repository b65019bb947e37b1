"""The security headers of every response (issue 14, OWASP ASVS level 1, V14.4).

Flask-Talisman sets them: a strict Content-Security-Policy (same origin only, no inline script or
style: the pages keep their scripts and styles in files under `app/static/`, page data travels in
`<script type="application/json">` blocks, which are never run), `frame-ancestors 'none'` with
`X-Frame-Options: DENY`, `Referrer-Policy: same-origin` and `X-Content-Type-Options: nosniff`.
HTTPS is not forced (`make run` serves plain HTTP): `MIZAN_FORCE_HTTPS=1` redirects to it, and
Strict-Transport-Security is sent on HTTPS answers only. Talisman leaves the cookie settings as they are
(the session settings own them).

On top, `Cache-Control: no-store` on every answer but the static files (ours and the Swagger UI's
assets): pages and API answers carry a user's data and a CSRF token, so neither the browser's history
nor a shared cache may keep them.
"""
from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import Talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # the Swagger UI's icons are data: URLs
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Endpoints whose answers may be cached: files that hold nobody's data.
CACHEABLE_ENDPOINTS = frozenset({"static", "api_docs_assets"})

talisman = Talisman()


def init_security_headers(app: Flask) -> None:
    talisman.init_app(
        app,
        force_https=bool(app.config.get("FORCE_HTTPS")),
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        x_content_type_options=True,
        strict_transport_security=True,
        strict_transport_security_include_subdomains=False,
        # Talisman's default names features Chromium no longer knows (a console warning on every page).
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
        # The cookies are configured in app/config.py; Talisman must not change them.
        session_cookie_secure=False,
        session_cookie_http_only=app.config.get("SESSION_COOKIE_HTTPONLY", True),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )
    app.after_request(_no_store_unless_static)


def _no_store_unless_static(response: Response) -> Response:
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response
