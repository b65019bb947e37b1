"""Notifications (docs/architecture.md, Notifications): who is told what happened, and their list.

Each event's function adds one row per recipient in the caller's transaction, so a notification is
committed with the change it tells of, or not at all; nobody is told of their own doing. Recipients:

- assigned: the user given a review role on an article (a new assignment, or another user on it);
- submitted: the article's second reviewer and every active admin;
- changes_requested, approved: the article's reviewer;
- mention: each `@username` in a comment whose user may see the article (admins, its reviewers) and the
  comment (not the other annotator of a double-annotated article: layers.hidden_authors).

A user lists only notifications about articles they may still see (assignment.visible_articles).
When `SMTP_URL` is configured (MIZAN_SMTP_URL), the ids of the new rows are handed to the task queue
after the commit (`tasks.send_notification_mail`), and the worker mails them: a request never waits on
SMTP, and a rolled-back change mails nothing.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import event, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from ..extensions import db
from ..models import Article, Assignment, Comment, Notification, User, utcnow

log = logging.getLogger(__name__)

# `@rami`, `@nadia.k`: a username (users.USERNAME_PATTERN) after an @ that does not follow a word character
# (so an e-mail address mentions nobody); a trailing dot ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9_.-]{1,63})", re.IGNORECASE)
MAX_MENTIONS = 20  # per comment: a comment naming everyone tells the first twenty
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_PENDING_MAIL = "mizan_notifications_to_mail"


def notify(recipients: Iterable[User | None], kind: str, article_id: int, actor: User | None,
           comment_id: int | None = None) -> list[Notification]:
    """One notification of `kind` for each distinct, active recipient other than the actor."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not user.active or user.id in seen or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        rows.append(Notification(user_id=user.id, kind=kind, article_id=article_id,
                                 actor_id=actor.id if actor is not None else None, comment_id=comment_id))
    if rows:
        db.session.add_all(rows)
        db.session.flush()
        db.session.info.setdefault(_PENDING_MAIL, []).extend(row.id for row in rows)
    return rows


def _assignee(article_id: int, role: str) -> User | None:
    return db.session.scalar(select(User).join(Assignment, Assignment.user_id == User.id)
                             .where(Assignment.article_id == article_id, Assignment.role == role))


def _active_admins() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "admin", User.active.is_(True))))


def assigned(article_id: int, assignee: User, actor: User | None) -> None:
    notify([assignee], "assigned", article_id, actor)


def submitted(article_id: int, actor: User) -> None:
    notify([_assignee(article_id, "second_reviewer"), *_active_admins()], "submitted", article_id, actor)


def adjudicated(article_id: int, actor: User) -> None:
    """The curator adjudicated a double-annotated article: its gold is the second reviewer's to review."""
    notify([_assignee(article_id, "second_reviewer")], "submitted", article_id, actor)


def changes_requested(article_id: int, actor: User) -> None:
    notify([_assignee(article_id, "reviewer")], "changes_requested", article_id, actor)


def approved(article_id: int, actor: User) -> None:
    notify([_assignee(article_id, "reviewer")], "approved", article_id, actor)


def mentioned_usernames(body: str) -> list[str]:
    """The usernames a comment mentions, lower-cased, in order, each once."""
    names: list[str] = []
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".-").lower()
        if name not in names:
            names.append(name)
    return names[:MAX_MENTIONS]


def mentions(comment: Comment, actor: User) -> None:
    """Tell each user a comment mentions, if they may see its article and the comment; unknown names mention
    nobody."""
    names = mentioned_usernames(comment.body)
    if not names:
        return
    may_see = or_(User.role == "admin", exists().where(Assignment.article_id == comment.article_id,
                                                       Assignment.user_id == User.id))
    from .layers import annotator_ids, hidden_authors

    annotators = annotator_ids(comment.article_id)  # read once, not once per user mentioned
    users = [user for user in db.session.scalars(select(User).where(User.username.in_(names), may_see)
                                                 .order_by(User.id))
             if actor.id not in hidden_authors(comment.article_id, user, annotators)]
    notify(users, "mention", comment.article_id, actor, comment_id=comment.id)


# --- a user's list ---------------------------------------------------------------------------------


def _visible_to(user: User):
    """Notifications of `user` about articles they may see now."""
    query = select(Notification).where(Notification.user_id == user.id)
    if not user.is_admin:
        query = query.where(exists().where(Assignment.article_id == Notification.article_id,
                                           Assignment.user_id == user.id))
    return query


@dataclass(frozen=True)
class Listed:
    id: int
    kind: str
    article_id: int
    article_title: str
    actor: str | None
    comment_id: int | None
    created_at: datetime
    read: bool


def list_for(user: User, *, limit: int = DEFAULT_LIMIT, before: int | None = None,
             unread_only: bool = False) -> list[Listed]:
    """The user's notifications, newest first: at most `limit`, older than the id `before` when given."""
    query = _visible_to(user)
    if before is not None:
        query = query.where(Notification.id < before)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    listed = query.order_by(Notification.id.desc()).limit(min(max(limit, 1), MAX_LIMIT)).subquery()
    actor = aliased(User)
    rows = db.session.execute(
        select(listed.c.id, listed.c.kind, listed.c.article_id, Article.title, actor.username, listed.c.comment_id,
               listed.c.created_at, listed.c.read_at)
        .join(Article, Article.id == listed.c.article_id)
        .outerjoin(actor, actor.id == listed.c.actor_id)
        .order_by(listed.c.id.desc())
    )
    return [Listed(id, kind, article_id, title, actor_name, comment_id, created_at, read_at is not None)
            for id, kind, article_id, title, actor_name, comment_id, created_at, read_at in rows]


def unread_count(user: User) -> int:
    return int(db.session.scalar(
        select(func.count()).select_from(_visible_to(user).where(Notification.read_at.is_(None)).subquery())) or 0)


def mark_read(user: User, ids: Iterable[int] | None = None, *, everything: bool = False) -> int:
    """Mark the user's own notifications read (all, or those of `ids`; anyone else's ids are ignored);
    returns the unread count after."""
    statement = (update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                 .values(read_at=utcnow()))
    if not everything:
        wanted = sorted({int(i) for i in ids or ()})
        if not wanted:
            return unread_count(user)
        statement = statement.where(Notification.id.in_(wanted))
    db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.commit()
    return unread_count(user)


# --- e-mail, after the commit ----------------------------------------------------------------------


@event.listens_for(Session, "after_commit")
def _mail_after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_MAIL, None)
    if ids:
        queue_mail(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING_MAIL, None)


def queue_mail(ids: list[int]) -> None:
    """Hand notification ids to the worker when SMTP is configured. A queue that cannot be reached loses the
    mail, never the change: it is logged, and the notification stays in the page."""
    from flask import current_app, has_app_context

    if not has_app_context() or not current_app.config.get("SMTP_URL"):
        return
    from ..tasks import send_notification_mail

    try:
        send_notification_mail(list(ids))
    except Exception:  # the change is committed already: report, do not fail the request
        log.exception("could not queue the mail of notifications %s", ids)
