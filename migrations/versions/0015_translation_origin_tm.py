"""Revision origin `tm`: English inserted from the translation memory and saved unchanged

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 18:40:00

A saved revision whose text is the English of a translation-memory match,
inserted in the workspace and saved unchanged, has origin 'tm' (issue 17;
docs/architecture.md, Translation memory). The downgrade makes those
revisions 'human' (a person chose and saved them), which is what they were
called before this migration.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

MACHINE_DRAFT = "uq_translations_machine_draft"
MACHINE = sa.text("origin = 'machine'")


def _set_origins(origins: str) -> None:
    with op.batch_alter_table('translations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_translations_origin'), type_='check')
        batch_op.create_check_constraint('origin', f"origin IN ({origins})")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's copy of the table may take the partial unique index as a plain one: made again as it was.
        op.execute(f"DROP INDEX IF EXISTS {MACHINE_DRAFT}")
        op.create_index(MACHINE_DRAFT, "translations", ["paragraph_id", "model_id"], unique=True,
                        sqlite_where=MACHINE)


def upgrade():
    _set_origins("'machine', 'human', 'tm'")


def downgrade():
    op.execute("UPDATE translations SET origin = 'human' WHERE origin = 'tm'")
    _set_origins("'machine', 'human'")
