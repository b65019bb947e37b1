"""API route of adjudication: a curator writes the gold of a paragraph of a double-annotated article
(services/adjudication.py; docs/architecture.md, "Adjudication")."""
from __future__ import annotations

from flask_login import current_user

from ..services import adjudication as adjudication_service
from . import bp
from .review import PARAGRAPH
from .schemas import AdjudicateSchema, AdjudicationSchema, ErrorSchema


@bp.route(f"{PARAGRAPH}/adjudicate", methods=["POST"])
@bp.arguments(AdjudicateSchema)
@bp.response(200, AdjudicationSchema)
@bp.alt_response(403, schema=ErrorSchema, description="Only curators and admins adjudicate")
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph")
@bp.alt_response(409, schema=ErrorSchema, description=(
    "The article is not double-annotated, not submitted by both annotators, or adjudicated already"))
@bp.alt_response(422, schema=ErrorSchema, description=(
    "An entity or link not of this paragraph's two layers, an English entity whose text the gold English lacks, "
    "the same span and label accepted twice, a link to an entity left out, or an annotator without English"))
def adjudicate_paragraph(payload: dict, paragraph_id: int):
    """Write the paragraph's gold from its two independent annotations: the English taken from annotator a
    or b (or written), the accepted entities and links of either layer; the paragraph is approved by the
    curator. When it is the article's last paragraph, the article goes on to its second reviewer (or, without
    one, is approved). A refusal changes nothing."""
    english = payload["translation"]
    translation = {"from": english["from_"]} if "from_" in english else {"text": english["text"]}
    result = adjudication_service.adjudicate(
        paragraph_id, actor=current_user, translation=translation, entities=payload["entities"]["accept"],
        links=payload["links"]["accept"])
    return {"id": result.paragraph_id, "version": result.version, "status": "approved",
            "approved_revision_id": result.revision_id, "english_from": result.english_from,
            "entities": result.entities, "links": result.links, "adjudicated_by": current_user.username,
            "agreement": result.agreement, "article_status": result.article_status,
            "article_adjudicated": result.article_adjudicated, "remaining": result.remaining}
