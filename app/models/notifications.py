"""What a user is told happened (docs/architecture.md, Notifications): one row per recipient and event."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .users import User

NOTIFICATION_KINDS = ("assigned", "submitted", "changes_requested", "approved", "mention")


class Notification(db.Model):
    """Told to `user`: `actor` did `kind` on `article` (a mention names its comment); unread until read_at."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind IN ('assigned', 'submitted', 'changes_requested', 'approved', 'mention')", name="kind"),
        # A user's list, newest first, and their unread count.
        Index("ix_notifications_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[Optional[User]] = relationship(foreign_keys=[actor_id])
