"""Leases on running translation jobs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 07:40:00

A worker killed while it ran jobs left them `running` for ever. A running job
now names the worker holding it and when its lease runs out; the worker
renews the lease while it works, and a job whose lease ran out goes back to
the queue (app/services/job_leases.py). Jobs running at the upgrade get a
lease that has already run out: the first sweep after the upgrade finds out
whether anything still works on them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("translation_jobs") as batch:
        batch.add_column(sa.Column("worker", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                                     server_default="0", nullable=False))
    op.execute(sa.text("UPDATE translation_jobs SET lease_expires_at = created_at, attempts = 1 "
                       "WHERE status = 'running'"))


def downgrade():
    with op.batch_alter_table("translation_jobs") as batch:
        batch.drop_column("attempts")
        batch.drop_column("lease_expires_at")
        batch.drop_column("worker")
