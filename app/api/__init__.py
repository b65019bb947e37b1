"""The JSON API under /api/v1, documented by OpenAPI 3 at /api/v1/openapi.json.

Requests are validated by the marshmallow schemas that also generate the
document (flask-smorest). Authentication: `Authorization: Bearer TOKEN`, or
the browser session plus an `X-CSRFToken` header for writes. Domain refusals
(services.ServiceError) are answered by app/errors.py with the status and code
their class declares: routes do not catch them.
"""
from __future__ import annotations

import re
from pathlib import Path

import orjson

from flask import Flask, Response, current_app, g, request, send_from_directory
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Api, Blueprint, abort

from ..extensions import csrf, db
from ..models import ID_IN_URL, TranslationJob
from ..services import assignment as assignment_service
from ..services import layers as layer_service
from ..services import mt as mt_service
from ..services import review as review_service
from ..services import users as user_service
from .schemas import (
    ArticleDetailSchema,
    ArticleListSchema,
    AssignmentRequestSchema,
    AssignmentSchema,
    ErrorSchema,
    JobCreatedSchema,
    JobSchema,
    LayerArgsSchema,
    PageArgsSchema,
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The nesting of a JSON body, checked on its bytes before anything parses it: no request of the API nests
# deeper than 4 (adjudicate's `{"links": {"accept": [[ar, en]]}}`), and Python's parser would recurse into
# 1,000 levels until a RecursionError (a 500). Its size is the route's body limit (request_limits.py),
# refused before it is read.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")
# RFC 9110 §11.6.1: a 401 says how to authenticate; RFC 6750 §3 for Bearer tokens.
CHALLENGE = 'Bearer realm="Mizan API"'

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Articles, paragraphs, assignments and machine translation jobs.")


class MizanApi(Api):
    ERROR_SCHEMA = ErrorSchema  # type: ignore[assignment]  # flask-smorest's annotation names its own ErrorSchema, not any Schema

    def _register_error_handlers(self):
        """Errors are rendered by app.errors for the whole app (JSON here, HTML on pages)."""


def init_api(app: Flask) -> None:
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "security": [{"bearerAuth": []}, {"sessionCookie": []}],
            "info": {"description": __doc__},
        },
    )
    api = MizanApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.register_blueprint(bp)
    csrf.exempt(bp)
    app.add_url_rule(
        "/api/v1/docs/assets/<path:filename>", "api_docs_assets", _swagger_ui_asset
    )


def _swagger_ui_asset(filename: str):
    import swagger_ui_bundle

    return send_from_directory(Path(swagger_ui_bundle.swagger_ui_path), filename, max_age=86400)


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@bp.before_request
def authenticate():
    token = _bearer_token()
    if token is not None:
        # A Bearer header decides alone: it is never mixed with a session cookie.
        user = user_service.user_for_api_token(token)
        if user is None:
            abort(
                401,
                message="Invalid, revoked or expired API token.",
                headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'},
            )
        g._login_user = user  # what flask_login.current_user reads
        return
    if not current_user.is_authenticated:
        abort(
            401,
            message="Authentication required: log in, or send 'Authorization: Bearer TOKEN'.",
            headers={"WWW-Authenticate": CHALLENGE},
        )
    if request.method not in SAFE_METHODS:
        csrf.protect()  # session-authenticated writes need the X-CSRFToken header


def json_nesting_depth(data: bytes, limit: int) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings do not count),
    counting no further than limit + 1."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        else:
            depth -= 1
    return deepest


@bp.before_request
def bound_json_body():
    """A JSON body nested too deep is refused before it is parsed (400). (One too large never gets here:
    request_limits.py refuses it, 413, before it is read.)"""
    if request.method in SAFE_METHODS or not request.is_json:
        return
    data = request.get_data(cache=True)
    if json_nesting_depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        abort(400, message=f"The JSON body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels.")


def _article_summary(article, paragraph_count: int) -> dict:
    return {
        "id": article.id,
        "title": article.title,
        "published": article.published,
        "source": article.source,
        "status": article.status,
        "paragraph_count": paragraph_count,
    }


@bp.route("/articles")
class Articles(MethodView):
    @bp.arguments(PageArgsSchema, location="query")
    @bp.response(200, ArticleListSchema)
    def get(self, args):
        """List articles: all for admins, assigned ones for reviewers, ordered by id."""
        page = assignment_service.list_visible_articles(current_user, page=args["page"], per_page=args["per_page"])
        return {
            "articles": [_article_summary(a, page.paragraph_counts.get(a.id, 0)) for a in page.articles],
            "total": page.total,
            "page": args["page"],
            "per_page": args["per_page"],
        }


