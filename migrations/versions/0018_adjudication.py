"""Adjudication of double-annotated articles: the curator role, paragraph_adjudications, articles.adjudicated_at

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-06 22:30:00

Issue 18, items 3 and 4 (docs/architecture.md, "Adjudication"; services/adjudication.py):
- `users.role` gains 'curator' (adjudicates double-annotated articles, nothing else);
- `paragraph_adjudications`: one row per adjudicated paragraph (curator, time, the gold's revision, which
  English it took, the two layers' entity F1 and chrF then);
- `articles.adjudicated_at`: set when the last paragraph of a double-annotated article is adjudicated; from
  then on everyone reads its gold (layers.line_of).
The downgrade keeps the gold (it is the ordinary line) and drops the record of who adjudicated it; curators
become inactive reviewers, as corpus users did in 0005's downgrade.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _roles(roles: str) -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', f"role IN ({roles})")


def upgrade():
    _roles("'admin', 'reviewer', 'corpus', 'curator'")
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adjudicated_at', sa.DateTime(), nullable=True))
    op.create_table(
        'paragraph_adjudications',
        sa.Column('paragraph_id', BIGINT, nullable=False),
        sa.Column('curator_id', BIGINT, nullable=True),
        sa.Column('adjudicated_at', sa.DateTime(), nullable=False),
        sa.Column('revision_id', BIGINT, nullable=True),
        sa.Column('english_from', sa.String(length=8), nullable=False),
        sa.Column('entities_f1', sa.Double(), nullable=True),
        sa.Column('translation_chrf', sa.Double(), nullable=True),
        sa.CheckConstraint("english_from IN ('a', 'b', 'text')",
                           name=op.f('ck_paragraph_adjudications_english_from')),
        sa.ForeignKeyConstraint(['paragraph_id'], ['paragraphs.id'],
                                name=op.f('fk_paragraph_adjudications_paragraph_id_paragraphs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['curator_id'], ['users.id'],
                                name=op.f('fk_paragraph_adjudications_curator_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['revision_id'], ['translations.id'],
                                name=op.f('fk_paragraph_adjudications_revision_id_translations'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('paragraph_id', name=op.f('pk_paragraph_adjudications')),
    )
    with op.batch_alter_table('paragraph_adjudications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paragraph_adjudications_curator_id'), ['curator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('paragraph_adjudications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paragraph_adjudications_curator_id'))
    op.drop_table('paragraph_adjudications')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('adjudicated_at')
    # A bound False: PostgreSQL's boolean takes no 0, SQLite stores it as 0.
    op.execute(sa.text("UPDATE users SET active = :inactive, role = 'reviewer' WHERE role = 'curator'")
               .bindparams(inactive=False))
    _roles("'admin', 'reviewer', 'corpus'")
