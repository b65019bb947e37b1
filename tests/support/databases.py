"""The engine the suite runs on, and a database of its own for every test.

`make test` runs on SQLite: each test copies a migrated template file into its
instance folder. `make test-postgres` (scripts/with-test-services) starts a
throwaway PostgreSQL and Redis and sets MIZAN_TEST_DATABASE_URL and
MIZAN_TEST_QUEUE_URL: each test then gets a database created from a migrated
template database (`CREATE DATABASE … TEMPLATE`, about 50 ms) and dropped after
it, and the task queue is Redis, emptied before each test.

Servers and workers that tests start as subprocesses get their settings the way
production does, from the environment (`server_env`).
"""
from __future__ import annotations

import itertools
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import make_url

SERVER_URL = os.environ.get("MIZAN_TEST_DATABASE_URL") or None
QUEUE_URL = os.environ.get("MIZAN_TEST_QUEUE_URL") or None
ENGINE = "postgresql" if SERVER_URL else "sqlite"
ON_POSTGRES = ENGINE == "postgresql"

TEMPLATE = f"mizan_template_{os.getpid()}"  # one per test run: runs may share a server
_urls: dict[Path, str] = {}
_numbers = itertools.count(1)


def database_url(instance: Path) -> str:
    """The database of the test whose instance folder this is (SQLite: the file in it)."""
    return _urls.get(Path(instance).resolve()) or f"sqlite:///{Path(instance) / 'mizan.sqlite'}"


def server_env(instance: Path, **extra: str) -> dict[str, str]:
    """The environment of a server or worker subprocess: no MIZAN_* setting of the test run's own,
    the instance folder, and on PostgreSQL the test's database and the Redis queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIZAN_")}
    env["MIZAN_INSTANCE_PATH"] = str(instance)
    if ON_POSTGRES:
        env["MIZAN_DATABASE_URL"] = database_url(instance)
        env["MIZAN_QUEUE_URL"] = QUEUE_URL or ""
    env.update(extra)
    return env


class PostgresServer:
    """CREATE and DROP DATABASE on the test server (autocommit: neither runs in a transaction)."""

    def __init__(self, url: str):
        self.url = make_url(url)
        self.engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        self.drop(name)
        with self.engine.connect() as connection:
            if template:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
            else:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return self.url_of(name)

    def drop(self, name: str) -> None:
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_server: PostgresServer | None = None


def postgres_server() -> PostgresServer:
    global _server
    if _server is None:
        _server = PostgresServer(SERVER_URL)
    return _server


def new_database(instance: Path, *, migrated: bool = True) -> str:
    """A database for this instance folder: a copy of the migrated template, or an empty one.

    On SQLite the caller copies or creates the file; this only names it."""
    if not ON_POSTGRES:
        return database_url(instance)
    name = f"mizan_test_{os.getpid()}_{next(_numbers)}"
    url = postgres_server().create(name, TEMPLATE if migrated else None)
    _urls[Path(instance).resolve()] = url
    return url


def drop_database(instance: Path) -> None:
    url = _urls.pop(Path(instance).resolve(), None)
    if url is not None:
        postgres_server().drop(make_url(url).database)


@contextmanager
def inserts_refused(instance: Path, table: str, condition: str, message: str) -> Iterator[None]:
    """A trigger that makes the database refuse inserts into `table` of rows meeting `condition`
    (SQL over NEW.<column>), as a database fault in the middle of a write would; removed on exit."""
    engine = sa.create_engine(database_url(instance), poolclass=sa.pool.NullPool)
    if ON_POSTGRES:
        create = [
            f"CREATE FUNCTION mizan_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {condition} THEN RAISE EXCEPTION '{message}'; END IF; RETURN NEW; END $$",
            f"CREATE TRIGGER mizan_test_fault BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION mizan_test_fault()",
        ]
        drop = [f"DROP TRIGGER mizan_test_fault ON {table}", "DROP FUNCTION mizan_test_fault()"]
    else:
        create = [f"CREATE TRIGGER mizan_test_fault BEFORE INSERT ON {table} WHEN {condition} "
                  f"BEGIN SELECT RAISE(ABORT, '{message}'); END"]
        drop = ["DROP TRIGGER mizan_test_fault"]
    with engine.begin() as connection:
        for statement in create:
            connection.exec_driver_sql(statement)
    try:
        yield
    finally:
        _end_the_tests_transaction()  # on PostgreSQL, DROP TRIGGER waits for every reader of the table
        with engine.begin() as connection:
            for statement in drop:
                connection.exec_driver_sql(statement)
        engine.dispose()


def _end_the_tests_transaction() -> None:
    from flask import has_app_context

    if has_app_context():
        from app.extensions import db

        db.session.rollback()
