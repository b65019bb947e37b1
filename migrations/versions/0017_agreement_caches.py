"""Stored translation statistics and agreement counts of double-annotated articles, for the agreement figures

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 22:20:00

`paragraph_agreements` (issue 18, item 2; docs/architecture.md, "Agreement served"): per paragraph, sacrebleu's
chrF and TER statistics of the two annotators' English, stored when both have submitted, with the SHA-256 of the
two texts they belong to (a stale row is never used); `article_agreements`: per article, the agreement counts
at the second submission, keyed by the two submissions, which the project's figures add up. Nothing but
caches: the downgrade drops them, and the figures are computed on demand without them.
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

    op.create_table(
        "article_agreements",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("article_id", BIGINT, nullable=False),
        sa.Column("submitted_key", sa.String(length=200), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_agreements_article_id_articles"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_agreements")),
        sa.UniqueConstraint("article_id", name=op.f("uq_article_agreements_article_id")),
    )


def downgrade():
    op.drop_table("article_agreements")
    op.drop_table("paragraph_agreements")
