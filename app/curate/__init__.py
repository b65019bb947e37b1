"""The curator's side: the articles awaiting adjudication and the curation view of one
(services/adjudication.py; docs/architecture.md, "Adjudication"). Curators and admins only (403 for anyone
else). The view writes through POST /api/v1/paragraphs/<id>/adjudicate (static/curate/main.js)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
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
    accepted, each disagreement a choice (take a's, take b's; for the English, or edit), then adjudicate."""
    data = adjudication_service.curation(article_id, current_user)
    return render_template("curate/article.html", data=data)
