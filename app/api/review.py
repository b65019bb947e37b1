"""API routes for reviewing: saving and approving paragraphs, their history, the article workflow, comments."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import abort

from sqlalchemy import select

from ..extensions import db
from ..models import ID_IN_URL, Paragraph
from ..services import comment_reads as comment_reads_service
from ..services import layers as layer_service
from ..services import review as review_service
from ..services import undo as undo_service
from ..services import workflow as workflow_service
from . import bp, visible_article_or_404
from .schemas import (
    ApprovalSchema,
    ApproveSchema,
    ArticleStateSchema,
    CommentListSchema,
    CommentRequestSchema,
    CommentSchema,
    CommentsReadSchema,
    CommentsReadStateSchema,
    DiffArgsSchema,
    DiffSchema,
    EditConflictSchema,
    ErrorSchema,
    LayerArgsSchema,
    LiveArticleStateSchema,
    ParagraphStateSchema,
    RevisionListSchema,
    SavedTranslationSchema,
    TransitionSchema,
    TranslationSaveSchema,
    VersionSchema,
)

PARAGRAPH = f"/paragraphs/<{ID_IN_URL}:paragraph_id>"


def _paragraph_or_404(paragraph_id: int):
    """The paragraph, if the user may see it (a NotFound is a 404, by app/errors.py)."""
    return review_service.get_visible_paragraph(current_user, paragraph_id)


CONFLICT_DOC = {"schema": EditConflictSchema, "description": "The paragraph changed since `version`: current text and version"}
STATE_DOC = {"schema": ErrorSchema, "description": "The article's state forbids this now (e.g. submitted or approved)"}


@bp.route(f"{PARAGRAPH}/translation", methods=["PUT"])
@bp.arguments(TranslationSaveSchema)
@bp.response(200, SavedTranslationSchema)
@bp.alt_response(403, schema=ErrorSchema, description="Not a reviewer of this article")
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph, or not assigned to you")
@bp.alt_response(409, **CONFLICT_DOC)
@bp.alt_response(422, schema=ErrorSchema, description="Empty, too long or not a string; or origin `tm` for a text not in the translation memory")
def save_translation(payload: dict, paragraph_id: int):
    """Save the English of a paragraph as a new revision, if it is still at `version`."""
    result = review_service.save_translation(
        paragraph_id, payload["text"], payload["version"], actor=current_user, seconds=payload["seconds"],
        origin=payload["origin"],
    )
    return _saved(result, paragraph_id)


def _saved(result: review_service.SaveResult, paragraph_id: int) -> dict:
    return {"version": result.version, "revision_id": result.revision_id, "status": result.status,
            "created": result.created, "entities_lost": result.entities_lost, "qa": result.qa or [],
            "article": _article_state_of(paragraph_id)}


def _article_state_of(paragraph_id: int) -> dict:
    """The article of this paragraph after a write: what the page redraws its header and buttons from."""
    article_id = db.session.execute(select(Paragraph.article_id).where(Paragraph.id == paragraph_id)).scalar_one()
    return workflow_service.article_state(article_id, current_user)


@bp.route(f"{PARAGRAPH}/approve", methods=["POST"])
@bp.arguments(ApproveSchema)
@bp.response(200, ApprovalSchema)
@bp.alt_response(403, schema=ErrorSchema, description="Not a reviewer of this article")
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph, or not assigned to you")
@bp.alt_response(409, **CONFLICT_DOC)
@bp.alt_response(422, schema=ErrorSchema, description="No English to approve")
def approve_paragraph(payload: dict, paragraph_id: int):
    """Approve the paragraph's current English as of `version`; records the post-editing effort."""
    result = review_service.approve_paragraph(
        paragraph_id, payload["version"], actor=current_user, seconds=payload["seconds"],
        override_reason=payload["override_reason"],
    )
    approval = result.approval  # None when it was approved already: nothing new recorded
    return {
        "id": paragraph_id, "version": result.version, "status": result.status,
        "approved_revision_id": result.approved_revision_id,
        "char_edit_distance": approval.char_edit_distance if approval else None,
        "hter": approval.hter if approval else None,
        "seconds_spent": approval.seconds_spent if approval else None,
        "override": review_service.approval_overrides([paragraph_id]).get(paragraph_id),
        "article": _article_state_of(paragraph_id),
    }


