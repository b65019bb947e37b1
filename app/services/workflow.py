"""The article workflow (docs/architecture.md, Workflow): one function per transition, each checking the actor's right.

    new → translated → assigned → in_review → submitted → approved
                                      ↑            ↓
                                      └── changes_requested

`new → translated` belongs to machine translation and `→ assigned` to
assignment; the review transitions live here. Every transition writes an
audit event; an illegal one raises InvalidTransition with a message fit for
the user, and changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Article, Assignment, AuditEvent, Comment, Paragraph, User, utcnow
from . import Conflict, Forbidden, ServiceError, notifications
from .assignment import assignments_of
from .audit import record_event
from .user_text import PROSE, nfc, refusal

MAX_COMMENT_CHARS = 5000

# Who may edit and approve paragraphs in which article status.
EDITABLE_BY_REVIEWER = ("assigned", "in_review", "changes_requested")
EDITABLE_BY_SECOND_REVIEWER = ("submitted",)
LOCKED_FOR_EVERYONE = ("approved",)
# Statuses from which the review starts (or resumes): by hand, or with the reviewer's first change.
REVIEW_STARTS_FROM = ("assigned", "changes_requested")


class InvalidTransition(Conflict):
    """The article is not in a state where this can happen (HTTP 409)."""


class ArticleLocked(Conflict):
    """The article's state forbids editing now (HTTP 409)."""


def role_of(article: Article, user: User) -> str | None:
    """'reviewer', 'second_reviewer', 'independent' or None: the user's assignment on this article."""
    assignment = assignment_of(article, user)
    return assignment.role if assignment is not None else None


def assignment_of(article: Article, user: User) -> Assignment | None:
    for assignment in assignments_of(article).values():
        if assignment.user_id == user.id:
            return assignment
    return None


def is_double_annotated(article: Article) -> bool:
    """The article has an independent annotator (services/layers.py)."""
    return "independent" in assignments_of(article)


def in_layers(article: Article) -> bool:
    """Its two annotators work in their layers: double-annotated and not adjudicated yet (once adjudicated,
    everyone works on the gold, as on a single-annotated article)."""
    return is_double_annotated(article) and article.adjudicated_at is None


def check_may_edit(article_status: str, role: str | None, actor: User, *, submitted: bool = False,
                   in_layers: bool = False) -> None:
    """Raise unless the actor, with this assignment role, may change paragraphs of an article in this status.

    `submitted`: the actor, an annotator of a double-annotated article, has submitted their layer already.
    `in_layers`: the article is double-annotated and not adjudicated yet: its second reviewer waits for the
    gold (issue 18, item 4: they review it after adjudication).
    """
    if article_status in LOCKED_FOR_EVERYONE:
        raise ArticleLocked("This article is approved and locked; an admin must send it back before it can change.")
    if actor.is_admin:
        return
    if role in ("reviewer", "independent") and submitted and article_status in EDITABLE_BY_REVIEWER:
        raise ArticleLocked("You have submitted your annotation of this article; it can change again only if it "
                            "is sent back.")
    if role in ("reviewer", "independent") and article_status in EDITABLE_BY_REVIEWER:
        return
    if role == "independent":
        raise ArticleLocked("Your independent annotation of this article is submitted; it can change again only "
                            "if it is sent back.")
    if role == "second_reviewer" and article_status in EDITABLE_BY_SECOND_REVIEWER and in_layers:
        raise ArticleLocked("This article was annotated twice, independently: you review its gold once a curator "
                            "has adjudicated it.")
    if role == "second_reviewer" and article_status in EDITABLE_BY_SECOND_REVIEWER:
        return
    if role == "reviewer" and article_status == "submitted":
        raise ArticleLocked("This article has been submitted for approval; it can change again only if it is sent back.")
    if role == "second_reviewer":
        raise ArticleLocked("As second reviewer you can edit this article once it is submitted.")
    raise Forbidden("You are not assigned to review this article.")


def may_edit_refusal(article: Article, actor: User) -> str | None:
    """Why the actor may not edit this article now, or None when they may."""
    assignment = assignment_of(article, actor)
    try:
        check_may_edit(article.status, assignment.role if assignment else None, actor,
                       submitted=assignment is not None and assignment.submitted_at is not None,
                       in_layers=in_layers(article))
    except ServiceError as refusal:
        return str(refusal)
    return None


