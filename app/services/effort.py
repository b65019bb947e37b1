"""Post-editing effort: how far the approved English is from the machine draft, and the time it took.

HTER is sacrebleu's TER of the machine draft (hypothesis) against the
approved English (reference), as a fraction: edits per reference word.
Character edit distance is the Levenshtein distance between the two texts.
Both are recorded when a paragraph is approved (ParagraphApproval rows) and
summed or averaged here for articles, reviewers and the admin dashboard.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from rapidfuzz.distance import Levenshtein
from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import Article, Assignment, Paragraph, ParagraphApproval, Translation, User, utcnow


@lru_cache(maxsize=1)
def _ter():
    from sacrebleu.metrics import TER  # imported on first use: it pulls numpy and lxml

    return TER()


def edit_effort(machine_text: str | None, approved_text: str) -> tuple[int | None, float | None]:
    """(character edit distance, HTER) of the approved English against the machine draft; None without a draft."""
    if machine_text is None:
        return None, None
    distance = Levenshtein.distance(machine_text, approved_text)
    if not approved_text.split():
        return distance, None
    hter = _ter().sentence_score(machine_text, [approved_text]).score / 100.0
    return distance, round(hter, 4)


# The newest approval of each paragraph: what the effort of its approved English is.
def _latest_approvals():
    newest = (
        select(func.max(ParagraphApproval.id).label("id"))
        .group_by(ParagraphApproval.paragraph_id)
        .subquery()
    )
    return select(ParagraphApproval).join(newest, newest.c.id == ParagraphApproval.id)


@dataclass(frozen=True)
class EffortSummary:
    paragraphs: int
    seconds: int
    char_edits: int
    mean_hter: float | None
    # Approved paragraphs whose approved English is a translation-memory match saved unchanged (origin tm):
    # their distance from the machine draft is the memory's, not the reviewer's typing (article_effort only).
    from_memory: int = 0


def _summary(row) -> EffortSummary:
    paragraphs, seconds, edits, hter = row
    return EffortSummary(paragraphs or 0, int(seconds or 0), int(edits or 0),
                         round(hter, 4) if hter is not None else None)


def paragraph_effort(article_id: int) -> dict[int, ParagraphApproval]:
    """The newest approval of each approved paragraph of an article, by paragraph id."""
    rows = db.session.scalars(
        _latest_approvals().join(Paragraph, Paragraph.id == ParagraphApproval.paragraph_id)
        .where(Paragraph.article_id == article_id, Paragraph.status == "approved")
    )
    return {approval.paragraph_id: approval for approval in rows}


def article_effort(article_id: int) -> EffortSummary:
    """Effort over the approved paragraphs of an article (time counts every approval round)."""
    latest = _latest_approvals().subquery()
    row = db.session.execute(
        select(func.count(latest.c.id), func.sum(latest.c.char_edit_distance), func.avg(latest.c.hter))
        .join(Paragraph, Paragraph.id == latest.c.paragraph_id)
        .where(Paragraph.article_id == article_id, Paragraph.status == "approved")
    ).one()
    seconds = db.session.scalar(
        select(func.sum(ParagraphApproval.seconds_spent))
        .join(Paragraph, Paragraph.id == ParagraphApproval.paragraph_id)
        .where(Paragraph.article_id == article_id)
    )
    from_memory = db.session.scalar(
        select(func.count(Paragraph.id)).join(Translation, Translation.id == Paragraph.approved_revision_id)
        .where(Paragraph.article_id == article_id, Paragraph.status == "approved", Translation.origin == "tm")
    )
    return replace(_summary((row[0], seconds, row[1], row[2])), from_memory=int(from_memory or 0))


@dataclass(frozen=True)
class ReviewerProgress:
    user: User
    effort: EffortSummary
    per_day: dict[date, int]  # approvals per day over the dashboard's window


@dataclass(frozen=True)
class Dashboard:
    articles_by_status: dict[str, int]
    reviewers: list[ReviewerProgress]
    days: list[date]
    overdue: list[Assignment]
    mean_hter: float | None
    approved_paragraphs: int


def dashboard(*, days: int = 14, today: date | None = None) -> Dashboard:
    """What an admin follows: articles by status, reviewers' daily approvals and effort, overdue work."""
    today = today or utcnow().date()
    window = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    by_status = dict(db.session.execute(select(Article.status, func.count()).group_by(Article.status)).all())

    # A reviewer's approved paragraphs are counted as the dashboard's total is: each paragraph approved now
    # once, by whoever gave its newest approval (a re-approval does not count twice); time counts every round.
    latest = _latest_approvals().subquery()
    approved_by = {
        user_id: (count, edits, hter)
        for user_id, count, edits, hter in db.session.execute(
            select(latest.c.approved_by_id, func.count(), func.sum(latest.c.char_edit_distance), func.avg(latest.c.hter))
            .join(Paragraph, Paragraph.id == latest.c.paragraph_id)
            .where(Paragraph.status == "approved", latest.c.approved_by_id.is_not(None))
            .group_by(latest.c.approved_by_id)
        )
    }
    seconds_by: dict[int, int | None] = {
        user_id: seconds for user_id, seconds in db.session.execute(
            select(ParagraphApproval.approved_by_id, func.sum(ParagraphApproval.seconds_spent))
            .where(ParagraphApproval.approved_by_id.is_not(None))
            .group_by(ParagraphApproval.approved_by_id)
        ) if user_id is not None
    }
    per_reviewer = {
        user_id: _summary((approved_by.get(user_id, (0, None, None))[0], seconds_by.get(user_id),
                           *approved_by.get(user_id, (0, None, None))[1:]))
        for user_id in seconds_by.keys() | approved_by.keys()
    }
    daily: dict[int, dict[date, int]] = {}
    for user_id, on, count in db.session.execute(  # paragraphs approved that day: a re-approval counts once
        select(ParagraphApproval.approved_by_id, func.date(ParagraphApproval.approved_at),
               func.count(func.distinct(ParagraphApproval.paragraph_id)))
        .where(ParagraphApproval.approved_at >= datetime.combine(window[0], time.min, tzinfo=UTC),
               ParagraphApproval.approved_by_id.is_not(None))
        .group_by(ParagraphApproval.approved_by_id, func.date(ParagraphApproval.approved_at))
    ):
        daily.setdefault(user_id, {})[date.fromisoformat(str(on))] = count
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(per_reviewer)))}
    reviewers = [
        ReviewerProgress(users[user_id], summary, daily.get(user_id, {}))
        for user_id, summary in sorted(per_reviewer.items(), key=lambda item: users[item[0]].username)
    ]

    overdue = list(db.session.scalars(
        select(Assignment).join(Article, Article.id == Assignment.article_id)
        .where(and_(Assignment.due.is_not(None), Assignment.due < today, Assignment.submitted_at.is_(None),
                    Article.status != "approved"))
        .order_by(Assignment.due)
    ))
    approved_count, mean_hter = db.session.execute(
        select(func.count(latest.c.id), func.avg(latest.c.hter))
        .join(Paragraph, Paragraph.id == latest.c.paragraph_id).where(Paragraph.status == "approved")
    ).one()
    return Dashboard(
        articles_by_status=by_status,
        reviewers=reviewers,
        days=window,
        overdue=overdue,
        mean_hter=round(mean_hter, 4) if mean_hter is not None else None,
        approved_paragraphs=approved_count,
    )
