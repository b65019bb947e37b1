"""Every integer column a BIGINT on PostgreSQL (ids above 2**31 were refused by int4 columns)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 05:10:00

SQLite's INTEGER is already 64-bit: nothing to do there. On PostgreSQL the
columns become int8, and so do the sequences behind the ids (a serial's
sequence is `AS integer` and would stop at 2**31 - 1 on its own). The
downgrade turns them back, which fails, naming the value, if one no longer fits.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _columns_of_type(wanted):
    """(table, column) of every column of exactly this integer type in Mizan's tables."""
    inspector = sa.inspect(op.get_bind())
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        for column in inspector.get_columns(table):
            if type(column["type"]) is wanted:
                yield table, column["name"]


def _retype(from_type, to_type, sql_name):
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table, column in list(_columns_of_type(from_type)):
        op.alter_column(table, column, type_=to_type(), existing_type=from_type())
        sequence = bind.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table, "c": column}).scalar()
        if sequence:
            op.execute(f"ALTER SEQUENCE {sequence} AS {sql_name}")


def upgrade():
    _retype(sa.INTEGER, sa.BigInteger, "bigint")


def downgrade():
    _retype(sa.BIGINT, sa.Integer, "integer")
