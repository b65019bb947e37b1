"""Who may see which article, and assigning articles to reviewers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..database import is_unique_violation
from ..extensions import db
from ..models import ASSIGNMENT_ROLES, Article, Assignment, Paragraph, User, utcnow
from . import Forbidden, NotFound, ServiceError, notifications
from .audit import record_event

# Statuses an article leaves for "assigned" when it first gets a reviewer.
_UNASSIGNED_STATUSES = ("new", "translated")


class AssignmentError(ServiceError):
    """An assignment refused (HTTP 422); `field` names the request field at fault, when one is: the API's
    `error.details` then says so as a validation error of that field does (`{"json": {field: [message]}}`)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field

    @property
    def details(self) -> dict | None:
        return {"json": {self.field: [str(self)]}} if self.field else None


ROLE_NAMES = {"reviewer": "reviewer", "second_reviewer": "second reviewer", "independent": "independent annotator"}
# Roles one person may not hold together on one article: the reviewer and the second reviewer are two people,
# and the independent annotator is neither (issue 18: two independent annotations, reviewed by a third person).
EXCLUSIVE_ROLES = {"reviewer": ("second_reviewer", "independent"), "second_reviewer": ("reviewer", "independent"),
                   "independent": ("reviewer", "second_reviewer")}
# An independent annotator joins before the annotation is handed over.
INDEPENDENT_JOINS_IN = ("new", "translated", "assigned", "in_review", "changes_requested")


def visible_articles(user: User) -> Select:
    """Articles the user may see: all for an admin, only their assignments for a reviewer."""
    query = select(Article)
    if not user.is_admin:
        query = query.where(
            exists().where(Assignment.article_id == Article.id, Assignment.user_id == user.id)
        )
    return query


def get_visible_article(user: User, article_id: int) -> Article:
    """The article if the user may see it; otherwise NotFound, so its existence does not leak."""
    article = db.session.scalar(visible_articles(user).where(Article.id == article_id))
    if article is None:
        raise NotFound(f"Article {article_id} not found.")
    return article


# An assignment's work is done once its article has moved past it: the reviewer's at submission, the
# second reviewer's at approval. Past its due date and not done, it is overdue.
WORK_DONE_IN = {"reviewer": ("submitted", "approved"), "second_reviewer": ("approved",),
                "independent": ("submitted", "approved")}


def today_utc() -> date:
    """The day due dates are compared with: the UTC day, as every date the app stores."""
    return utcnow().date()


def is_overdue(assignment: Assignment, article_status: str, today: date) -> bool:
    """Due before `today` and its work not done (WORK_DONE_IN; an annotator of a double-annotated article is
    done once they have submitted their layer, `submitted_at`, even while the other has not)."""
    return (assignment.due is not None and assignment.due < today and assignment.submitted_at is None
            and article_status not in WORK_DONE_IN.get(assignment.role, ()))


def paragraph_counts(article_ids: list[int]) -> dict[int, int]:
    return {article_id: total for article_id, (total, _) in paragraph_progress(article_ids).items()}


