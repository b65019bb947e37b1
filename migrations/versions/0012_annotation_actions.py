"""The undo stack of annotation work

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 15:20:00

One row per entity or link change a user makes in an article, with what it
takes to invert it (services/undo.py). The downgrade drops the table: every
user's undo and redo history is forgotten, nothing else changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "annotation_actions",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("user_id", BIGINT, nullable=False),
        sa.Column("article_id", BIGINT, nullable=False),
        sa.Column("paragraph_id", BIGINT, nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_annotation_actions_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_annotation_actions_article_id_articles"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["paragraph_id"], ["paragraphs.id"],
                                name=op.f("fk_annotation_actions_paragraph_id_paragraphs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_actions")),
    )
    with op.batch_alter_table("annotation_actions", schema=None) as batch_op:
        batch_op.create_index("ix_annotation_actions_stack", ["user_id", "article_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_annotation_actions_paragraph_id"), ["paragraph_id"], unique=False)


def downgrade():
    with op.batch_alter_table("annotation_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotation_actions_paragraph_id"))
        batch_op.drop_index("ix_annotation_actions_stack")
    op.drop_table("annotation_actions")
