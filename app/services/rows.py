"""Rows as plain tuples, on SQLite straight from the driver.

For reads of thousands of rows (an article's entities, a corpus export) SQLAlchemy's
row objects and per-row type processing cost as much as the reading itself. The
statements stay SQLAlchemy Core (compiled once per statement and database), their
parameters go through each column type's bind processor as SQLAlchemy would send
them, and on other databases the same statements run through SQLAlchemy.
Values come back as the driver gives them: on SQLite, times as text.
"""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy.engine import Connection


@functools.lru_cache(maxsize=64)
def _compiled(statement, dialect) -> tuple:
    compiled = statement.compile(dialect=dialect)
    processors = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    return compiled, processors


def driver_sql(connection: Connection, statement, parameters: dict | None = None) -> tuple[str, list | dict]:
    """The SQL of `statement` for this connection's driver, and its parameter values: a list for a positional
    driver (sqlite3), a dict for a named one (psycopg)."""
    compiled, processors = _compiled(statement, connection.dialect)
    state = compiled.construct_expanded_state(parameters)  # expanding IN lists become one placeholder each

    def value(name):
        process = processors.get(name)
        return process(state.parameters[name]) if process is not None else state.parameters[name]

    if compiled.positional:  # a name bound twice is in positiontup twice
        return state.statement, [value(name) for name in state.positiontup or ()]
    return state.statement, {name: value(name) for name in state.parameters}


def is_sqlite(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def driver_connection(connection: Connection) -> Any:
    """The driver's own connection under `connection`: sqlite3's, or psycopg's."""
    driver = connection.connection.driver_connection
    if driver is None:  # only a closed or invalidated connection has none
        raise RuntimeError("the database connection is closed")
    return driver


def plain_rows(connection: Connection, statement, parameters: dict | None = None) -> list[tuple]:
    """All rows of `statement` as tuples."""
    if not is_sqlite(connection):
        return [tuple(row) for row in connection.execute(statement, parameters or {})]
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None:  # only a closed or invalidated connection has none
        raise RuntimeError("the database connection is closed")
    return dbapi_connection.execute(*driver_sql(connection, statement, parameters)).fetchall()
