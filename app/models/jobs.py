"""Background jobs that people wait for: machine translation of an article."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")
ACTIVE_JOB_STATUSES = ("queued", "running")
# At most one active job per article and model: asking again returns it (services/mt.create_translation_job).
_ACTIVE = text("status IN ('queued', 'running')")


class TranslationJob(db.Model):
    """Progress of one article's machine translation, as shown to the admin and the API.

    The queue (Huey) only carries the job id; everything a person needs to
    see lives here, so it survives a restarted worker. A running job is leased
    to one worker (`worker`, until `lease_expires_at`, renewed while it works):
    a job whose lease ran out lost its worker and goes back to the queue
    (services/job_leases.py).
    """

    __tablename__ = "translation_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("uq_translation_jobs_active", "article_id", "model_id", unique=True,
              sqlite_where=_ACTIVE, postgresql_where=_ACTIVE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    model_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    error: Mapped[Optional[str]] = mapped_column(Text)
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    worker: Mapped[Optional[str]] = mapped_column(String(255))  # host:pid of the worker holding the lease
    lease_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(server_default="0", default=0)  # times a worker took it

    @property
    def worker_lost(self) -> bool:
        """Running, but its worker stopped renewing the lease: the next sweep puts it back in the queue."""
        return self.status == "running" and (self.lease_expires_at is None or self.lease_expires_at < utcnow())
