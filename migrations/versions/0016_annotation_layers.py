"""Independent (double) annotation: the `independent` assignment role and per-annotator layers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 21:00:00

An article with an `independent` assignment is double-annotated (issue 18; docs/architecture.md,
"Double annotation: layers"): its reviewer and its independent annotator each work in their own layer.
- `paragraph_layers`: one annotator's copy of a paragraph's editable state (status, version, current and
  approved revision, QA findings, pending seconds), unique per paragraph and user;
- `translations.layer_user_id`, `entities.layer_user_id`: the layer a revision or an entity belongs to
  (NULL: the ordinary line, which becomes the gold on adjudication);
- `assignments.submitted_at`: when that annotator submitted their layer; `assignments.role` gains
  'independent';
- `suggestion_rejections.layer_user_id`: a rejection hides a suggestion in the line it was made in; the
  unique (paragraph, side, span, label) becomes one partial unique index per kind of line.
The downgrade refuses nothing but drops the layers: run it only on a database without double-annotated
articles (their layer work, revisions and entities, is deleted with the columns' rows; the ordinary line
stays as it is).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MACHINE_DRAFT = "uq_translations_machine_draft"
MACHINE = sa.text("origin = 'machine'")


def _machine_draft_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's copy of the table may take the partial unique index as a plain one: made again as it was.
        op.execute(f"DROP INDEX IF EXISTS {MACHINE_DRAFT}")
        op.create_index(MACHINE_DRAFT, "translations", ["paragraph_id", "model_id"], unique=True,
                        sqlite_where=MACHINE)


def _roles(roles: str) -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_assignments_role'), type_='check')
        batch_op.create_check_constraint('role', f"role IN ({roles})")


REJECTION_SPAN = ["paragraph_id", "lang", "start", "end", "label_id"]
OLD_UNIQUE = "uq_suggestion_rejections_paragraph_id_lang_start_end_label_id"
ORDINARY, LAYERED = sa.text("layer_user_id IS NULL"), sa.text("layer_user_id IS NOT NULL")


def _rejections_up() -> None:
    with op.batch_alter_table("suggestion_rejections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("layer_user_id", BIGINT, nullable=True))
        batch_op.drop_constraint(OLD_UNIQUE, type_="unique")
        batch_op.create_foreign_key(batch_op.f("fk_suggestion_rejections_layer_user_id_users"), "users",
                                    ["layer_user_id"], ["id"], ondelete="CASCADE")
    op.create_index("uq_suggestion_rejections_ordinary", "suggestion_rejections", REJECTION_SPAN, unique=True,
                    sqlite_where=ORDINARY, postgresql_where=ORDINARY)
    op.create_index("uq_suggestion_rejections_layer", "suggestion_rejections", [*REJECTION_SPAN, "layer_user_id"],
                    unique=True, sqlite_where=LAYERED, postgresql_where=LAYERED)


def _rejections_down() -> None:
    op.execute("DELETE FROM suggestion_rejections WHERE layer_user_id IS NOT NULL")
    op.drop_index("uq_suggestion_rejections_layer", table_name="suggestion_rejections")
    op.drop_index("uq_suggestion_rejections_ordinary", table_name="suggestion_rejections")
    with op.batch_alter_table("suggestion_rejections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_suggestion_rejections_layer_user_id_users"), type_="foreignkey")
        batch_op.drop_column("layer_user_id")
        batch_op.create_unique_constraint(OLD_UNIQUE, REJECTION_SPAN)


def upgrade():
    op.create_table(
        "paragraph_layers",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("paragraph_id", BIGINT, nullable=False),
        sa.Column("user_id", BIGINT, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", BIGINT, nullable=False),
        sa.Column("current_revision_id", BIGINT, nullable=True),
        sa.Column("approved_revision_id", BIGINT, nullable=True),
        sa.Column("qa_findings", sa.JSON(), nullable=True),
        sa.Column("pending_seconds", BIGINT, server_default="0", nullable=False),
        sa.CheckConstraint("status IN ('draft', 'edited', 'approved')", name=op.f("ck_paragraph_layers_status")),
        sa.ForeignKeyConstraint(["paragraph_id"], ["paragraphs.id"],
                                name=op.f("fk_paragraph_layers_paragraph_id_paragraphs"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_paragraph_layers_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["current_revision_id"], ["translations.id"],
                                name=op.f("fk_paragraph_layers_current_revision_id_translations"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["approved_revision_id"], ["translations.id"],
                                name=op.f("fk_paragraph_layers_approved_revision_id_translations"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paragraph_layers")),
        sa.UniqueConstraint("paragraph_id", "user_id", name=op.f("uq_paragraph_layers_paragraph_id_user_id")),
    )
    with op.batch_alter_table("paragraph_layers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paragraph_layers_user_id"), ["user_id"], unique=False)
    for table in ("translations", "entities"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("layer_user_id", BIGINT, nullable=True))
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_layer_user_id_users"), "users", ["layer_user_id"],
                                        ["id"], ondelete="CASCADE")
        # Partial: only layer rows are indexed. A plain index would hold every ordinary row under NULL, and
        # SQLite's planner (no statistics) takes it for `paragraph_id IN (…) AND layer_user_id IS NULL`,
        # reading every entity of the corpus for each chunk of an export; this one it cannot use for IS NULL.
        op.create_index(op.f(f"ix_{table}_layer_user_id"), table, ["layer_user_id"], unique=False,
                        sqlite_where=LAYERED, postgresql_where=LAYERED)
    _machine_draft_index()
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(), nullable=True))
    _roles("'reviewer', 'second_reviewer', 'independent'")
    _rejections_up()


def downgrade():
    _rejections_down()
    op.execute("DELETE FROM assignments WHERE role = 'independent'")
    _roles("'reviewer', 'second_reviewer'")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("submitted_at")
    # Layer work goes with the layers: the ordinary line never points at it.
    op.execute("DELETE FROM entities WHERE layer_user_id IS NOT NULL")
    op.execute("DELETE FROM translations WHERE layer_user_id IS NOT NULL")
    for table in ("entities", "translations"):
        op.drop_index(op.f(f"ix_{table}_layer_user_id"), table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_layer_user_id_users"), type_="foreignkey")
            batch_op.drop_column("layer_user_id")
    _machine_draft_index()
    with op.batch_alter_table("paragraph_layers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paragraph_layers_user_id"))
    op.drop_table("paragraph_layers")
