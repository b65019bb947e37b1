"""The lists people work from: the admin's Articles list and a reviewer's My work.

Filtering, sorting, counting and paging happen in SQL, so a page of 50 out of 10,000 articles costs a few
indexed queries, the same on SQLite and PostgreSQL; each article's progress (approved / edited / draft of
its paragraphs) comes in one grouped query over the page's articles only, or, when the list is sorted by
progress, as a grouped subquery joined to the list. Query-string values are checked here (`parse_list_query`):
a bad date or an unknown sort key is a sentence naming it, which the pages show (400), the rest still applied.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import ARTICLE_STATUSES, Article, Assignment, Paragraph, User
from . import Forbidden, ServiceError, assignment, mt
from .assignment import WORK_DONE_IN, is_overdue, today_utc
from .workflow import LOCKED_FOR_EVERYONE

PER_PAGE = 50
MAX_PAGE = 100_000
MAX_SEARCH = 200

# The sort keys each list offers (the column headers), and its default order.
ADMIN_SORTS = ("id", "title", "published", "source", "status", "progress", "due")
MY_WORK_SORTS = ("title", "published", "role", "due", "status", "progress")
DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True)
class ListQuery:
    """What a list shows: its filters, its order and its page; empty values filter nothing."""

    status: str = ""
    reviewer: str = ""  # a username, or "-" for articles nobody is assigned to (admin list only)
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool = False
    source: str = ""
    published_from: date | None = None
    published_to: date | None = None
    q: str = ""
    sort: str = ""  # "" is the list's default order
    direction: str = "asc"
    page: int = 1
    per_page: int = PER_PAGE

    def args(self, **changes) -> dict[str, str | int]:
        """The query string of this list (with `changes`), without empty values: for links that keep it."""
        values = {
            "status": self.status, "reviewer": self.reviewer,
            "due_from": self.due_from.isoformat() if self.due_from else "",
            "due_to": self.due_to.isoformat() if self.due_to else "",
            "overdue": "1" if self.overdue else "", "source": self.source,
            "published_from": self.published_from.isoformat() if self.published_from else "",
            "published_to": self.published_to.isoformat() if self.published_to else "",
            "q": self.q, "sort": self.sort, "dir": self.direction if self.sort else "",
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}

    def sorted_by(self, key: str) -> dict[str, str | int]:
        """The query string that sorts by `key`: ascending, or the other way if already sorted by it; page 1."""
        direction = "desc" if self.sort == key and self.direction == "asc" else "asc"
        return self.args(sort=key, dir=direction, page="")

    def aria_sort(self, key: str) -> str:
        if self.sort != key:
            return "none"
        return "ascending" if self.direction == "asc" else "descending"

    @property
    def filtered(self) -> bool:
        return any((self.status, self.reviewer, self.due_from, self.due_to, self.overdue, self.source,
                    self.published_from, self.published_to, self.q))


def _date(args: Mapping[str, str], name: str, label: str, problems: list[str]) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"The {label} {value[:40]!r} is not a date: write it as YYYY-MM-DD.")
        return None


def parse_list_query(args: Mapping[str, str], sorts: tuple[str, ...], *, per_page: int = PER_PAGE
                     ) -> tuple[ListQuery, list[str]]:
    """The list query a query string asks for, and what was wrong in it (each a sentence to show);
    a wrong value is left out of the query, the rest still applies."""
    problems: list[str] = []
    status = (args.get("status") or "").strip()
    if status and status not in ARTICLE_STATUSES:
        problems.append(f"There is no status {status[:40]!r}; the statuses are: {', '.join(ARTICLE_STATUSES)}.")
        status = ""
    sort = (args.get("sort") or "").strip()
    if sort and sort not in sorts:
        problems.append(f"This list cannot be sorted by {sort[:40]!r}; it sorts by: {', '.join(sorts)}.")
        sort = ""
    direction = (args.get("dir") or "asc").strip()
    if direction not in DIRECTIONS:
        problems.append(f"The sort direction {direction[:40]!r} is neither 'asc' nor 'desc'.")
        direction = "asc"
    try:
        page = int(args.get("page") or 1)
    except ValueError:
        problems.append(f"The page {str(args.get('page'))[:40]!r} is not a number.")
        page = 1
    query = ListQuery(
        status=status,
        reviewer=(args.get("reviewer") or args.get("assignee") or "").strip()[:64],
        due_from=_date(args, "due_from", "due date (from)", problems),
        due_to=_date(args, "due_to", "due date (to)", problems),
        overdue=(args.get("overdue") or "") not in ("", "0"),
        source=(args.get("source") or "").strip()[:255],
        published_from=_date(args, "published_from", "published date (from)", problems),
        published_to=_date(args, "published_to", "published date (to)", problems),
        q=(args.get("q") or "").strip()[:MAX_SEARCH],
        sort=sort, direction=direction, page=min(max(page, 1), MAX_PAGE), per_page=per_page,
    )
    return query, problems


@dataclass(frozen=True)
class Progress:
    """An article's paragraphs by status."""

    total: int = 0
    approved: int = 0
    edited: int = 0

    @property
    def draft(self) -> int:
        return self.total - self.approved - self.edited

    def percent(self, part: int) -> float:
        return round(100 * part / self.total, 1) if self.total else 0.0