@bp.route(f"/articles/<{ID_IN_URL}:article_id>")
class ArticleDetail(MethodView):
    @bp.arguments(LayerArgsSchema, location="query")
    @bp.response(200, ArticleDetailSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="`layer` asked for by someone who is not an admin")
    @bp.alt_response(404, schema=ErrorSchema, description="No such article, or not assigned to you")
    @bp.alt_response(422, schema=ErrorSchema, description="`layer` names no annotator of this double-annotated article")
    def get(self, args: dict, article_id: int):
        """One article with its paragraphs in order. On a double-annotated article each annotator gets their own
        layer (their English, entities, links, status and version); an admin gets the ordinary line (the gold),
        or an annotator's layer with `?layer=USERNAME`."""
        article = visible_article_or_404(article_id)
        layer = layer_service.view_line(article.id, current_user, args["layer"])
        paragraphs = review_service.paragraph_rows(article.id, qa_as_json=True, layer=layer)
        for paragraph in paragraphs:
            paragraph["qa"] = orjson.Fragment(paragraph["qa"])  # stored JSON, embedded as is
        summary = _article_summary(article, len(paragraphs))
        summary["published"] = article.published.isoformat() if article.published else None
        summary["paragraphs"] = paragraphs
        # Serialised here rather than by the schema (which still documents it): for long
        # articles marshmallow's dump is most of the response time.
        return Response(orjson.dumps(summary), mimetype="application/json")


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/assignments", methods=["POST"])
@bp.arguments(AssignmentRequestSchema)
@bp.response(201, AssignmentSchema)
@bp.alt_response(403, schema=ErrorSchema, description="Only admins assign")
@bp.alt_response(404, schema=ErrorSchema, description="No such article")
@bp.alt_response(422, schema=ErrorSchema, description="Unknown user; a user who may not hold this role (one person "
                 "in two roles of the article, a deactivated or corpus user); no reviewer yet. `error.details` names "
                 "the field at fault, as for an invalid field: `{\"json\": {\"username\": [message]}}`")
def create_assignment(payload: dict, article_id: int):
    """Assign (or reassign) a reviewer, second reviewer, or independent annotator to an article. Admins only.

    An `independent` annotator makes the article double-annotated: they and the reviewer each annotate in their
    own layer, invisible to the other, until adjudication. They are neither the reviewer nor the second
    reviewer (422, `error.details` names the field)."""
    if not current_user.is_admin:
        abort(403, message="Only admins can assign articles.")
    article = visible_article_or_404(article_id)
    assignee = user_service.get_user_by_username(payload["username"])
    if assignee is None:
        abort(422, message=f"No user named {payload['username']!r}.", errors={"json": {"username": ["Unknown user."]}})
    assignment = assignment_service.assign_article(
        article, assignee, payload["role"], actor=current_user, due=payload["due"]
    )
    return {
        "article_id": article.id,
        "username": assignment.user.username,
        "role": assignment.role,
        "due": assignment.due,
        "assigned_by": assignment.assigned_by.username if assignment.assigned_by else None,
        "assigned_at": assignment.assigned_at,
        "article_status": article.status,
    }


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/translate", methods=["POST"])
@bp.response(202, JobCreatedSchema)
@bp.alt_response(403, schema=ErrorSchema, description="Only admins start translations")
@bp.alt_response(404, schema=ErrorSchema, description="No such article")
@bp.alt_response(409, schema=ErrorSchema, description="No machine translation model is installed")
def translate_article(article_id: int):
    """Queue the machine translation of an article; poll the job for progress. When the article is
    already queued or being translated with that model, the answer names that job: there is never a second."""
    if not current_user.is_admin:
        abort(403, message="Only admins can start machine translation.")
    article = visible_article_or_404(article_id)
    request = mt_service.queue_article_translation(article, current_app.instance_path, actor=current_user)
    return {"job_id": request.job.id}


@bp.route(f"/jobs/<{ID_IN_URL}:job_id>")
@bp.response(200, JobSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such job, or its article is not assigned to you")
def get_job(job_id: int):
    """Progress of a translation job: status, paragraphs done of total, error."""
    job = db.session.get(TranslationJob, job_id)
    if job is None:
        abort(404, message=f"Job {job_id} not found.")
    visible_article_or_404(job.article_id)
    return job


def visible_article_or_404(article_id: int):
    """The article, if the user may see it (a NotFound is a 404, by app/errors.py)."""
    return assignment_service.get_visible_article(current_user, article_id)


from . import adjudication, agreement, entities, export, memory, notifications, review, undo  # noqa: E402,F401  (their routes register on bp)
