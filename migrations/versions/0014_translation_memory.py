"""Translation memory: memories imported from TMX files and their units

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 17:30:00

Approved paragraphs are units of the memory without a copy (read from
paragraphs and their approved revision, services/translation_memory.py);
only imported units are stored. The downgrade drops both tables: the
imported memories are gone, which is the state before this migration.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "translation_memories",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation_memories")),
        sa.UniqueConstraint("name", name=op.f("uq_translation_memories_name")),
    )
    op.create_table(
        "tm_units",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("memory_id", BIGINT, nullable=False),
        sa.Column("ar", sa.Text(), nullable=False),
        sa.Column("en", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["memory_id"], ["translation_memories.id"],
                                name=op.f("fk_tm_units_memory_id_translation_memories"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tm_units")),
        sa.UniqueConstraint("checksum", name=op.f("uq_tm_units_checksum")),
    )
    with op.batch_alter_table("tm_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tm_units_memory_id"), ["memory_id"], unique=False)


def downgrade():
    with op.batch_alter_table("tm_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tm_units_memory_id"))
    op.drop_table("tm_units")
    op.drop_table("translation_memories")