@bp.route(f"{PARAGRAPH}/reopen", methods=["POST"])
@bp.arguments(VersionSchema)
@bp.response(200, ParagraphStateSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph, or not assigned to you")
@bp.alt_response(409, **CONFLICT_DOC)
@bp.alt_response(422, schema=ErrorSchema, description="The paragraph is not approved")
def reopen_paragraph(payload: dict, paragraph_id: int):
    """Take an approved paragraph back to `edited`."""
    version = review_service.reopen_paragraph(paragraph_id, payload["version"], actor=current_user)
    line = layer_service.LineColumns(_line_of(paragraph_id))
    return {"id": paragraph_id, "version": version, "status": "edited", "approved_revision_id": db.session.scalar(
        line.join(select(line.approved_revision_id)).where(Paragraph.id == paragraph_id)),
        "article": _article_state_of(paragraph_id)}


def _line_of(paragraph_id: int) -> int | None:
    """The caller's line in this paragraph's article (services/layers.py)."""
    article_id = db.session.execute(select(Paragraph.article_id).where(Paragraph.id == paragraph_id)).scalar_one()
    return layer_service.line_of(article_id, current_user)


def _viewed_line(paragraph, layer: str | None) -> int | None:
    """The line a read shows: the caller's own, or for an admin the annotator's named by `?layer=`."""
    return layer_service.view_line(paragraph.article_id, current_user, layer)


LAYER_REFUSALS = {403: "`layer` asked for by someone who is not an admin",
                  422: "`layer` names no annotator of this double-annotated article"}


@bp.route(f"{PARAGRAPH}/revisions")
@bp.arguments(LayerArgsSchema, location="query")
@bp.response(200, RevisionListSchema)
@bp.alt_response(403, schema=ErrorSchema, description=LAYER_REFUSALS[403])
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph, or not assigned to you")
@bp.alt_response(422, schema=ErrorSchema, description=LAYER_REFUSALS[422])
def list_revisions(args: dict, paragraph_id: int):
    """Every revision of the paragraph's English in the caller's line, oldest first (an annotator of a
    double-annotated article sees their own and the machine drafts; an admin may ask for `?layer=USERNAME`)."""
    paragraph = _paragraph_or_404(paragraph_id)
    return {"revisions": [
        {"id": r.id, "text": r.text, "origin": r.origin, "author": r.author.username if r.author else None,
         "model_id": r.model_id, "created_at": r.created_at, "parent_id": r.parent_id}
        for r in review_service.revisions_of(paragraph.id, _viewed_line(paragraph, args["layer"]))
    ]}


@bp.route(f"{PARAGRAPH}/revisions/<{ID_IN_URL}:revision_id>/restore", methods=["POST"])
@bp.arguments(VersionSchema)
@bp.response(200, SavedTranslationSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph or revision")
@bp.alt_response(409, **CONFLICT_DOC)
def restore_revision(payload: dict, paragraph_id: int, revision_id: int):
    """Make an earlier revision's text current again, as a new revision."""
    paragraph = _paragraph_or_404(paragraph_id)
    result = review_service.restore_revision(paragraph.id, revision_id, payload["version"], actor=current_user)
    return _saved(result, paragraph.id)


@bp.route(f"{PARAGRAPH}/diff")
@bp.arguments(DiffArgsSchema, location="query")
@bp.response(200, DiffSchema)
@bp.alt_response(403, schema=ErrorSchema, description=LAYER_REFUSALS[403])
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph or revision")
@bp.alt_response(422, schema=ErrorSchema, description=LAYER_REFUSALS[422])
def diff_revisions(args: dict, paragraph_id: int):
    """Word-level diff between two revisions of the paragraph (`from` → `to`)."""
    paragraph = _paragraph_or_404(paragraph_id)
    texts = {r.id: r.text for r in review_service.revisions_of(paragraph.id, _viewed_line(paragraph, args["layer"]))}
    missing = [rid for rid in (args["from_"], args["to"]) if rid not in texts]
    if missing:
        abort(404, message=f"Revision {missing[0]} is not a revision of this paragraph.")
    parts = review_service.word_diff(texts[args["from_"]], texts[args["to"]])
    return {"parts": [{"op": part.op, "text": part.text} for part in parts]}


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/transitions", methods=["POST"])
@bp.arguments(TransitionSchema)
@bp.response(200, ArticleStateSchema)
@bp.alt_response(403, schema=ErrorSchema, description="The actor may not make this transition")
@bp.alt_response(404, schema=ErrorSchema, description="No such article, or not assigned to you")
@bp.alt_response(409, **STATE_DOC)
@bp.alt_response(422, schema=ErrorSchema, description="Sending back without a comment")
def transition_article(payload: dict, article_id: int):
    """Move the article through the workflow: `in_review`, `submitted`, `approved`, or `changes_requested` (needs a comment)."""
    article = visible_article_or_404(article_id)
    workflow_service.transition(article, payload["to"], current_user, payload["comment"])
    return workflow_service.article_state(article.id, current_user)


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/state")
@bp.response(200, LiveArticleStateSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such article, or not assigned to you")
def article_state(article_id: int):
    """The article's workflow as it is now, for a page that polls it: status, counts, the transitions the
    user may choose, each paragraph's version and status, the QA overrides of approved paragraphs, and the
    user's undo and redo stacks here. Cheap: five small queries, no texts."""
    article = visible_article_or_404(article_id)
    paragraphs = workflow_service.paragraph_states(article.id, layer_service.line_of(article.id, current_user))
    overrides = review_service.approval_overrides([p["id"] for p in paragraphs if p["status"] == "approved"])
    return {**workflow_service.article_state(article.id, current_user), "paragraphs": paragraphs,
            "overrides": {str(pid): override for pid, override in overrides.items()},
            "stack": undo_service.stack_sizes(article.id, current_user)}


def _comment_dict(comment) -> dict:
    return {"id": comment.id, "article_id": comment.article_id, "paragraph_id": comment.paragraph_id,
            "author": comment.author.username if comment.author else None, "body": comment.body,
            "created_at": comment.created_at}


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/comments", methods=["GET"])
@bp.response(200, CommentListSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such article, or not assigned to you")
def list_comments(article_id: int):
    """Comments on the article and its paragraphs, oldest first."""
    article = visible_article_or_404(article_id)
    return {"comments": [_comment_dict(c) for c in workflow_service.comments_of(article.id, current_user)]}


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/comments", methods=["POST"])
@bp.arguments(CommentRequestSchema)
@bp.response(201, CommentSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such article or paragraph")
@bp.alt_response(422, schema=ErrorSchema, description="Empty comment")
def create_comment(payload: dict, article_id: int):
    """Comment on the article, or on one of its paragraphs with `paragraph_id`."""
    article = visible_article_or_404(article_id)
    paragraph = None
    if payload["paragraph_id"] is not None:
        paragraph = _paragraph_or_404(payload["paragraph_id"])
        if paragraph.article_id != article.id:
            abort(404, message=f"Paragraph {paragraph.id} is not in article {article.id}.")
    comment = workflow_service.add_comment(article, current_user, payload["body"], paragraph=paragraph)
    return _comment_dict(comment)



@bp.route(f"{PARAGRAPH}/comments/read", methods=["POST"])
@bp.arguments(CommentsReadSchema)
@bp.response(200, CommentsReadStateSchema)
@bp.alt_response(404, schema=ErrorSchema, description="No such paragraph, or not assigned to you")
def mark_comments_read(payload: dict, paragraph_id: int):
    """The caller has been shown this paragraph's comments up to comment `up_to`: they no longer count as
    unread for them (a watermark per user and paragraph that never moves back; other users are not affected)."""
    paragraph = _paragraph_or_404(paragraph_id)
    return comment_reads_service.mark_read(current_user, paragraph, payload["up_to"])
