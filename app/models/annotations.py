"""Named entities on both sides, their cross-lingual links, labels and the glossary."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

DEFAULT_LABELS = (
    # name, colour, hotkey
    ("PER", "#1f77b4", "p"),
    ("LOC", "#2ca02c", "l"),
    ("ORG", "#d62728", "o"),
    ("DATE", "#9467bd", "d"),
    ("MONEY", "#8c564b", "m"),
    ("PERCENT", "#e377c2", "c"),
    ("EVENT", "#ff7f0e", "v"),
    ("MISC", "#7f7f7f", "x"),
)


class Label(db.Model):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    colour: Mapped[str] = mapped_column(String(16))
    hotkey: Mapped[Optional[str]] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(default=0)
    # A label in use cannot be deleted, only retired (hidden from new tagging).
    retired: Mapped[bool] = mapped_column(default=False)


class Entity(db.Model):
    """A span [start, end) in Python str indices over the NFC text of one side.

    Arabic spans index the paragraph's `ar`; English spans index the text of
    one translation revision.
    """

    __tablename__ = "entities"
    __table_args__ = (
        CheckConstraint("lang IN ('ar', 'en')", name="lang"),
        CheckConstraint("start >= 0 AND \"end\" > start", name="span"),
        # Layer rows only (migration 0016 says why: SQLite would read every entity for `IS NULL`).
        Index("ix_entities_layer_user_id", "layer_user_id", sqlite_where=text("layer_user_id IS NOT NULL"),
              postgresql_where=text("layer_user_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    translation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("translations.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[int]
    end: Mapped[int]
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id", ondelete="RESTRICT"), index=True)
    text: Mapped[str] = mapped_column(Text)
    # Set when an edit changed the span's own text: the reviewer should look again.
    flagged: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The annotator's layer (services/layers.py); NULL: the ordinary line. A link joins two entities of one layer.
    layer_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    label: Mapped[Label] = relationship()


class EntityLink(db.Model):
    """An Arabic entity aligned with its English rendering."""

    __tablename__ = "entity_links"
    __table_args__ = (UniqueConstraint("ar_entity_id", "en_entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ar_entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    en_entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GlossaryTerm(db.Model):
    __tablename__ = "glossary_terms"
    __table_args__ = (
        UniqueConstraint("ar", "en", "label_id"),
        CheckConstraint("origin IN ('learned', 'manual')", name="origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ar: Mapped[str] = mapped_column(Text)
    en: Mapped[str] = mapped_column(Text)
    label_id: Mapped[Optional[int]] = mapped_column(ForeignKey("labels.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


_ORDINARY_LINE = text("layer_user_id IS NULL")
_IN_A_LAYER = text("layer_user_id IS NOT NULL")


class SuggestionRejection(db.Model):
    """A suggested span a reviewer rejected: it is not suggested again for this paragraph, in the line it was
    rejected in (services/layers.py): the ordinary line, or one annotator's layer."""

    __tablename__ = "suggestion_rejections"
    __table_args__ = (
        # One rejection per paragraph, span and label in each line (migration 0016).
        Index("uq_suggestion_rejections_ordinary", "paragraph_id", "lang", "start", "end", "label_id", unique=True,
              sqlite_where=_ORDINARY_LINE, postgresql_where=_ORDINARY_LINE),
        Index("uq_suggestion_rejections_layer", "paragraph_id", "lang", "start", "end", "label_id", "layer_user_id",
              unique=True, sqlite_where=_IN_A_LAYER, postgresql_where=_IN_A_LAYER),
        CheckConstraint("lang IN ('ar', 'en')", name="lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    start: Mapped[int]
    end: Mapped[int]
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    layer_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
