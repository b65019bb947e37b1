"""Error responses: JSON `{"error": {"code", "message"}}` under /api/, friendly pages elsewhere.

Domain refusals (services.ServiceError) are answered here, in one place, by the status and code
each class declares; pages that rather show the refusal on the form use `flash_refusals`.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from flask import Flask, flash, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from .extensions import db
from .services import ServiceError

FRIENDLY_MESSAGES = {
    400: "The request could not be understood.",
    401: "Authentication required: log in, or send 'Authorization: Bearer TOKEN'.",
    403: "You do not have the right to do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    413: "The upload is too large.",
    422: "The request was well-formed but its content is invalid.",
    429: "Too many attempts. Please wait a moment and try again.",
    500: "Something went wrong on our side; nothing was changed.",
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_code(status: int) -> str:
    """'not_found' for 404, 'unprocessable_entity' for 422: the HTTP reason, machine-readable."""
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_").replace("'", "")


def json_error(status: int, message: str, *, code: str | None = None, details=None, headers=None,
               fields: dict | None = None):
    body: dict = {"code": code or error_code(status), "message": message}
    if details:
        body["details"] = details
    response = jsonify({"error": body, **(fields or {})})
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        message = f"CSRF check failed: {error.description} Reload the page and try again."
        if is_api_request():
            return json_error(403, message, code="csrf_failed")
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(ServiceError)
    def handle_refusal(error: ServiceError):
        """A domain refusal that no page turned into a form message: rolled back, and answered
        with the status, code, details and fields its class declares."""
        db.session.rollback()
        if is_api_request():
            return json_error(error.status, str(error), code=error.code, details=error.details, fields=error.fields)
        # A page's 404 says no more than "Not found.": the same whether the object is missing or hidden.
        message = FRIENDLY_MESSAGES[404] if error.status == 404 else str(error)
        return render_template("error.html", status=error.status, message=message), error.status

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        if error.response is not None:  # a complete answer, e.g. a 409 carrying both texts
            return error.response
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        message = data.get("message") or _description(error, status)
        headers = _exception_headers(error)  # e.g. Allow on 405, Retry-After on 429
        if is_api_request():
            details = data.get("errors") or data.get("messages")
            if details and not data.get("message"):
                message = f"{message} {_summarise(details)}"
            headers.update(data.get("headers") or {})
            return json_error(status, message, details=details, headers=headers)
        return render_template("error.html", status=status, message=message), status, headers

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return json_error(500, FRIENDLY_MESSAGES[500])
        return render_template("error.html", status=500, message=FRIENDLY_MESSAGES[500]), 500


@dataclass
class Attempt:
    """What `flash_refusals` saw: `refusal` is the ServiceError that stopped the block, or None."""

    refusal: ServiceError | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


@contextmanager
def flash_refusals(prefix: str = "", *, let_through: tuple[type[ServiceError], ...] = (),
                   quiet: bool = False) -> Iterator[Attempt]:
    """For pages: a domain refusal inside the block rolls back what was half-done and becomes an
    error message on the next page shown; the view goes on, and `attempt.ok` says how it went.

        with flash_refusals() as attempt:
            user_service.set_active(user, True, actor=current_user)
        if attempt.ok:
            flash("User activated.", "success")

    Refusals of the classes in `let_through` (e.g. NotFound) go on to the app's handler: an error page.
    With `quiet`, nothing is flashed: the page shows `attempt.refusal` itself.
    """
    attempt = Attempt()
    try:
        yield attempt
    except ServiceError as refusal:
        if isinstance(refusal, let_through):
            raise
        db.session.rollback()
        if not quiet:
            flash(f"{prefix}{refusal}", "error")
        attempt.refusal = refusal


def _summarise(details, limit: int = 5) -> str:
    """'text: The English cannot be empty.' from marshmallow's nested {location: {field: [messages]}}."""
    lines: list[str] = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, path if key in ("json", "query", "form", "files", "headers", "path") else [*path, str(key)])
        elif isinstance(node, list) and all(isinstance(item, str) for item in node):
            lines.append(f"{'.'.join(path) or 'request'}: {' '.join(node)}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, [*path, str(index)])
        else:
            lines.append(f"{'.'.join(path) or 'request'}: {node}")

    walk(details, [])
    more = f" (and {len(lines) - limit} more)" if len(lines) > limit else ""
    return "; ".join(lines[:limit]) + more


def _exception_headers(error: HTTPException) -> dict:
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def _description(error: HTTPException, status: int) -> str:
    if status == 429:  # Flask-Limiter's description is the limit itself, e.g. "5 per 1 minute"
        return f"{FRIENDLY_MESSAGES[429]} (limit: {error.description})"
    default = type(error).description if isinstance(type(error).description, str) else None
    if error.description and error.description != default:
        return error.description
    return FRIENDLY_MESSAGES.get(status, error.name)