@dataclass
class Row:
    article: Article
    progress: Progress
    assignment: Assignment | None = None  # My work: the user's own assignment
    overdue: list[Assignment] = field(default_factory=list)  # its assignments past due, work not done


@dataclass(frozen=True)
class ListPage:
    rows: list[Row]
    total: int
    query: ListQuery

    @property
    def last_page(self) -> int:
        return max((self.total + self.query.per_page - 1) // self.query.per_page, 1)


def _work_not_done(role_column, status_column) -> ColumnElement[bool]:
    """SQL for is_overdue's "its work not done": the article has not yet moved past the role's part."""
    return or_(*(and_(role_column == role, status_column.not_in(done)) for role, done in WORK_DONE_IN.items()))


def overdue_condition(today: date) -> ColumnElement[bool]:
    """An assignment (the Assignment row in the query) past due whose work is not done (assignment.is_overdue)."""
    return and_(Assignment.due.is_not(None), Assignment.due < today, Assignment.submitted_at.is_(None),
                _work_not_done(Assignment.role, Article.status))


def progress_of(article_ids: list[int], layer: int | None = None) -> dict[int, Progress]:
    """Each article's paragraphs by status in one line (services/layers.py: the ordinary line, or with
    `layer` that annotator's layer), in one query."""
    if not article_ids:
        return {}
    from .layers import LineColumns

    line = LineColumns(layer)
    rows = db.session.execute(
        line.join(select(Paragraph.article_id, func.count(), func.count().filter(line.status == "approved"),
                         func.count().filter(line.status == "edited")))
        .where(Paragraph.article_id.in_(article_ids)).group_by(Paragraph.article_id))
    return {article_id: Progress(total, approved, edited) for article_id, total, approved, edited in rows}


def _progress_ratio(query):
    """The query joined to each article's share of approved paragraphs (edited ones count a little; 0 without
    paragraphs), for sorting: one grouped pass over the paragraphs (faster on both engines than a correlated
    count per article)."""
    counts = (select(Paragraph.article_id.label("article_id"), func.count().label("total"),
                     func.count().filter(Paragraph.status == "approved").label("approved"),
                     func.count().filter(Paragraph.status == "edited").label("edited"))
              .group_by(Paragraph.article_id).subquery())
    ratio = func.coalesce((counts.c.approved * 1.0 + counts.c.edited * 0.001) / func.nullif(counts.c.total, 0), 0)
    return query.outerjoin(counts, counts.c.article_id == Article.id), ratio


def _filters(query, q: ListQuery, *, own: bool, today: date):
    """The filters every list shares; `own`: the query has the user's Assignment joined (My work)."""
    if q.status:
        query = query.where(Article.status == q.status)
    if q.source:
        query = query.where(Article.source == q.source)
    if q.published_from:
        query = query.where(Article.published >= q.published_from)
    if q.published_to:
        query = query.where(Article.published <= q.published_to)
    if q.q:
        query = query.where(Article.title.icontains(q.q, autoescape=True))
    due: list[ColumnElement[bool]] = []
    if q.due_from:
        due.append(Assignment.due >= q.due_from)
    if q.due_to:
        due.append(Assignment.due <= q.due_to)
    if q.overdue:
        due.append(overdue_condition(today))
    if due:
        if own:
            query = query.where(*due)
        else:  # any of its assignments
            query = query.where(exists().where(Assignment.article_id == Article.id, *due))
    return query


def _count(query) -> int:
    """How many rows the list has: counted over the article ids alone (never the stored files' bytes)."""
    return db.session.execute(select(func.count()).select_from(
        query.with_only_columns(Article.id).order_by(None).subquery())).scalar_one()


def _direction(column, direction: str):
    """Ascending or descending, empty values last either way (the same on both engines)."""
    return [column.is_(None), column.desc() if direction == "desc" else column.asc()]


def admin_list(q: ListQuery) -> ListPage:
    """One page of all articles, filtered and sorted as asked; by default newest first (highest id)."""
    today = today_utc()
    query = _filters(select(Article), q, own=False, today=today)
    if q.reviewer == "-":
        query = query.where(~exists().where(Assignment.article_id == Article.id))
    elif q.reviewer:
        query = query.where(Article.id.in_(select(Assignment.article_id).join(User, User.id == Assignment.user_id)
                                           .where(User.username == q.reviewer)))
    total = _count(query)
    order: list = []
    if q.sort == "progress":
        query, ratio = _progress_ratio(query)
        order = _direction(ratio, q.direction)
    elif q.sort == "due":
        earliest = (select(func.min(Assignment.due)).where(Assignment.article_id == Article.id)
                    .correlate(Article).scalar_subquery())
        order = _direction(earliest, q.direction)
    elif q.sort in ("title", "published", "source", "status"):
        order = _direction(getattr(Article, q.sort), q.direction)
    id_order = Article.id.desc() if q.sort and q.direction == "desc" else Article.id.asc()
    articles = list(db.session.scalars(
        query.options(selectinload(Article.assignments).joinedload(Assignment.user))
        .order_by(*order, id_order).offset((q.page - 1) * q.per_page).limit(q.per_page)))
    progress = progress_of([a.id for a in articles])
    rows = [Row(a, progress.get(a.id, Progress()),
                overdue=[asg for asg in a.assignments if is_overdue(asg, a.status, today)]) for a in articles]
    return ListPage(rows, total, q)


def my_work_list(user: User, q: ListQuery) -> ListPage:
    """One page of the user's assignments (an article they review and second-review is listed twice, once
    per role); by default overdue first, then by due date (none last), then by article."""
    today = today_utc()
    query = (select(Article, Assignment).join(Assignment, Assignment.article_id == Article.id)
             .where(Assignment.user_id == user.id))
    query = _filters(query, q, own=True, today=today)
    total = _count(query)
    order: list
    if not q.sort:
        order = [case((overdue_condition(today), 0), else_=1), Assignment.due.is_(None), Assignment.due]
    elif q.sort == "progress":
        query, ratio = _progress_ratio(query)
        order = _direction(ratio, q.direction)
    elif q.sort in ("role", "due"):
        order = _direction(getattr(Assignment, q.sort), q.direction)
    else:
        order = _direction(getattr(Article, q.sort), q.direction)
    id_order = Article.id.desc() if q.sort and q.direction == "desc" else Article.id.asc()
    found = db.session.execute(
        query.options(selectinload(Article.assignments))
        .order_by(*order, id_order, Assignment.role).offset((q.page - 1) * q.per_page).limit(q.per_page)).all()
    progress = progress_of([a.id for a, _ in found])
    # An annotator of a double-annotated article sees the progress of their own layer (services/layers.py),
    # until it is adjudicated: then the gold's, as everyone.
    layered = [a.id for a, asg in found if asg.role in ("reviewer", "independent") and a.adjudicated_at is None
               and any(other.role == "independent" for other in a.assignments)]
    progress |= progress_of(layered, layer=user.id)
    rows = [Row(a, progress.get(a.id, Progress()), assignment=asg,
                overdue=[asg] if is_overdue(asg, a.status, today) else []) for a, asg in found]
    return ListPage(rows, total, q)


def sources() -> list[str]:
    """Every source named by some article, for the source filter."""
    return list(db.session.scalars(select(Article.source).where(Article.source.is_not(None))
                                   .distinct().order_by(Article.source)))



# --- bulk actions from the admin list --------------------------------------------------------------

MAX_BULK = 200


@dataclass
class BulkOutcome:
    """What a bulk action did: the articles it changed, and each refused one with the reason."""

    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)

    def summary(self, verb: str) -> str:
        text = f"{verb} {len(self.done)} article(s)."
        if self.refused:
            reasons = "; ".join(f"#{article_id}: {reason}" for article_id, reason in self.refused[:10])
            more = f" (and {len(self.refused) - 10} more)" if len(self.refused) > 10 else ""
            text += f" Refused {len(self.refused)}: {reasons}{more}."
        return text


