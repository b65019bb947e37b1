"""The curator's side: the articles awaiting adjudication and the curation view of one
(services/adjudication.py; docs/architecture.md, "Adjudication"). Curators and admins only (403 for anyone
else). The view writes through POST /api/v1/paragraphs/<id>/adjudicate (static/curate/main.js)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from ..models import ID_IN_URL
from ..services import adjudication as adjudication_service

bp = Blueprint("curate", __name__)


@bp.before_request
def require_curation_rights():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.may_curate:
        abort(403)
    return None


@bp.route("")
def articles():
    """Double-annotated articles both annotators submitted, not adjudicated yet."""
    return render_template("curate/articles.html", articles=adjudication_service.articles_to_curate())


@bp.route(f"/articles/<{ID_IN_URL}:article_id>")
def article(article_id: int):
    """Per paragraph: both Englishes and their diff, both layers' entities and links aligned, agreements
    accepted, each disagreement a choice (take a's, take b's; for the English, or edit), then adjudicate.
    One page at a time (`?page=N`, CURATION_PAGE_SIZE paragraphs; without it, the first page with a paragraph
    still to adjudicate), so the page costs the same whatever the article's length."""
    raw = request.args.get("page")
    page = None
    if raw is not None:
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
            abort(400, description=f"The page {raw[:40]!r} is not a page number (1, 2, …).")
        page = int(raw)
    per_page = current_app.config.get("CURATION_PAGE_SIZE", adjudication_service.PAGE_SIZE)
    try:
        data = adjudication_service.curation(article_id, current_user, page=page, per_page=per_page)
    except adjudication_service.NoSuchPage as error:
        abort(404, description=str(error))
    return render_template("curate/article.html", data=data)