def paragraph_progress(article_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(paragraphs, approved paragraphs) of each article, in one query."""
    if not article_ids:
        return {}
    rows = db.session.execute(
        select(Paragraph.article_id, func.count(), func.count().filter(Paragraph.status == "approved"))
        .where(Paragraph.article_id.in_(article_ids))
        .group_by(Paragraph.article_id)
    )
    return {article_id: (total, approved) for article_id, total, approved in rows}


@dataclass(frozen=True)
class ArticlePage:
    articles: list[Article]
    total: int
    paragraph_counts: dict[int, int]


def list_visible_articles(
    user: User,
    *,
    page: int = 1,
    per_page: int = 50,
    status: str | None = None,
    assignee: str | None = None,
    search: str | None = None,
) -> ArticlePage:
    """One page of the articles a user may see, ordered by id, with filters for the admin list."""
    query = visible_articles(user)
    if status:
        query = query.where(Article.status == status)
    if assignee == "-":
        query = query.where(~exists().where(Assignment.article_id == Article.id))
    elif assignee:
        query = query.where(
            exists().where(
                Assignment.article_id == Article.id,
                Assignment.user_id == User.id,
                User.username == assignee,
            )
        )
    if search:
        query = query.where(Article.title.contains(search.strip()))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    articles = list(
        db.session.scalars(
            query.options(selectinload(Article.assignments).joinedload(Assignment.user))
            .order_by(Article.id).offset((page - 1) * per_page).limit(per_page)
        )
    )
    return ArticlePage(articles, total, paragraph_counts([a.id for a in articles]))


def assignments_of(article: Article) -> dict[str, Assignment]:
    return {a.role: a for a in article.assignments}


def assign_article(
    article: Article,
    assignee: User,
    role: str = "reviewer",
    *,
    actor: User | None,
    due: date | None = None,
) -> Assignment:
    """Assign or reassign one review role on an article; every change is audited.

    `actor` None is the server's own operator (the CLI), who needs no account. When another
    admin assigned the same role meanwhile (the unique article and role), this is done again
    over theirs: a reassignment, as if it had come a moment later.
    """
    try:
        return _assign(article, assignee, role, actor=actor, due=due)
    except IntegrityError as error:
        db.session.rollback()
        if not is_unique_violation(error):
            raise
    return _assign(article, assignee, role, actor=actor, due=due)


def assign_reviewers(
    article: Article,
    reviewer: User,
    second_reviewer: User | None,
    *,
    actor: User | None,
    due: date | None = None,
    independent: User | None | bool = False,
) -> None:
    """The admin page's one form: the reviewer, the optional second reviewer and (`independent`, when not
    False) the optional independent annotator, checked together before any changes, so a refused set assigns
    no one."""
    if second_reviewer is not None and second_reviewer.id == reviewer.id:
        raise AssignmentError(
            f"{reviewer.username!r} cannot be both the reviewer and the second reviewer; "
            "the two reviewers must be different people. Nothing was assigned."
        )
    if isinstance(independent, User) and independent.id in (reviewer.id, second_reviewer and second_reviewer.id):
        raise AssignmentError(
            f"{independent.username!r} cannot be the independent annotator and also the reviewer or the second "
            "reviewer of this article: the independent annotator is neither. Nothing was assigned.",
            field="independent")
    if independent is None:  # removed first: refused (changing nothing) when they have annotated already
        unassign_article(article, "independent", actor=actor)
    assign_article(article, reviewer, "reviewer", actor=actor, due=due)
    if second_reviewer is not None:
        assign_article(article, second_reviewer, "second_reviewer", actor=actor, due=due)
    else:
        unassign_article(article, "second_reviewer", actor=actor)
    if isinstance(independent, User):
        assign_article(article, independent, "independent", actor=actor, due=due)


def _assign(article: Article, assignee: User, role: str, *, actor: User | None, due: date | None) -> Assignment:
    if actor is not None and not actor.is_admin:
        raise Forbidden("Only admins can assign articles.")
    if role not in ASSIGNMENT_ROLES:
        raise AssignmentError(f"Role must be one of: {', '.join(ASSIGNMENT_ROLES)}.")
    if not assignee.active:
        raise AssignmentError(f"User {assignee.username!r} is deactivated.")
    if not assignee.may_review:
        raise AssignmentError(f"{assignee.username!r} is a corpus user: corpus users export, they do not review.")
    current = assignments_of(article)
    for other_role in EXCLUSIVE_ROLES[role]:
        if other_role in current and current[other_role].user_id == assignee.id:
            raise AssignmentError(
                f"{assignee.username!r} is already the {ROLE_NAMES[other_role]} of this article; "
                + ("the two reviewers must be different people." if {role, other_role} == {"reviewer", "second_reviewer"}
                   else "the independent annotator is neither the reviewer nor the second reviewer."),
                field="username",
            )
    if role == "second_reviewer" and "reviewer" not in current:
        raise AssignmentError("Assign a reviewer before a second reviewer.")
    if role == "independent" and "reviewer" not in current:
        raise AssignmentError("Assign a reviewer before an independent annotator.", field="role")

    existing = current.get(role)
    if existing is not None and existing.user_id == assignee.id and existing.due == due:
        return existing
    if existing is not None and existing.user_id != assignee.id:
        _refuse_hiding_a_layer(article, existing)
    if role == "independent" and existing is None:
        if article.status not in INDEPENDENT_JOINS_IN:
            raise AssignmentError(f"This article is {article.status.replace('_', ' ')}: an independent annotator "
                                  "joins before the annotation is submitted.", field="role")
        from .layers import split_into_layer

        split_into_layer(article.id, current["reviewer"].user_id)  # the reviewer's work so far: their layer
    before = _describe(existing)
    newly_assigned = existing is None or existing.user_id != assignee.id
    if existing is None:
        existing = Assignment(article=article, user=assignee, role=role, assigned_by=actor, due=due)
        db.session.add(existing)
    else:
        existing.user = assignee
        existing.assigned_by = actor
        existing.assigned_at = utcnow()
        existing.due = due
    status_before = article.status
    if article.status in _UNASSIGNED_STATUSES:
        article.status = "assigned"
    db.session.flush()
    record_event(
        actor,
        "assignment.create" if before is None else "assignment.change",
        "article",
        article.id,
        before={"assignment": before, "status": status_before},
        after={"assignment": _describe(existing), "status": article.status},
    )
    if newly_assigned:
        notifications.assigned(article.id, assignee, actor)
    db.session.commit()
    return existing


def unassign_article(article: Article, role: str, *, actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise Forbidden("Only admins can change assignments.")
    current = assignments_of(article)
    if role not in current:
        return
    if role == "reviewer" and "second_reviewer" in current:
        raise AssignmentError("Remove the second reviewer first, or reassign the reviewer instead.")
    if role == "reviewer" and "independent" in current:
        raise AssignmentError("Remove the independent annotator first, or reassign the reviewer instead.")
    assignment = current[role]
    if role == "independent":
        from .layers import has_work, merge_layer_back

        if has_work(article.id, assignment.user_id):
            raise AssignmentError(
                f"{assignment.user.username!r} has annotated this article independently already: removing them "
                "would hide that work. Reassign the role instead, or keep it until adjudication.")
        merge_layer_back(article.id, current["reviewer"].user_id, assignment.user_id)
    before = _describe(assignment)
    article.assignments.remove(assignment)
    status_before = article.status
    if not article.assignments and article.status == "assigned":
        article.status = "new"
    record_event(
        actor, "assignment.remove", "article", article.id,
        before={"assignment": before, "status": status_before}, after={"status": article.status},
    )
    db.session.commit()


def _refuse_hiding_a_layer(article: Article, existing: Assignment) -> None:
    """Reassigning an annotator of a double-annotated article would hide the layer of the one replaced."""
    from .layers import has_work

    if (existing.role in ("reviewer", "independent") and "independent" in assignments_of(article)
            and has_work(article.id, existing.user_id)):
        raise AssignmentError(
            f"{existing.user.username!r} has annotated this article in their own layer already: giving the "
            f"{ROLE_NAMES[existing.role]} role to someone else would hide that work.", field="username")


def _describe(assignment: Assignment | None) -> dict | None:
    if assignment is None:
        return None
    return {
        "role": assignment.role,
        "username": assignment.user.username,
        "due": assignment.due.isoformat() if assignment.due else None,
    }
