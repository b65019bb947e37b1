"""The reviewer's side: "My work" and the article page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..errors import flash_refusals
from ..extensions import db
from ..models import ACTIVE_JOB_STATUSES, ARTICLE_STATUSES, ID_IN_URL, Article, Label, Paragraph, TranslationJob, User
from ..services import article_lists
from ..services import assignment as assignment_service
from ..services import comment_reads as comment_reads_service
from ..services import entities as entity_service
from ..services import layers as layer_service
from ..services import mt as mt_service
from ..services import review as review_service
from ..services import undo as undo_service
from ..services import workflow as workflow_service
from ..services.mt_packages import find_package
from .forms import CommentForm, RestoreForm, TransitionForm

bp = Blueprint("review", __name__)


@bp.route("/")
@login_required
def home():
    if current_user.is_admin:
        return redirect(url_for("admin.articles"))
    if current_user.may_curate:
        return redirect(url_for("curate.articles"))
    if not current_user.may_review:
        return redirect(url_for("export.export_page"))
    return redirect(url_for("review.my_work"))


@bp.route("/my-work")
@login_required
def my_work():
    """The user's assignments: overdue first, then by due date, unless sorted otherwise; filtered, sorted and
    paged in SQL (services/article_lists.py), all of it in the query string. A bad value is named (400)."""
    query, problems = article_lists.parse_list_query(request.args, article_lists.MY_WORK_SORTS)
    page = article_lists.my_work_list(current_user, query)
    send_backs = workflow_service.open_send_backs(
        row.article for row in page.rows if row.assignment is not None and row.assignment.role == "reviewer")
    return render_template("review/my_work.html", page=page, query=query, problems=problems,
                           send_backs=send_backs, statuses=ARTICLE_STATUSES,
                           sources=article_lists.sources_of_assignments(current_user)), 400 if problems else 200


@bp.route(f"/articles/<{ID_IN_URL}:article_id>")
@login_required
def article(article_id: int):
    """The review workspace: each Arabic paragraph beside its English, with drafts, status and comments.

    The entity layer (static/entities/) gets its data in two JSON script tags, in a
    constant number of queries: the label set, and the article's entities,
    links and QA findings. Each row carries its current revision id
    (`data-revision`), which English tagging sends along.
    """
    article = _visible_article_or_404(article_id)
    # On a double-annotated article an annotator sees their own layer; an admin the gold, or ?layer=USERNAME.
    annotators = layer_service.annotators_of(article.assignments)
    layer = layer_service.view_line(article.id, current_user, request.args.get("layer"), annotators)
    paragraphs = db.session.scalars(
        select(Paragraph).where(Paragraph.article_id == article.id).order_by(Paragraph.position)
    ).all()
    paragraph_ids = [p.id for p in paragraphs]
    machine, current = mt_service.machine_and_current_translations(paragraph_ids)
    if layer is not None:  # an annotator's own layer (services/layers.py): its state and current English
        paragraphs, current = layer_service.paragraphs_in_line(list(paragraphs), layer)
    # The editors named under each paragraph, in one query (not one per distinct author).
    author_ids = {t.author_id for t in current.values() if t.author_id is not None}
    if author_ids:
        db.session.scalars(select(User).where(User.id.in_(author_ids))).all()
    comments = workflow_service.comments_of(article.id, current_user, annotators)
    paragraph_comments: dict[int, list] = {}
    for comment in comments:
        if comment.paragraph_id is not None:
            paragraph_comments.setdefault(comment.paragraph_id, []).append(comment)
    active_job = db.session.scalar(
        select(TranslationJob)
        .where(TranslationJob.article_id == article.id, TranslationJob.status.in_(ACTIVE_JOB_STATUSES))
        .order_by(TranslationJob.id.desc())
        .limit(1)
    )
    edit_refusal = workflow_service.may_edit_refusal(article, current_user)
    layer_names = layer_service.annotator_names(article.id) if "independent" in annotators else {}
    viewing_other_layer = layer is not None and layer != current_user.id
    if viewing_other_layer:
        edit_refusal = "You are looking at an annotator's own layer: it is theirs to change, read only here."
    approved = sum(1 for p in paragraphs if p.status == "approved")
    # Comments on each paragraph that this user has not read yet (static/way/: "next unread comment").
    unread = {pid: set(ids) for pid, ids in comment_reads_service.unread_comments(current_user, article.id, annotators).items()}
    labels = [  # retired ones too, for the colour of old entities; only the others are offered
        {"id": label_id, "name": name, "colour": colour, "hotkey": hotkey, "retired": retired}
        for label_id, name, colour, hotkey, retired in db.session.execute(
            select(Label.id, Label.name, Label.colour, Label.hotkey, Label.retired).order_by(Label.position, Label.id)
        )
    ]
    # Entities, links and QA for the entity layer (static/entities/), compact, in two queries whatever the article's length.
    # entities: {paragraph id: [[id, lang, start, end, label, flagged], …]}, the Arabic ones and those of the
    # current English revision (the rule of entities.entities_and_links), offsets in Python str indices over
    # NFC text; their text is the cell's text between the offsets, so it is not repeated.
    # links: {paragraph id: [[arabic entity id, english entity id], …]}. qa: {paragraph id: stored findings}.
    # unchecked: paragraphs whose findings were never computed (drafted before QA existed): the page asks the
    # article API, which computes them, once it has loaded, rather than every page view waiting for them.
    found, found_links = entity_service.entities_and_links(article_id=article.id, layer=layer)
    entities = {pid: [[e["id"], e["lang"], e["start"], e["end"], e["label"], e["flagged"]] for e in own]
                for pid, own in found.items()}
    links = {pid: [[link["ar_entity_id"], link["en_entity_id"]] for link in own] for pid, own in found_links.items()}
    annotations = {
        "entities": entities, "links": links, "qa": {p.id: p.qa_findings for p in paragraphs if p.qa_findings},
        "unchecked": [p.id for p in paragraphs if p.qa_findings is None and p.id in current],
    }
    return render_template(
        "review/article.html",
        article=article,
        rows=[(p, machine.get(p.id), current.get(p.id), paragraph_comments.get(p.id, ())) for p in paragraphs],
        approved_count=approved,
        status_counts={status: sum(1 for p in paragraphs if p.status == status) for status in ("approved", "edited", "draft")},
        unread=unread,
        article_comments=[c for c in comments if c.paragraph_id is None],
        assignments=assignment_service.assignments_of(article),
        active_job=active_job,
        model_installed=find_package(current_app.instance_path) is not None,
        edit_refusal=edit_refusal,
        send_back=workflow_service.open_send_backs([article]).get(article.id),
        transitions=workflow_service.available_transitions(article, current_user, (approved, len(paragraphs))),
        overrides=(review_service.approval_overrides([p.id for p in paragraphs if p.status == "approved"])
                   if layer is None else {}),
        layer_names=layer_names,
        viewed_layer=request.args.get("layer") if viewing_other_layer else None,
        own_layer=layer is not None and layer == current_user.id,
        comment_form=CommentForm(),
        transition_form=TransitionForm(),
        labels=labels,
        annotations=annotations,
        undo_stack=undo_service.stack_sizes(article.id, current_user) if not edit_refusal else None,
    )


TRANSITION_DONE = {
    "in_review": "Review started.",
    "submitted": "Article submitted for approval.",
    "approved": "Article approved.",
    "changes_requested": "Article sent back to its reviewer.",
}


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/transition", methods=["POST"])
@login_required
def transition(article_id: int):
    article = _visible_article_or_404(article_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash("The form was incomplete; nothing changed.", "error")
        return redirect(url_for("review.article", article_id=article.id))
    with flash_refusals() as attempt:
        workflow_service.transition(article, form.to.data, current_user, form.comment.data)
    if attempt.ok:
        flash(TRANSITION_DONE.get(form.to.data, "Done."), "success")
    return redirect(url_for("review.article", article_id=article.id))


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/comments", methods=["POST"])
@login_required
def comment(article_id: int):
    article = _visible_article_or_404(article_id)
    form = CommentForm()
    anchor = None
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors) or "Nothing to post.", "error")
        return redirect(url_for("review.article", article_id=article.id))
    paragraph = None
    if form.paragraph_id.data:
        paragraph = db.session.get(Paragraph, form.paragraph_id.data)
        if paragraph is None or paragraph.article_id != article.id:
            abort(404)
        anchor = f"p-{paragraph.id}"
    with flash_refusals() as attempt:
        workflow_service.add_comment(article, current_user, form.body.data, paragraph=paragraph)
    if attempt.ok:
        flash("Comment posted.", "success")
    return redirect(url_for("review.article", article_id=article.id, _anchor=anchor or "comments"))


@bp.route(f"/paragraphs/<{ID_IN_URL}:paragraph_id>/history")
@login_required
def history(paragraph_id: int):
    """Every revision of a paragraph's English, and a word-level diff between any two."""
    paragraph = _visible_paragraph_or_404(paragraph_id)
    layer = layer_service.view_line(paragraph.article_id, current_user, request.args.get("layer"))
    revisions = review_service.revisions_of(paragraph.id, layer)
    by_id = {r.id: r for r in revisions}
    newest = revisions[-1].id if revisions else None
    default_from = revisions[-2].id if len(revisions) > 1 else newest
    from_id = request.args.get("from", default_from, type=int)
    to_id = request.args.get("to", newest, type=int)
    if revisions and (from_id not in by_id or to_id not in by_id):
        abort(404)
    diff = (review_service.word_diff(by_id[from_id].text, by_id[to_id].text)
            if revisions and from_id is not None and to_id is not None else [])  # with revisions: ids in by_id
    can_restore = workflow_service.may_edit_refusal(paragraph.article, current_user) is None
    return render_template(
        "review/history.html", paragraph=paragraph, article=paragraph.article, revisions=revisions,
        from_id=from_id, to_id=to_id, diff=diff, can_restore=can_restore, restore_form=RestoreForm(),
        approvals=review_service.approvals_of(paragraph.id) if layer is None else [],
    )


@bp.route(f"/paragraphs/<{ID_IN_URL}:paragraph_id>/revisions/<{ID_IN_URL}:revision_id>/restore", methods=["POST"])
@login_required
def restore(paragraph_id: int, revision_id: int):
    paragraph = _visible_paragraph_or_404(paragraph_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        flash("The form was incomplete; nothing changed.", "error")
        return redirect(url_for("review.history", paragraph_id=paragraph.id))
    with flash_refusals() as attempt:
        review_service.restore_revision(paragraph.id, revision_id, form.version.data, actor=current_user)
    if not attempt.ok:
        return redirect(url_for("review.history", paragraph_id=paragraph.id))
    flash("The earlier text is current again, as a new revision.", "success")
    return redirect(url_for("review.article", article_id=paragraph.article_id, _anchor=f"p-{paragraph.id}"))


def _visible_article_or_404(article_id: int) -> Article:
    """The article, if the user may see it (a NotFound is a 404 page, by app/errors.py)."""
    return assignment_service.get_visible_article(current_user, article_id)


def _visible_paragraph_or_404(paragraph_id: int) -> Paragraph:
    return review_service.get_visible_paragraph(current_user, paragraph_id)
