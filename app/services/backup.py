"""A consistent copy of the live database: SQLite's online backup API, or pg_dump on PostgreSQL."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from . import ServiceError


def backup_database(database_url: str, target: Path, *, overwrite: bool = False) -> int:
    """Write a consistent copy of the live database to `target` while the app keeps running; its size in bytes.

    SQLite: a database file, copied page by page (SQLite's online backup API).
    PostgreSQL: a pg_dump archive (custom format) of one snapshot; `pg_restore` loads it (README).
    The copy is written beside the target and renamed into place, so a
    half-written backup never carries the target's name.
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ServiceError("An in-memory database cannot be backed up.")
        source = Path(url.database)
        if not source.exists():
            raise ServiceError(f"Database file {source} does not exist.")
        if target.resolve() == source.resolve():
            raise ServiceError("The backup must not overwrite the live database.")
    elif backend != "postgresql":
        raise ServiceError(f"Backups of {backend} databases are not supported; use the database's own tool.")
    target = target.resolve()
    if target.exists() and not overwrite:
        raise ServiceError(f"{target} exists already; choose another path or pass --force.")
    if not target.parent.is_dir():
        raise ServiceError(f"Folder {target.parent} does not exist.")

    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            _copy_sqlite(source, partial)
        else:
            _dump_postgresql(url, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return target.stat().st_size


def _copy_sqlite(source: Path, partial: Path) -> None:
    source_db = sqlite3.connect(source, timeout=30)
    try:
        target_db = sqlite3.connect(partial)
        try:
            source_db.backup(target_db)
            # A single self-contained file: no -wal beside it to forget.
            target_db.execute("PRAGMA journal_mode=DELETE")
            (result,) = target_db.execute("PRAGMA quick_check").fetchone()
            if result != "ok":
                raise ServiceError(f"The copy failed its integrity check: {result}")
        finally:
            target_db.close()
    finally:
        source_db.close()


def pg_dump_program() -> str | None:
    """pg_dump on PATH, else the newest of Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), key=lambda p: int(p.parts[-3]))
    return str(candidates[-1]) if candidates else None


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """The connection URI for libpq's tools (pg_dump, pg_restore, psql) and the environment carrying the
    password, which stays off the command line (other users can read it there)."""
    env = {"PGPASSWORD": url.password} if url.password else {}
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _dump_postgresql(url: URL, partial: Path) -> None:
    program = pg_dump_program()
    if program is None:
        raise ServiceError("pg_dump is missing: install PostgreSQL's client tools (Debian: apt-get install "
                           "postgresql-client), or back up with pg_dump on the database server.")
    uri, password = libpq_url(url)
    # pg_dump found by shutil.which, a list of arguments and no shell: nothing a user sends reaches a shell.
    done = subprocess.run([program, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={uri}"],  # noqa: S603  # nosec B603
                          env={**os.environ, **password}, capture_output=True, text=True)
    if done.returncode != 0:
        raise ServiceError(f"pg_dump failed: {done.stderr.strip() or done.returncode}")
