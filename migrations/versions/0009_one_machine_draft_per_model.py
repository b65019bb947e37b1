"""At most one machine draft per paragraph and model

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 07:50:00

Two jobs for one article (or the CLI beside a worker) drafted paragraphs
twice with the same model. Revisions are history, so the duplicates left by
that are settled without losing any text a person could have seen:

1. A duplicate whose English differs from the paragraph's first draft of that
   model (another engine version, say) keeps its row and everything pointing
   at it; its model id gets a ``#duplicate-<id>`` suffix, so it no longer
   counts as that model's draft.
2. A duplicate with the same English as the first draft is the same draft
   twice: everything pointing at it (the paragraph's current and approved
   revision, English entities, approvals, later revisions' parent) is moved
   to the first draft, then the duplicate row is deleted. Entities that move
   onto a twin already on the first draft are deleted, unless linked.

Then a partial unique index keeps it so. The downgrade drops the index; the
merged duplicates are not brought back.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

MACHINE = "origin = 'machine'"
# The paragraph's first draft of the same model, for a row of `translations`.
FIRST_DRAFT = ("(SELECT min(first.id) FROM translations AS first WHERE first.origin = 'machine' "
               "AND first.paragraph_id = translations.paragraph_id AND first.model_id = translations.model_id)")


def _first_draft_of(column: str) -> str:
    """For a column holding a translation id: the first draft of the same paragraph and model, when
    that translation is a same-text duplicate (marked in the scratch table), else the column itself."""
    return (f"COALESCE((SELECT duplicate.first_id FROM machine_duplicates AS duplicate "
            f"WHERE duplicate.id = {column}), {column})")


def upgrade():
    op.execute(sa.text(
        "UPDATE translations SET model_id = substr(model_id, 1, 200) || '#duplicate-' || id "
        f"WHERE {MACHINE} AND id <> {FIRST_DRAFT} "
        f"AND text <> (SELECT first_draft.text FROM translations AS first_draft WHERE first_draft.id = {FIRST_DRAFT})"
    ))
    op.create_table("machine_duplicates", sa.Column("id", sa.BigInteger, primary_key=True),
                    sa.Column("first_id", sa.BigInteger, nullable=False))
    op.execute(sa.text(f"INSERT INTO machine_duplicates (id, first_id) SELECT id, {FIRST_DRAFT} FROM translations "
                       f"WHERE {MACHINE} AND id <> {FIRST_DRAFT}"))
    for table, column in (("paragraphs", "current_revision_id"), ("paragraphs", "approved_revision_id"),
                          ("entities", "translation_id"), ("paragraph_approvals", "revision_id"),
                          ("paragraph_approvals", "machine_revision_id"), ("translations", "parent_id")):
        op.execute(sa.text(f"UPDATE {table} SET {column} = {_first_draft_of(column)} "
                           f"WHERE {column} IN (SELECT id FROM machine_duplicates)"))
    op.execute(sa.text(
        "DELETE FROM entities WHERE translation_id IN (SELECT first_id FROM machine_duplicates) AND EXISTS ("
        "SELECT 1 FROM entities AS twin WHERE twin.translation_id = entities.translation_id "
        "AND twin.lang = entities.lang AND twin.start = entities.start AND twin.\"end\" = entities.\"end\" "
        "AND twin.label_id = entities.label_id AND twin.id < entities.id) AND NOT EXISTS ("
        "SELECT 1 FROM entity_links AS link WHERE entities.id IN (link.ar_entity_id, link.en_entity_id))"
    ))
    op.execute(sa.text("DELETE FROM translations WHERE id IN (SELECT id FROM machine_duplicates)"))
    op.drop_table("machine_duplicates")
    op.create_index("uq_translations_machine_draft", "translations", ["paragraph_id", "model_id"], unique=True,
                    sqlite_where=sa.text(MACHINE), postgresql_where=sa.text(MACHINE))


def downgrade():
    op.drop_index("uq_translations_machine_draft", table_name="translations")
