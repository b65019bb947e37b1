"""At most one queued or running translation job per article and model

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:00:00

Asking twice for a translation queued two jobs that drafted every paragraph
twice. Active duplicates left by that are ended first (the oldest job of each
article and model stays; the others are marked failed, saying so), then a
partial unique index keeps it so.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('queued', 'running')"


def upgrade():
    op.execute(sa.text(
        "UPDATE translation_jobs SET status = 'failed', "
        "error = 'a duplicate of an older job for the same article and model' "
        f"WHERE {ACTIVE} AND id <> (SELECT min(other.id) FROM translation_jobs AS other "
        f"WHERE other.article_id = translation_jobs.article_id AND other.model_id = translation_jobs.model_id "
        "AND other.status IN ('queued', 'running'))"
    ))
    op.create_index("uq_translation_jobs_active", "translation_jobs", ["article_id", "model_id"], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    op.drop_index("uq_translation_jobs_active", table_name="translation_jobs")
