"""The undo stack of annotation work: one row per entity or link change, per user and article."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

ANNOTATION_ACTIONS = ("entity.create", "entity.delete", "entity.relabel", "entity.looks_right", "link.create",
                      "link.delete", "suggestion.accept", "suggestion.reject")


class AnnotationAction(db.Model):
    """What a user did to the entities of a paragraph, with what it takes to invert it (`payload`).

    `undone_at` is set while the action is undone (it is then on the user's redo stack); a new action of the
    same user in the same article deletes those rows. See services/undo.py.
    """

    __tablename__ = "annotation_actions"
    __table_args__ = (Index("ix_annotation_actions_stack", "user_id", "article_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    payload: Mapped[Any] = mapped_column(JSON)
    undone_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