def _selected(article_ids: list[int]) -> tuple[list[Article], BulkOutcome]:
    outcome = BulkOutcome()
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        raise ServiceError("Select at least one article.")
    if len(ids) > MAX_BULK:
        raise ServiceError(f"Select at most {MAX_BULK} articles at a time.")
    found = {a.id: a for a in db.session.scalars(select(Article).where(Article.id.in_(ids)))}
    outcome.refused.extend((article_id, "no such article") for article_id in ids if article_id not in found)
    return [found[article_id] for article_id in ids if article_id in found], outcome


def bulk_assign(article_ids: list[int], reviewer: User, second_reviewer: User | None, *, actor: User,
                due: date | None = None) -> BulkOutcome:
    """Assign the reviewer (and the second reviewer, when given: otherwise an article keeps its own) with the
    due date to each article, as the article page's form does, each audited; an article assignment refuses
    (e.g. its second reviewer is this reviewer) is left as it was and named with the reason."""
    if not actor.is_admin:
        raise Forbidden("Only admins can assign articles.")
    if second_reviewer is not None and second_reviewer.id == reviewer.id:
        raise ServiceError(f"{reviewer.username!r} cannot be both the reviewer and the second reviewer. "
                           "Nothing was assigned.")
    for user in (reviewer, second_reviewer):
        if user is not None and (not user.active or not user.may_review):
            raise ServiceError(f"{user.username!r} cannot review (deactivated, or a corpus user). Nothing was assigned.")
    articles, outcome = _selected(article_ids)
    for article in articles:
        article_id = article.id
        try:
            if second_reviewer is not None:
                assignment.assign_reviewers(article, reviewer, second_reviewer, actor=actor, due=due)
            else:
                assignment.assign_article(article, reviewer, "reviewer", actor=actor, due=due)
        except ServiceError as refusal:
            db.session.rollback()
            outcome.refused.append((article_id, str(refusal)))
        else:
            outcome.done.append(article_id)
    return outcome


