"""Notifications, and an optional e-mail address per user

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 15:20:00

One row per recipient of an event (assigned, submitted, changes requested,
approved, a mention in a comment): services/notifications.py. `users.email`
is where the worker also mails them when MIZAN_SMTP_URL is set. The
downgrade drops both: every notification is forgotten.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("user_id", BIGINT, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("article_id", BIGINT, nullable=False),
        sa.Column("actor_id", BIGINT, nullable=True),
        sa.Column("comment_id", BIGINT, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('assigned', 'submitted', 'changes_requested', 'approved', 'mention')",
                           name=op.f("ck_notifications_kind")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_notifications_article_id_articles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_notifications_actor_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_notifications_comment_id_comments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_id_id", ["user_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_comment_id"), ["comment_id"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")
    op.drop_table("notifications")
