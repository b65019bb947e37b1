"""What differs between the two engines Mizan runs on: SQLite, the embedded default, and PostgreSQL.

Services write portable SQL; the few settings that must differ live here, each
with a path per engine (see docs/architecture.md, "Both engines").
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any, Callable, Mapping, Sequence, cast

from sqlalchemy import BigInteger, Table, any_, bindparam, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Engine, Result, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import Text

POSTGRES_LOCK_TIMEOUT_MS = 10_000  # a row lock held longer is an error to report, not a wait for ever
POSTGRES_STATEMENT_TIMEOUT_MS = 120_000  # a statement that runs longer is cancelled


def is_postgres(uri: str) -> bool:
    return make_url(uri).get_backend_name() == "postgresql"


def engine_options(uri: str, options: Mapping[str, Any], config: Mapping[str, Any]) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for this database: on PostgreSQL, lock and statement timeouts on every
    connection (as startup options: a SET would be undone by the pool's first rollback) and a ping
    before a pooled connection is reused (a server restart must not cost a request a 500)."""
    options = dict(options)
    if is_postgres(uri):
        lock_ms = config.get("DATABASE_LOCK_TIMEOUT_MS", POSTGRES_LOCK_TIMEOUT_MS)
        statement_ms = config.get("DATABASE_STATEMENT_TIMEOUT_MS", POSTGRES_STATEMENT_TIMEOUT_MS)
        connect_args = dict(options.get("connect_args", {}))
        connect_args["options"] = " ".join(filter(None, [
            connect_args.get("options"), f"-c lock_timeout={int(lock_ms)}", f"-c statement_timeout={int(statement_ms)}",
        ]))
        options["connect_args"] = connect_args
        options["pool_pre_ping"] = True
    return options


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether a failed write broke a unique constraint (a rival wrote the same row first), as opposed to a
    foreign key or a check: SQLite says so in its message, PostgreSQL with SQLSTATE 23505."""
    original = error.orig
    if isinstance(original, sqlite3.IntegrityError):
        return str(original).startswith("UNIQUE constraint failed")
    return getattr(original, "sqlstate", None) == "23505"


def one_of_ids(column, dialect_name: str, name: str = "ids"):
    """The condition `column` is one of the ids bound as `name` (a list), for statements run many times with
    lists of a thousand ids. On PostgreSQL `column = ANY(:name)`: the list is one BIGINT[] parameter, so one
    statement (prepared once by the driver) whatever its length, and no placeholder to build and send per id.
    On SQLite, which has no arrays, `column IN (:name)` with the list expanded into one placeholder per id."""
    if dialect_name == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(BigInteger)))
    return column.in_(bindparam(name, expanding=True))


class utc_text(ColumnElement):
    """A stored UTC time (a naive DateTime column) read as text, `YYYY-MM-DD HH:MM:SS` and maybe a fraction: what
    SQLite stores, and on PostgreSQL `to_char` (whatever the server's DateStyle). For exports, which write times
    as text: a string costs the driver less than a datetime, and no datetime is made only to be formatted."""

    inherit_cache = True
    type = Text()

    def __init__(self, column):
        self.column = column


@compiles(utc_text)
def _utc_text_as_stored(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(utc_text, "postgresql")
def _utc_text_on_postgres(element, compiler, **kw):
    return f"to_char({compiler.process(element.column, **kw)}, 'YYYY-MM-DD HH24:MI:SS')"


_INSERT_FOR: dict[str, Callable[[Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert, "postgresql": postgresql.insert}


def dialect_insert(dialect_name: str, table):
    """The engine's own INSERT, which knows ON CONFLICT (both engines) and RETURNING."""
    return _INSERT_FOR[dialect_name](table)


def inserted_id(result: Result) -> Any:
    """The primary key of the one row a single-row INSERT inserted (an INSERT's result is a CursorResult,
    whose inserted_primary_key SQLAlchemy declares Optional: None only when no row was inserted)."""
    key = cast(CursorResult, result).inserted_primary_key
    if key is None:
        raise RuntimeError("the INSERT inserted no row")
    return key[0]


def insert_ignoring_duplicates(connection: Connection, table: Table, rows: list[dict],
                               returning: tuple[str, ...] = ("id",)) -> list:
    """Insert the rows that break no unique constraint and skip the others, atomically: the ids of the rows
    inserted (or, with several `returning` columns, those columns of each). Two writers inserting the same
    row at once both succeed; one of them inserts it (`INSERT … ON CONFLICT DO NOTHING … RETURNING`, in both
    engines' own syntax)."""
    if not rows:
        return []
    statement = _INSERT_FOR[connection.dialect.name](table).on_conflict_do_nothing().returning(
        *(table.c[name] for name in returning))
    result = connection.execute(statement, rows)
    return list(result.scalars()) if len(returning) == 1 else [tuple(row) for row in result]


def copy_rows(cursor, table: Table, columns: Sequence[str], rows: Sequence[Sequence], *,
              new_ids: bool = False) -> list[int]:
    """PostgreSQL's bulk load: `rows` (values of `columns`, as the driver takes them) into `table` with one
    `COPY ... FROM STDIN` on `cursor` (psycopg's), in the caller's transaction. A row that breaks a constraint
    fails the COPY, and the caller's transaction with it, as an INSERT would.

    With `new_ids`, each row gets a new id from the table's own sequence, returned in row order: reserved
    first with `nextval` (what an INSERT's default calls), so no other writer can be given them, committed or
    not, and the sequence is already past them; a rollback leaves a gap, as with INSERT. (SQLite has no COPY:
    its writers insert with executemany.)"""
    from psycopg import sql as psycopg_sql  # here: a SQLite installation never loads the driver

    if not rows:
        return []
    ids: list[int] = []
    if new_ids:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       (table.name, len(rows)))
        ids = sorted(row[0] for row in cursor.fetchall())  # nextval rises within a query: this is their order
        columns = ("id", *columns)
        rows = [(new_id, *row) for new_id, row in zip(ids, rows)]
    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        psycopg_sql.Identifier(table.name), psycopg_sql.SQL(", ").join(map(psycopg_sql.Identifier, columns)))
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    return ids


_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


def export_snapshot(connection: Connection) -> str:
    """PostgreSQL: the id of the snapshot of this REPEATABLE READ transaction (begun: it has read), for another
    session to read the very same state with `adopt_snapshot`, as long as this transaction stays open.
    (Two SQLite readers share a state by beginning while a writer lock holds every commit off.)"""
    return connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()


def adopt_snapshot(connection: Connection, snapshot_id: str) -> None:
    """PostgreSQL: make this new REPEATABLE READ transaction read the snapshot `export_snapshot` gave;
    before it reads anything else."""
    if not _SNAPSHOT_ID.fullmatch(snapshot_id):  # a literal in the statement: no parameter is allowed there
        raise ValueError(f"not a snapshot id: {snapshot_id!r}")
    connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """WAL for readers beside a writer, enforced foreign keys, and waiting instead of 'database is locked'."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Safe with WAL: a crash of the app loses nothing; only an OS crash or
    # power cut may lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