def enter_review_on_first_change(article: Article, actor: User) -> None:
    """A reviewer's first edit or approval starts (or resumes) the review."""
    if starts_review(article.status, actor):
        _move(article, "in_review", actor, "article.start_review")


def starts_review(article_status: str, actor: User) -> bool:
    """Whether a change by the actor moves an article in this status to in_review (reviewers, not admins)."""
    return article_status in REVIEW_STARTS_FROM and not actor.is_admin


def start_review(article: Article, actor: User) -> Article:
    if article.status not in REVIEW_STARTS_FROM:
        raise InvalidTransition(_cannot("start the review of", article))
    _require_reviewer_or_admin(article, actor, "start its review")
    _move(article, "in_review", actor, "article.start_review")
    db.session.commit()
    return article


def submit_article(article: Article, actor: User) -> Article:
    """The reviewer hands the article over for approval; every paragraph must be approved first.

    On a double-annotated article each annotator submits their own layer (`_submit_layer`).
    """
    if article.status != "in_review":
        raise InvalidTransition(_cannot("submit", article))
    if in_layers(article):
        return _submit_layer(article, actor)
    _require_reviewer_or_admin(article, actor, "submit it")
    pending = db.session.scalar(
        select(func.count()).select_from(Paragraph)
        .where(Paragraph.article_id == article.id, Paragraph.status != "approved")
    )
    if pending:
        raise InvalidTransition(
            f"{pending} paragraph{'s are' if pending != 1 else ' is'} not approved yet; approve every paragraph before submitting."
        )
    _move(article, "submitted", actor, "article.submit")
    notifications.submitted(article.id, actor)
    db.session.commit()
    return article


def _submit_layer(article: Article, actor: User) -> Article:
    """One annotator of a double-annotated article submits their layer, every paragraph of it approved; the
    article moves to `submitted` (awaiting adjudication) when both have. Admins do not submit layers."""
    from .layers import pending_paragraphs

    assignment = assignment_of(article, actor)
    if assignment is None or assignment.role not in ("reviewer", "independent"):
        raise Forbidden("This article is annotated twice, independently: each of its two annotators submits "
                        "their own annotation.")
    if assignment.submitted_at is not None:
        raise InvalidTransition("You have submitted your annotation of this article already.")
    pending = pending_paragraphs(article.id, actor.id)
    if pending:
        raise InvalidTransition(
            f"{pending} paragraph{'s are' if pending != 1 else ' is'} not approved yet in your annotation; "
            "approve every paragraph before submitting."
        )
    assignment.submitted_at = utcnow()
    record_event(actor, "article.submit_layer", "article", article.id, before={"status": article.status},
                 after={"status": article.status, "role": assignment.role})
    annotators = [a for a in article.assignments if a.role in ("reviewer", "independent")]
    if all(a.submitted_at is not None for a in annotators):
        from .article_agreement import store_article_counts, store_translation_statistics

        # Both layers are final now: their translation statistics and the article's agreement counts are
        # computed once, here, so that the figures are served in milliseconds (article_agreement.py).
        store_translation_statistics(article.id)
        store_article_counts(article.id)
        _move(article, "submitted", actor, "article.submit")
        notifications.submitted(article.id, actor)
    db.session.commit()
    return article


def approve_article(article: Article, actor: User) -> Article:
    """Approve a submitted article. A double-annotated one needs its gold first: every paragraph of its
    ordinary line approved (adjudication writes it)."""
    if article.status != "submitted":
        raise InvalidTransition(_cannot("approve", article))
    _require_approver(article, actor)
    if is_double_annotated(article):
        approved, total = paragraph_counts(article.id)
        if approved < total:
            raise InvalidTransition(
                "This article was annotated twice, independently, and its disagreements are not adjudicated yet: "
                f"{total - approved} paragraph{'s have' if total - approved != 1 else ' has'} no approved gold.")
    _move(article, "approved", actor, "article.approve")
    notifications.approved(article.id, actor)
    db.session.commit()
    return article


def request_changes(article: Article, actor: User, comment: str) -> Article:
    """Send the article back to its reviewer; a comment saying why is required.

    From `submitted` (admin or second reviewer), or from `approved` (admins only).
    """
    body = _clean_comment(comment, "Say what needs to change: sending back requires a comment.")
    if article.status == "approved" and not actor.is_admin:
        raise Forbidden("Only an admin can send back an approved article.")
    if article.status not in ("submitted", "approved"):
        raise InvalidTransition(_cannot("send back", article))
    _require_approver(article, actor)
    comment = Comment(article_id=article.id, author_id=actor.id, body=body)
    db.session.add(comment)
    _move(article, "changes_requested", actor, "article.request_changes", comment=body)
    for assignment in article.assignments:  # a double-annotated article goes back to both annotators
        assignment.submitted_at = None
    db.session.flush()
    notifications.changes_requested(article.id, actor)
    notifications.mentions(comment, actor)
    db.session.commit()
    return article