def bulk_translate(article_ids: list[int], instance_path: str, *, actor: User) -> BulkOutcome:
    """Queue machine translation of each article, as its Translate button does; approved articles are
    skipped (their English is final), and so are articles already being translated (named with their job)."""
    if not actor.is_admin:
        raise Forbidden("Only admins can translate articles.")
    package = mt.require_package(instance_path)
    articles, outcome = _selected(article_ids)
    for article in articles:
        article_id = article.id
        if article.status in LOCKED_FOR_EVERYONE:
            outcome.refused.append((article_id, "approved, its English is final"))
            continue
        try:
            request = mt.queue_article_translation(article, instance_path, actor=actor, model=package.model_id)
        except ServiceError as refusal:
            db.session.rollback()
            outcome.refused.append((article_id, str(refusal)))
            continue
        if request.created:
            outcome.done.append(article_id)
        else:
            outcome.refused.append((article_id, f"already being translated (job {request.job.id})"))
    return outcome


def sources_of_assignments(user: User) -> list[str]:
    """The sources of the articles assigned to the user, for My work's source filter (no one else's)."""
    return list(db.session.scalars(
        select(Article.source).join(Assignment, Assignment.article_id == Article.id)
        .where(Assignment.user_id == user.id, Article.source.is_not(None)).distinct().order_by(Article.source)))
