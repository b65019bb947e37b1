"""Corpus users: a role that exports the approved corpus without review rights

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 03:20:00

"""
from alembic import op


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
    op.execute("UPDATE users SET active = 0, role = 'reviewer' WHERE role = 'corpus'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', "role IN ('admin', 'reviewer')")
