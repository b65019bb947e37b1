"""Articles as imported, and their Arabic paragraphs."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .translations import Translation
    from .workflow import Assignment

ARTICLE_STATUSES = ("new", "translated", "assigned", "in_review", "submitted", "changes_requested", "approved")
PARAGRAPH_KINDS = ("title", "body", "caption", "credit")
PARAGRAPH_STATUSES = ("draft", "edited", "approved")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Article(db.Model):
    __tablename__ = "articles"
    __table_args__ = (CheckConstraint(_in("status", ARTICLE_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    source: Mapped[Optional[str]] = mapped_column(String(255))
    published: Mapped[Optional[date]]
    original_filename: Mapped[str] = mapped_column(String(255))
    # The file exactly as it arrived, and the SHA-256 that makes re-import a no-op.
    raw_bytes: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # loaded only when asked for
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(24), default="new", index=True)
    imported_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # A double-annotated article whose every paragraph a curator adjudicated: from then on everyone reads
    # and writes its gold, the ordinary line (services/adjudication.py, layers.line_of).
    adjudicated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    paragraphs: Mapped[list["Paragraph"]] = relationship(
        back_populates="article", order_by="Paragraph.position", cascade="all, delete-orphan",
        passive_deletes=True,
    )
    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True,
    )


class Paragraph(db.Model):
    __tablename__ = "paragraphs"
    __table_args__ = (
        UniqueConstraint("article_id", "position"),
        CheckConstraint(_in("kind", PARAGRAPH_KINDS), name="kind"),
        CheckConstraint(_in("status", PARAGRAPH_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    # Arabic text, NFC. Entity offsets are Python str indices into it.
    ar: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # Optimistic lock: every change to the English bumps it; a save based on
    # an older version is refused, never merged silently.
    version: Mapped[int] = mapped_column(default=1)
    current_revision_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("translations.id", use_alter=True, ondelete="SET NULL")
    )
    approved_revision_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("translations.id", use_alter=True, ondelete="SET NULL")
    )
    # Seconds reviewers spent editing since the last approval (sent by the
    # editor with each save); moved into the approval record when approved.
    pending_seconds: Mapped[int] = mapped_column(server_default="0")
    # The QA findings (app/services/qa.py) of the current English, as
    # [{"check", "severity", "message"}], recomputed whenever the English, the
    # entities or the links change; None until first computed.
    qa_findings: Mapped[Optional[list]] = mapped_column(JSON)
    # Why the last machine translation of this paragraph failed; cleared on success.
    mt_error: Mapped[Optional[str]] = mapped_column(Text)

    article: Mapped[Article] = relationship(back_populates="paragraphs")
    current_revision: Mapped[Optional["Translation"]] = relationship(foreign_keys=[current_revision_id])
    approved_revision: Mapped[Optional["Translation"]] = relationship(foreign_keys=[approved_revision_id])
