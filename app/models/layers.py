"""Independent annotation layers (docs/architecture.md, "Double annotation: layers"; services/layers.py)."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ParagraphLayer(db.Model):
    """One annotator's own copy of a paragraph's editable state on a double-annotated article.

    The same columns as the paragraph's (status, version, current and approved revision, QA findings, pending
    seconds), kept apart until adjudication writes the gold into the paragraph itself (the ordinary line). A
    row is made by the annotator's first change; until then the layer reads as the paragraph's machine draft
    at version 1, status draft (services/layers.py).
    """

    __tablename__ = "paragraph_layers"
    __table_args__ = (
        UniqueConstraint("paragraph_id", "user_id"),
        CheckConstraint("status IN ('draft', 'edited', 'approved')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    current_revision_id: Mapped[Optional[int]] = mapped_column(ForeignKey("translations.id", ondelete="SET NULL"))
    approved_revision_id: Mapped[Optional[int]] = mapped_column(ForeignKey("translations.id", ondelete="SET NULL"))
    qa_findings: Mapped[Optional[list]] = mapped_column(JSON)
    pending_seconds: Mapped[int] = mapped_column(server_default="0", default=0)


class ParagraphAgreement(db.Model):
    """The translation statistics of one paragraph of a double-annotated article (services/article_agreement.py):
    sacrebleu's chrF and TER statistics of the independent annotator's English against the reviewer's, computed
    once when both have submitted, so that the agreement figures are served in milliseconds.

    `texts_hash` is the SHA-256 of the two English texts they were computed from: a row whose hash is not that
    of the texts now is stale, never used, and replaced when the statistics are stored again.
    """

    __tablename__ = "paragraph_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"), unique=True)
    texts_hash: Mapped[str] = mapped_column(String(64))
    translation: Mapped[list] = mapped_column(JSON)  # [[chrF statistics…], [TER edits, reference words]]


class ArticleAgreement(db.Model):
    """The agreement counts of a double-annotated article both of whose annotators have submitted
    (`agreement.AgreementCounts` as JSON), stored at the second submission so that the project's figures
    (dashboard, `flask agreement`) add stored counts instead of reading every article's layers.

    `submitted_key` names the two submissions they were computed at (each annotator's id and `submitted_at`):
    a layer is locked from its submission until a send-back clears it, so counts with the key of the
    submissions now are those of the layers now; any other key is stale, never used.
    """

    __tablename__ = "article_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    submitted_key: Mapped[str] = mapped_column(String(200))
    counts: Mapped[dict] = mapped_column(JSON)
