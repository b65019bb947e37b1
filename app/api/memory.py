"""API routes of the translation memory (services/translation_memory.py): fuzzy matches and concordance."""
from __future__ import annotations

from flask_login import current_user

from sqlalchemy import select

from ..extensions import db
from ..models import ID_IN_URL, Paragraph
from ..services import review as review_service
from ..services import translation_memory as tm_service
from . import bp, visible_article_or_404
from .schemas import ConcordanceArgsSchema, ConcordanceSchema, ErrorSchema, ExactMatchesSchema, MatchArgsSchema, MatchListSchema


@bp.route(f"/paragraphs/<{ID_IN_URL}:paragraph_id>/matches")
@bp.arguments(MatchArgsSchema, location="query")
@bp.response(200, MatchListSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph, or not assigned to you")
def paragraph_matches(args: dict, paragraph_id: int):
    """Fuzzy matches for the paragraph and each of its sentences from the translation memory (every approved
    paragraph and every imported memory; never unapproved work), best first."""
    paragraph = review_service.get_visible_paragraph(current_user, paragraph_id)
    return {"matches": tm_service.paragraph_matches(paragraph.id, min_score=args["min_score"], limit=args["limit"])}


@bp.route("/concordance")
@bp.arguments(ConcordanceArgsSchema, location="query")
@bp.response(200, ConcordanceSchema)
def concordance(args: dict):
    """Where words occur in the translation memory (approved paragraphs and imported memories), newest first:
    Arabic normalised with proclitics allowed in front, English case-insensitive on word boundaries. Open to
    every logged-in user: the approved corpus is the team's (corpus users export it anyway)."""
    return tm_service.concordance(args["q"], lang=args["lang"], limit=args["limit"])


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/exact-matches")
@bp.response(200, ExactMatchesSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such article, or not assigned to you")
def article_exact_matches(article_id: int):
    """The article's paragraphs with a 100% match in the translation memory (the whole Arabic identical after
    normalisation to another unit's), for the workspace's badge on each row: one look-up per paragraph."""
    article = visible_article_or_404(article_id)
    paragraphs = db.session.execute(select(Paragraph.id, Paragraph.ar).where(Paragraph.article_id == article.id)
                                    .order_by(Paragraph.position)).all()
    return {"paragraph_ids": tm_service.exact_matches([(pid, ar) for pid, ar in paragraphs])}