TRANSITIONS = {
    "in_review": start_review,
    "submitted": submit_article,
    "approved": approve_article,
}


def transition(article: Article, to_status: str, actor: User, comment: str | None = None) -> Article:
    """Move an article to `to_status` through the one function that allows it."""
    if to_status == "changes_requested":
        return request_changes(article, actor, comment or "")
    function = TRANSITIONS.get(to_status)
    if function is None:
        raise InvalidTransition(
            f"An article cannot be moved to {to_status!r} by hand; "
            f"choose one of: {', '.join([*TRANSITIONS, 'changes_requested'])}."
        )
    if comment and comment.strip():
        add_comment(article, actor, comment, commit=False)
    return function(article, actor)


def paragraph_states(article_id: int, layer: int | None = None) -> list[dict]:
    """Each paragraph's id, version and status in one line (services/layers.py), in reading order: enough for
    a page to see what changed."""
    from .layers import LineColumns

    line = LineColumns(layer)
    return [{"id": pid, "version": version, "status": status} for pid, version, status in db.session.execute(
        line.join(select(Paragraph.id, line.version, line.status))
        .where(Paragraph.article_id == article_id).order_by(Paragraph.position)
    )]


def available_transitions(article: Article, actor: User, counts: tuple[int, int] | None = None) -> list[str]:
    """Target statuses the actor could choose now (for buttons); the functions still check.

    Submitting is offered only once every paragraph is approved (`counts`: approved and total
    paragraphs, counted here when not given; in the actor's layer on a double-annotated article), so no
    button is offered that would only be refused.
    """
    assignment = assignment_of(article, actor)
    role = assignment.role if assignment is not None else None
    double = in_layers(article)
    reviewer = actor.is_admin or role == "reviewer" or role == "independent"
    approver = actor.is_admin or role == "second_reviewer"
    if double and article.status == "in_review":
        if role not in ("reviewer", "independent") or (assignment and assignment.submitted_at is not None):
            return []
        approved, total = counts if counts is not None else paragraph_counts(article.id, actor.id)
        return ["submitted"] if total and approved == total else []
    if article.status == "in_review" and reviewer:
        approved, total = counts if counts is not None else paragraph_counts(article.id)
        return ["submitted"] if total and approved == total else []
    options = {
        "assigned": ["in_review"] if reviewer else [],
        "changes_requested": ["in_review"] if reviewer else [],
        "submitted": ["approved", "changes_requested"] if approver else [],
        "approved": ["changes_requested"] if actor.is_admin else [],
    }
    return options.get(article.status, [])


def paragraph_counts(article_id: int, layer: int | None = None) -> tuple[int, int]:
    """(approved, total) paragraphs of an article in one line (services/layers.py), in one query."""
    counts = status_counts(article_id, layer)
    return counts["approved"], counts["total"]


def article_state(article_id: int, actor: User) -> dict:
    """What a page needs to redraw an article's workflow after a change, by this user or another:
    its status, approved and total paragraphs, and the transitions the actor may choose now.
    Three small queries (article, counts, assignments), whatever the article's length."""
    from .layers import line_of

    article = db.session.get_one(Article, article_id)  # expired by the write's commit: read afresh
    counts = status_counts(article_id, line_of(article_id, actor))
    approved, total = counts["approved"], counts["total"]
    return {"id": article.id, "status": article.status, "approved": approved, "total": total,
            "edited": counts["edited"], "draft": counts["draft"],
            "transitions": available_transitions(article, actor, (approved, total))}


def status_counts(article_id: int, layer: int | None = None) -> dict[str, int]:
    """Paragraphs of an article by status in one line (services/layers.py), and in all ({"approved",
    "edited", "draft", "total"}), in one query: the article page's progress bar."""
    from .layers import LineColumns

    line = LineColumns(layer)
    status = line.status
    approved, edited, draft, total = db.session.execute(
        line.join(select(func.count().filter(status == "approved"), func.count().filter(status == "edited"),
                         func.count().filter(status == "draft"), func.count())
                  .select_from(Paragraph)).where(Paragraph.article_id == article_id)
    ).one()
    return {"approved": int(approved or 0), "edited": int(edited or 0), "draft": int(draft or 0),
            "total": int(total or 0)}


