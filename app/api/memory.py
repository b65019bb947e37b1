"""API routes of the translation memory (services/translation_memory.py): fuzzy matches and concordance."""
from __future__ import annotations

from flask_login import current_user

from ..models import ID_IN_URL
from ..services import review as review_service
from ..services import translation_memory as tm_service
from . import bp
from .schemas import ConcordanceArgsSchema, ConcordanceSchema, ErrorSchema, MatchArgsSchema, MatchListSchema


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
