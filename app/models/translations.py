"""English translations of a paragraph: append-only revisions."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .users import User

ORIGINS = ("machine", "human", "tm")  # tm: a memory match's English saved unchanged (issue 17)
_MACHINE = text("origin = 'machine'")
_LAYERED = text("layer_user_id IS NOT NULL")


class Translation(db.Model):
    """One revision of a paragraph's English. Rows are never updated or deleted."""

    __tablename__ = "translations"
    __table_args__ = (
        CheckConstraint("origin IN ('machine', 'human', 'tm')", name="origin"),
        Index("ix_translations_model_source", "model_id", "source_hash"),
        # One machine draft per paragraph and model: a second worker or the CLI translating the same
        # paragraph adds nothing (services/mt.store_machine_drafts inserts with ON CONFLICT DO NOTHING).
        Index("uq_translations_machine_draft", "paragraph_id", "model_id", unique=True,
              sqlite_where=_MACHINE, postgresql_where=_MACHINE),
        # Layer rows only (migration 0016 says why: SQLite would read every revision for `IS NULL`).
        Index("ix_translations_layer_user_id", "layer_user_id", sqlite_where=_LAYERED, postgresql_where=_LAYERED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))
    # For machine drafts: the engine, its version, and the model package id
    # (name, version, checksum). source_hash is the SHA-256 of the Arabic text
    # so drafts can be reused for identical paragraphs.
    engine: Mapped[Optional[str]] = mapped_column(String(64))
    engine_version: Mapped[Optional[str]] = mapped_column(String(64))
    model_id: Mapped[Optional[str]] = mapped_column(String(255))
    source_hash: Mapped[Optional[str]] = mapped_column(String(64))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("translations.id", ondelete="SET NULL"))
    # The annotator whose layer this revision belongs to on a double-annotated article; NULL: the ordinary
    # line (machine drafts, single-annotated work, the gold). services/layers.py.
    layer_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Optional["Translation"]] = relationship(remote_side="Translation.id")
    author: Mapped[Optional["User"]] = relationship(foreign_keys=[author_id])
