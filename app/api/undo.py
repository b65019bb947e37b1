"""API routes for undoing and redoing one's own annotation work in an article (services/undo.py)."""
from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..models import ANNOTATION_ACTIONS, ID_IN_URL
from ..services import entities as entity_service
from ..services import layers as layer_service
from ..services import review as review_service
from ..services import undo as undo_service
from ..services import workflow as workflow_service
from . import bp, visible_article_or_404
from .schemas import ARTICLE_STATE, ArticleStateSchema, EntitySchema, ErrorSchema, QAFindingSchema, UndoStackSchema

ARTICLE = f"/articles/<{ID_IN_URL}:article_id>"


class StepSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ANNOTATION_ACTIONS),
                           metadata={"description": "What was undone or redone"})
    paragraph_id = fields.Integer(required=True)
    entity_id = fields.Integer(metadata={"description": "The entity the action was about, when there is one "
                                                        "(its id now, after it was brought back)"})
    same_id = fields.Boolean(metadata={"description": "An entity brought back: true under its old id, false "
                                                      "under a new one (entity_id)"})
    message = fields.String(required=True, metadata={"description": "What happened, in words"})


class ParagraphEntitiesSchema(Schema):
    id = fields.Integer(required=True)
    entities = fields.List(fields.Nested(EntitySchema), required=True)
    links = fields.List(fields.Dict(), required=True, metadata={"description": "{id, ar_entity_id, en_entity_id}"})
    qa = fields.List(fields.Nested(QAFindingSchema), required=True)


class _AfterStepSchema(Schema):
    paragraph = fields.Nested(ParagraphEntitiesSchema, required=True,
                              metadata={"description": "The paragraph's entities, links and QA now"})
    article = fields.Nested(ArticleStateSchema, required=True, metadata=ARTICLE_STATE)
    stack = fields.Nested(UndoStackSchema, required=True)


class UndoneSchema(_AfterStepSchema):
    undone = fields.Nested(StepSchema, required=True)


class RedoneSchema(_AfterStepSchema):
    redone = fields.Nested(StepSchema, required=True)


REFUSAL = ("Nothing to undo (redo); the paragraph is approved; another user has since changed what the action "
           "touched; or the text it was about changed")


def _answer(key: str, outcome: undo_service.Outcome, article_id: int) -> dict:
    layer = layer_service.line_of(article_id, current_user)
    entities, links = entity_service.entities_and_links([outcome.paragraph_id], layer=layer)
    return {key: outcome.as_dict(),
            "paragraph": {"id": outcome.paragraph_id, "entities": entities.get(outcome.paragraph_id, []),
                          "links": links.get(outcome.paragraph_id, []),
                          "qa": review_service.stored_qa(outcome.paragraph_id, layer) or []},
            "article": workflow_service.article_state(article_id, current_user),
            "stack": undo_service.stack_sizes(article_id, current_user)}


@bp.route(f"{ARTICLE}/undo", methods=["POST"])
@bp.response(200, UndoneSchema)
@bp.alt_response(403, schema=ErrorSchema, description="Not a reviewer of this article")
@bp.alt_response(404, schema=ErrorSchema, description="No such article, or not assigned to you")
@bp.alt_response(409, schema=ErrorSchema, description=REFUSAL)
def undo_annotation(article_id: int):
    """Undo your newest entity or link change in this article (tag, accept or reject a suggestion, delete,
    relabel, "looks right", link, unlink). Never another user's, never in an approved paragraph."""
    article = visible_article_or_404(article_id)
    return _answer("undone", undo_service.undo(article.id, actor=current_user), article.id)


@bp.route(f"{ARTICLE}/redo", methods=["POST"])
@bp.response(200, RedoneSchema)
@bp.alt_response(403, schema=ErrorSchema, description="Not a reviewer of this article")
@bp.alt_response(404, schema=ErrorSchema, description="No such article, or not assigned to you")
@bp.alt_response(409, schema=ErrorSchema, description=REFUSAL)
def redo_annotation(article_id: int):
    """Redo the change you undid last in this article; a new change of yours there forgets what was undone."""
    article = visible_article_or_404(article_id)
    return _answer("redone", undo_service.redo(article.id, actor=current_user), article.id)
