"""A consistent copy of the live SQLite database (SQLite's online backup API)."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from . import ServiceError


def backup_database(database_url: str, target: Path, *, overwrite: bool = False) -> int:
    """Copy the database page by page while the app keeps running; returns the size in bytes.

    The copy is written beside the target and renamed into place, so a
    half-written backup never carries the target's name.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ServiceError("Online backup works for SQLite files only; use your database's own tool (e.g. pg_dump).")
    source = Path(url.database)
    if not source.exists():
        raise ServiceError(f"Database file {source} does not exist.")
    target = target.resolve()
    if target == source.resolve():
        raise ServiceError("The backup must not overwrite the live database.")
    if target.exists() and not overwrite:
        raise ServiceError(f"{target} exists already; choose another path or pass --force.")
    if not target.parent.is_dir():
        raise ServiceError(f"Folder {target.parent} does not exist.")

    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
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
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source_db.close()
    os.replace(partial, target)
    return target.stat().st_size
