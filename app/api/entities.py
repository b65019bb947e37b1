"""API routes for named entities, their cross-language links, the label set and QA checks."""
from __future__ import annotations

import unicodedata

from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import select

from ..extensions import db
from ..models import ID_IN_URL, Label
from ..services import entities as entity_service
from ..services import layers as layer_service
from ..services import paragraph_qa
from ..services import review as review_service
from . import bp, visible_article_or_404
from .review import PARAGRAPH
from .schemas import (
    EntityCreateSchema,
    EntityListSchema,
    EntityPatchSchema,
    EntitySchema,
    ErrorSchema,
    LabelListSchema,
    LayerArgsSchema,
    LinkRequestSchema,
    LinkSchema,
    QARequestSchema,
    QAResultSchema,
    SuggestionListSchema,
    SuggestionRejectSchema,
)

ENTITY = f"/entities/<{ID_IN_URL}:entity_id>"
REFUSALS = {
    "404": "No such paragraph or entity, or not assigned to you",
    "409": "Exact duplicate, the English changed since it was read (stale revision), or the article is locked",
    "422": "Offsets empty, reversed, outside the text, cutting a surrogate pair or a combining mark; unknown label",
}


def _documented_refusals(function):
    for status, description in REFUSALS.items():
        function = bp.alt_response(int(status), schema=ErrorSchema, description=description)(function)
    return function


@bp.route(f"{PARAGRAPH}/entities", methods=["GET"])
@bp.arguments(LayerArgsSchema, location="query")
@bp.response(200, EntityListSchema)
@bp.alt_response(403, schema=ErrorSchema, description="`layer` asked for by someone who is not an admin")
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph, or not assigned to you")
@bp.alt_response(422, schema=ErrorSchema, description="`layer` names no annotator of this double-annotated article")
def list_entities(args: dict, paragraph_id: int):
    """The paragraph's Arabic entities, its current English revision's entities, and their links."""
    paragraph = review_service.get_visible_paragraph(current_user, paragraph_id)
    layer = layer_service.view_line(paragraph.article_id, current_user, args["layer"])
    entities, links = entity_service.entities_and_links([paragraph_id], layer=layer)
    return {"entities": entities.get(paragraph_id, []), "links": links.get(paragraph_id, [])}


@bp.route(f"{PARAGRAPH}/entities", methods=["POST"])
@bp.arguments(EntityCreateSchema)
@bp.response(201, EntitySchema)
@_documented_refusals
def create_entity(payload: dict, paragraph_id: int):
    """Tag a span of the Arabic (`ar`) or of the current English (`en`). Does not change the paragraph's version."""
    entity = entity_service.create_entity(
        paragraph_id, payload["lang"], payload["start"], payload["end"], payload["label"],
        actor=current_user, revision_id=payload["revision_id"], unit=payload["unit"],
        suggestion=payload["suggestion"],
    )
    return entity.as_dict()


@bp.route(ENTITY, methods=["PATCH"])
@bp.arguments(EntityPatchSchema)
@bp.response(200, EntitySchema)
@_documented_refusals
def update_entity(payload: dict, entity_id: int):
    """Relabel an entity (`label`), or clear its "check" flag (`flagged: false`)."""
    entity = entity_service.update_entity(entity_id, actor=current_user, label=payload["label"],
                                          flagged=payload["flagged"])
    return entity.as_dict()


@bp.route(ENTITY, methods=["DELETE"])
@bp.response(204)
@_documented_refusals
def delete_entity(entity_id: int):
    """Delete an entity and its links."""
    entity_service.delete_entity(entity_id, actor=current_user)


@bp.route("/entity-links", methods=["POST"])
@bp.arguments(LinkRequestSchema)
@bp.response(201, LinkSchema)
@_documented_refusals
def create_link(payload: dict):
    """Link an Arabic entity to an English entity of the same paragraph's current revision."""
    link = entity_service.create_link(payload["ar_entity_id"], payload["en_entity_id"], actor=current_user)
    return link.as_dict()


@bp.route("/entity-links", methods=["DELETE"])
@bp.arguments(LinkRequestSchema)
@bp.response(204)
@_documented_refusals
def delete_link(payload: dict):
    """Remove the link between an Arabic and an English entity."""
    entity_service.delete_link(payload["ar_entity_id"], payload["en_entity_id"], actor=current_user)


@bp.route("/labels")
@bp.response(200, LabelListSchema)
def list_labels():
    """The label set, in display order; retired labels are kept for old entities but not offered for new ones."""
    labels = db.session.scalars(select(Label).order_by(Label.position, Label.id))
    return {"labels": [{"id": label.id, "name": label.name, "colour": label.colour, "hotkey": label.hotkey,
                        "retired": label.retired} for label in labels]}


@bp.route("/qa", methods=["POST"])
@bp.arguments(QARequestSchema)
@bp.response(200, QAResultSchema)
def run_qa(payload: dict):
    """Run the QA checks on any pair of texts (for scripts, and for measuring false alarms on a corpus)."""
    ar, en = (unicodedata.normalize("NFC", payload[name]) for name in ("ar", "en"))  # required: never None
    machine = unicodedata.normalize("NFC", payload["machine"]) if payload["machine"] is not None else None
    findings = paragraph_qa.qa_findings_for(ar, en, machine_text=machine)
    return {"findings": findings}


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/suggestions")
@bp.response(200, SuggestionListSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such article, or not assigned to you")
def list_suggestions(article_id: int):
    """Entities to suggest: glossary terms and entities approved before, wherever their surface form appears."""
    from ..services import suggestions as suggestion_service

    article = visible_article_or_404(article_id)
    layer = layer_service.line_of(article.id, current_user)
    return {"suggestions": [s.as_dict() for s in suggestion_service.article_suggestions(article.id, layer=layer)]}


@bp.route(f"{PARAGRAPH}/suggestions/reject", methods=["POST"])
@bp.arguments(SuggestionRejectSchema)
@bp.response(204)
@_documented_refusals
def reject_suggestion(payload: dict, paragraph_id: int):
    """Do not suggest this span with this label again in this paragraph."""
    from ..services import suggestions as suggestion_service
    from ..services.workflow import may_edit_refusal

    paragraph = review_service.get_visible_paragraph(current_user, paragraph_id)
    refusal = may_edit_refusal(paragraph.article, current_user)
    if refusal:
        abort(409, message=refusal)
    suggestion_service.reject_suggestion(paragraph_id, payload["lang"], payload["start"], payload["end"],
                                         payload["label"], actor=current_user,
                                         layer=layer_service.line_of(paragraph.article_id, current_user))
