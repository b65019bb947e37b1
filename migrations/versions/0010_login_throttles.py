"""Failed logins per username, for the account lockout

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:45:00

One row per username that failed to log in (known or not): how many
failures in a row, when the last one was, and until when the account is
locked (services/login_throttle.py). The downgrade drops the table: every
lockout ends.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttles",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_throttles")),
    )


def downgrade():
    op.drop_table("login_throttles")
