"""How far each user has read each paragraph's comments

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 16:00:00

One row per user and paragraph: the newest comment id the user was shown
(a watermark that never moves back). A comment by someone else above it is
unread for that user (services/comment_reads.py; the article page's "next
unread comment"). The downgrade drops the table: every comment reads as
unread again for everyone, which is the state before this migration.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "comment_reads",
        sa.Column("user_id", BIGINT, nullable=False),
        sa.Column("paragraph_id", BIGINT, nullable=False),
        sa.Column("last_read_comment_id", BIGINT, nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["paragraph_id"], ["paragraphs.id"],
                                name=op.f("fk_comment_reads_paragraph_id_paragraphs"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_comment_reads_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "paragraph_id", name=op.f("pk_comment_reads")),
    )
    with op.batch_alter_table("comment_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_reads_paragraph_id"), ["paragraph_id"], unique=False)


def downgrade():
    with op.batch_alter_table("comment_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_reads_paragraph_id"))
    op.drop_table("comment_reads")