def add_comment(article: Article, actor: User, body: str, *, paragraph: Paragraph | None = None,
                commit: bool = True) -> Comment:
    """A comment on the article, or on one of its paragraphs."""
    text = _clean_comment(body, "A comment cannot be empty.")
    if paragraph is not None and paragraph.article_id != article.id:
        raise ServiceError("That paragraph belongs to another article.")
    comment = Comment(article_id=article.id, paragraph_id=paragraph.id if paragraph else None,
                      author_id=actor.id, body=text)
    db.session.add(comment)
    db.session.flush()
    notifications.mentions(comment, actor)
    if commit:
        db.session.commit()
    return comment


# While the work is back with its reviewer, the last send-back is shown at the top of the article and in My work.
SEND_BACK_SHOWN_IN = ("changes_requested", "in_review")


@dataclass(frozen=True)
class SendBack:
    """The last time an article was sent back to its reviewer: by whom, when, and the comment saying why."""

    article_id: int
    by: User | None
    at: datetime
    comment: str


def open_send_backs(articles: Iterable[Article]) -> dict[int, SendBack]:
    """The last send-back of each article whose work is back with its reviewer (changes requested, or the
    review resumed since), by article id, from the audit log in two queries whatever the number of articles."""
    ids = [a.id for a in articles if a.status in SEND_BACK_SHOWN_IN]
    if not ids:
        return {}
    last: dict[int, AuditEvent] = {}
    for event in db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "article.request_changes", AuditEvent.object_type == "article",
               AuditEvent.object_id.in_(ids))
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id)
    ):
        last[event.object_id] = event  # type: ignore[index]  # object_id is set for article events
    return {article_id: SendBack(article_id, event.actor, event.created_at, str((event.after or {}).get("comment", "")))
            for article_id, event in last.items()}


def comments_of(article_id: int, viewer: User | None = None, annotators: dict[str, int] | None = None) -> list[Comment]:
    """The comments of an article (its own and its paragraphs') `viewer` may read, oldest first, authors
    loaded: all of them, except for an annotator of a double-annotated article not adjudicated yet, who does
    not see the other annotator's (`layers.hidden_authors`). No viewer: all of them."""
    query = select(Comment).where(Comment.article_id == article_id)
    if viewer is not None:
        query = query.where(readable_comment(article_id, viewer, annotators))
    return list(db.session.scalars(query.options(joinedload(Comment.author)).order_by(Comment.id)))


def readable_comment(article_id: int, viewer: User, annotators: dict[str, int] | None = None):
    """The SQL condition on `Comment` of the comments of this article `viewer` may read (`comments_of`).
    `annotators`: `layers.annotator_ids(article_id)`, when the caller has them already."""
    from .layers import hidden_authors

    hidden = hidden_authors(article_id, viewer, annotators)
    if not hidden:
        return true()
    return or_(Comment.author_id.is_(None), Comment.author_id.not_in(hidden))


def _clean_comment(body: str | None, empty_message: str) -> str:
    text = nfc(body or "").strip()
    if not text:
        raise ServiceError(empty_message)
    if len(text) > MAX_COMMENT_CHARS:
        raise ServiceError(f"A comment can be at most {MAX_COMMENT_CHARS} characters.")
    if (refused := refusal(text, PROSE)) is not None:
        raise ServiceError(f"The comment {refused}.")
    return text


def _move(article: Article, to_status: str, actor: User | None, action: str, **details) -> None:
    before = article.status
    article.status = to_status
    record_event(actor, action, "article", article.id,
                 before={"status": before}, after={"status": to_status, **details})


def _require_reviewer_or_admin(article: Article, actor: User, what: str) -> None:
    if not actor.is_admin and role_of(article, actor) not in ("reviewer", "independent"):
        raise Forbidden(f"Only the article's reviewer or an admin can {what}.")


def _require_approver(article: Article, actor: User) -> None:
    if actor.is_admin:
        return
    if role_of(article, actor) != "second_reviewer":
        raise Forbidden("Only an admin or the article's second reviewer can approve or send back an article.")


def _cannot(verb: str, article: Article) -> str:
    return f"Cannot {verb} this article: it is {article.status.replace('_', ' ')}."
