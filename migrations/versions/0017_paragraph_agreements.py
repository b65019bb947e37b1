"""Stored translation statistics of double-annotated paragraphs, for the agreement figures

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 22:20:00

`paragraph_agreements` (issue 18, item 2; docs/architecture.md, "Agreement served"): per paragraph, sacrebleu's
chrF and TER statistics of the two annotators' English, stored when both have submitted, with the SHA-256 of the
two texts they belong to (a stale row is never used). Nothing but a cache: the downgrade drops it, and the
figures are computed on demand without it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "paragraph_agreements",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("paragraph_id", BIGINT, nullable=False),
        sa.Column("texts_hash", sa.String(length=64), nullable=False),
        sa.Column("translation", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["paragraph_id"], ["paragraphs.id"],
                                name=op.f("fk_paragraph_agreements_paragraph_id_paragraphs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paragraph_agreements")),
        sa.UniqueConstraint("paragraph_id", name=op.f("uq_paragraph_agreements_paragraph_id")),
    )


def downgrade():
    op.drop_table("paragraph_agreements")
