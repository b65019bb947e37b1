"""How large a request body may be, route by route (issue 14, item 5).

Every route takes at most `MAX_CONTENT_LENGTH` (4 MiB: JSON bodies, forms); two uploads have their own
documented limits: the article import (`IMPORT_UPLOAD_MAX_BYTES`, 64 MiB for all the files of one
upload; each file is checked against `IMPORT_MAX_BYTES` as well) and the MT model package
(`MODEL_UPLOAD_MAX_BYTES`, 1 GiB, spooled to disk by werkzeug).

A body announced larger than its route's limit is refused with 413 and a message naming the limit before
any of it is read (this hook runs before every other one, the CSRF check included, which would read the
form); a body without Content-Length is cut off by werkzeug at the same limit
(`MizanRequest.max_content_length`). The API answers with its JSON error, pages with the error page.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask.wrappers import Request
from werkzeug.exceptions import RequestEntityTooLarge

# endpoint → the setting that holds its limit; every other endpoint: MAX_CONTENT_LENGTH.
UPLOAD_LIMITS = {
    "admin.import_articles": "IMPORT_UPLOAD_MAX_BYTES",
    "admin.models": "MODEL_UPLOAD_MAX_BYTES",
    "admin.memories": "IMPORT_UPLOAD_MAX_BYTES",  # a TMX file (issue 17)
}


def body_limit(endpoint: str | None) -> int:
    setting = UPLOAD_LIMITS.get(endpoint or "", "MAX_CONTENT_LENGTH")
    return int(current_app.config[setting])


def human_size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"


class MizanRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None or not current_app:
            return super().max_content_length
        return body_limit(self.endpoint)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def refuse_oversized_bodies() -> None:
    limit = body_limit(request.endpoint)
    if request.content_length is not None and request.content_length > limit:
        what = "upload" if request.endpoint in UPLOAD_LIMITS else "request"
        raise RequestEntityTooLarge(
            f"The {what} is too large: {human_size(request.content_length)} sent, at most {human_size(limit)} "
            "accepted here. Nothing was changed.")


def init_request_limits(app: Flask) -> None:
    app.request_class = MizanRequest
    # First of all the hooks: the CSRF check (and anything else) would read the body.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_oversized_bodies)
