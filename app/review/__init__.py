"""The reviewer's side: "My work" and the article page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import ID_IN_URL, Article, Assignment, Paragraph, TranslationJob
from ..services import NotFound
from ..services import assignment as assignment_service
from ..services.mt_packages import find_package

bp = Blueprint("review", __name__)


@bp.route("/")
@login_required
def home():
    if current_user.is_admin:
        return redirect(url_for("admin.articles"))
    return redirect(url_for("review.my_work"))


@bp.route("/my-work")
@login_required
def my_work():
    rows = db.session.execute(
        select(Article, Assignment)
        .join(Assignment, Assignment.article_id == Article.id)
        .where(Assignment.user_id == current_user.id)
        .order_by(Assignment.due.is_(None), Assignment.due, Article.id)
    ).all()
    counts = assignment_service.paragraph_counts([article.id for article, _ in rows])
    return render_template("review/my_work.html", rows=rows, counts=counts)


@bp.route(f"/articles/<{ID_IN_URL}:article_id>")
@login_required
def article(article_id: int):
    try:
        article = assignment_service.get_visible_article(current_user, article_id)
    except NotFound:
        abort(404)
    paragraphs = db.session.scalars(
        select(Paragraph)
        .where(Paragraph.article_id == article.id)
        .options(selectinload(Paragraph.current_revision))
        .order_by(Paragraph.position)
    ).all()
    active_job = db.session.scalar(
        select(TranslationJob)
        .where(TranslationJob.article_id == article.id, TranslationJob.status.in_(("queued", "running")))
        .order_by(TranslationJob.id.desc())
        .limit(1)
    )
    return render_template(
        "review/article.html",
        article=article,
        paragraphs=paragraphs,
        assignments=assignment_service.assignments_of(article),
        active_job=active_job,
        model_installed=find_package(current_app.instance_path) is not None,
    )
