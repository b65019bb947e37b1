"""People who use Mizan and their personal API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

# corpus: exports the approved corpus, with no review rights and no view of the workspace.
# curator: adjudicates double-annotated articles (services/adjudication.py), nothing else.
ROLES = ("admin", "reviewer", "corpus", "curator")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'reviewer', 'corpus', 'curator')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout, password change or reset and deactivation: every session and
    # remember cookie that carries the old value (get_id below) stops working at once.
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Where notifications are also e-mailed when MIZAN_SMTP_URL is set (services/notifications.py); optional.
    email: Mapped[Optional[str]] = mapped_column(String(254))

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def may_review(self) -> bool:
        """Admins and reviewers work on articles; corpus users only export."""
        return self.role in ("admin", "reviewer")

    @property
    def may_export(self) -> bool:
        """Admins and corpus users take the approved corpus out; reviewers see only their assignments."""
        return self.role in ("admin", "corpus")

    @property
    def may_curate(self) -> bool:
        """Admins and curators adjudicate double-annotated articles (services/adjudication.py)."""
        return self.role in ("admin", "curator")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


class ApiToken(db.Model):
    """A personal API token; only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginThrottle(db.Model):
    """Failed logins of one username (known or not, so that a lockout says nothing about who exists):
    after LOGIN_LOCKOUT_FAILURES in a row it is locked, for longer after each further failure
    (services/login_throttle.py). Kept in the database: every web process of both engines shares it."""

    __tablename__ = "login_throttles"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
