"""Who reviews which article, and what people said about it."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .articles import Article, Paragraph
from .base import UTCDateTime, utcnow
from .users import User

# independent: the second, independent annotator of a double-annotated article (services/layers.py).
ASSIGNMENT_ROLES = ("reviewer", "second_reviewer", "independent")


class Assignment(db.Model):
    """One review role on one article; reassigning changes the user, the audit log keeps the past."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("article_id", "role"),
        CheckConstraint("role IN ('reviewer', 'second_reviewer', 'independent')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    assigned_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due: Mapped[Optional[date]]
    # Double-annotated articles: when this annotator (reviewer or independent) submitted their layer.
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    article: Mapped[Article] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    assigned_by: Mapped[Optional[User]] = relationship(foreign_keys=[assigned_by_id])


class Comment(db.Model):
    """A comment on an article, or on one of its paragraphs when paragraph_id is set."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    paragraph_id: Mapped[Optional[int]] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Optional[User]] = relationship()


class CommentRead(db.Model):
    """How far one user has read the comments on one paragraph: the newest comment id they were shown
    (a watermark; it never moves back). A comment by someone else with a higher id is unread for them
    (services/comment_reads.py)."""

    __tablename__ = "comment_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)
    last_read_comment_id: Mapped[int]
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ParagraphApproval(db.Model):
    """One approval of a paragraph: which revision, by whom, and the post-editing effort it took.

    Effort compares the machine draft with the approved English: character
    edit distance (Levenshtein) and HTER (sacrebleu's TER with the approved
    English as reference), plus the seconds spent editing since the last
    approval. Rows are never updated: a reopened and re-approved paragraph
    gets a new one.
    """
    __tablename__ = "paragraph_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("translations.id", ondelete="CASCADE"))
    machine_revision_id: Mapped[Optional[int]] = mapped_column(ForeignKey("translations.id", ondelete="SET NULL"))
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    seconds_spent: Mapped[int] = mapped_column(default=0)
    char_edit_distance: Mapped[Optional[int]]
    hter: Mapped[Optional[float]]
    # Why the reviewer approved despite blocking QA warnings (issue 6), if they had to.
    override_reason: Mapped[Optional[str]] = mapped_column(Text)

    paragraph: Mapped[Paragraph] = relationship()
    approved_by: Mapped[Optional[User]] = relationship()


class ParagraphAdjudication(db.Model):
    """A curator's adjudication of one paragraph of a double-annotated article (services/adjudication.py):
    who wrote its gold, when, from which English, and the agreement of the two layers on it then. One per
    paragraph: adjudicating again (before the article is adjudicated) replaces it; the audit keeps each."""

    __tablename__ = "paragraph_adjudications"
    __table_args__ = (CheckConstraint("english_from IN ('a', 'b', 'text')", name="english_from"),)

    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"), primary_key=True)
    curator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    adjudicated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision_id: Mapped[Optional[int]] = mapped_column(ForeignKey("translations.id", ondelete="SET NULL"))
    english_from: Mapped[str] = mapped_column(String(8))
    entities_f1: Mapped[Optional[float]]
    translation_chrf: Mapped[Optional[float]]

    curator: Mapped[Optional[User]] = relationship()
