"""Corpus users: a role that exports the approved corpus without review rights

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', "role IN ('admin', 'reviewer', 'corpus')")


def downgrade():
    # A bound False: PostgreSQL's boolean takes no 0, SQLite stores it as 0.
    op.execute(sa.text("UPDATE users SET active = :inactive, role = 'reviewer' WHERE role = 'corpus'")
               .bindparams(inactive=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', "role IN ('admin', 'reviewer')")
