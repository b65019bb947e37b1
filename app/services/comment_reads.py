"""Which comments a user has read, per paragraph (docs/architecture.md, The way through an article).

A watermark per user and paragraph (`CommentRead`, migration 0013): the newest comment id the user was
shown there. A comment on that paragraph with a higher id, written by someone else, is unread for the user;
one's own comments never are, and neither are those hidden from the user (the other annotator's, while two
annotate an article independently: `workflow.readable_comment`). The article page shows the unread ones, lets the reviewer jump to the next
paragraph holding one, and marks a paragraph's comments read when its comments are opened
(`POST /api/v1/paragraphs/<id>/comments/read`). The watermark never moves back, and never past the newest
comment that exists, so a comment written after the page was loaded stays unread until it is shown.
Pure service: no Flask request; the caller checks that the user may see the paragraph.
"""
from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select

from ..database import dialect_insert
from ..extensions import db
from ..models import Comment, CommentRead, Paragraph, User, utcnow
from . import ServiceError
from .workflow import readable_comment


def unread_comments(user: User, article_id: int, annotators: dict[str, int] | None = None) -> dict[int, list[int]]:
    """The ids of the comments on each paragraph of the article that `user` has not read, oldest first,
    by paragraph id (paragraphs with none are left out). One query, whatever the article's length (with
    `annotators`, layers.annotator_ids of the article, when the caller has them)."""
    rows = db.session.execute(
        select(Comment.paragraph_id, Comment.id)
        .outerjoin(CommentRead, and_(CommentRead.paragraph_id == Comment.paragraph_id,
                                     CommentRead.user_id == user.id))
        .where(Comment.article_id == article_id, Comment.paragraph_id.is_not(None),
               or_(Comment.author_id.is_(None), Comment.author_id != user.id), readable_comment(article_id, user, annotators),
               or_(CommentRead.last_read_comment_id.is_(None), Comment.id > CommentRead.last_read_comment_id))
        .order_by(Comment.id)
    )
    unread: dict[int, list[int]] = {}
    for paragraph_id, comment_id in rows:
        if paragraph_id is not None:  # always, by the WHERE clause; the column itself may be NULL
            unread.setdefault(paragraph_id, []).append(comment_id)
    return unread


def mark_read(user: User, paragraph: Paragraph, up_to: int) -> dict:
    """`user` has been shown the comments on `paragraph` up to comment id `up_to`: move the watermark there
    (never back, never past the paragraph's newest comment) in one atomic upsert, and commit.

    Returns {"paragraph_id", "read_up_to", "unread"}: the watermark now and how many comments stay unread.
    """
    if isinstance(up_to, bool) or not isinstance(up_to, int) or up_to < 1:
        raise ServiceError("up_to must be a comment id (a whole number from 1).")
    readable = readable_comment(paragraph.article_id, user)  # never past a comment hidden from the user
    newest = db.session.scalar(select(func.max(Comment.id)).where(Comment.paragraph_id == paragraph.id, readable))
    if newest is None:
        return {"paragraph_id": paragraph.id, "read_up_to": 0, "unread": 0}
    mark = min(up_to, newest)
    table = CommentRead.__table__
    insert = dialect_insert(db.session.get_bind().dialect.name, table).values(
        user_id=user.id, paragraph_id=paragraph.id, last_read_comment_id=mark, read_at=utcnow())
    watermark = db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.paragraph_id],
            set_={"last_read_comment_id": case(
                      (table.c.last_read_comment_id < insert.excluded.last_read_comment_id,
                       insert.excluded.last_read_comment_id),
                      else_=table.c.last_read_comment_id),
                  "read_at": insert.excluded.read_at},
        ).returning(table.c.last_read_comment_id)
    ).scalar_one()
    unread = db.session.scalar(
        select(func.count()).select_from(Comment)
        .where(Comment.paragraph_id == paragraph.id, Comment.id > watermark, readable,
               or_(Comment.author_id.is_(None), Comment.author_id != user.id))
    ) or 0
    db.session.commit()
    return {"paragraph_id": paragraph.id, "read_up_to": int(watermark), "unread": int(unread)}
