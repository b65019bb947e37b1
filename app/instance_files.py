"""The instance folder is private to the account that runs Mizan (issue 14, item 5).

It holds the secret key, the SQLite database, the queue and the MT packages. `create_app` (and so
`make run`, the CLI and the worker) makes the folder 0700 and each file directly in it 0600, and creates
a SQLite database file that does not exist yet as an empty 0600 file before SQLite opens it: SQLite gives
its -wal and -shm files the mode of the database file. Whatever Mizan writes under the folder later is
out of other accounts' reach because the folder is.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def secure_instance_folder(instance_path: Path, database_uri: str | None = None) -> None:
    instance_path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    _restrict(instance_path, PRIVATE_FOLDER)
    database_file = sqlite_file_of(database_uri)
    if database_file is not None and not database_file.exists() and database_file.parent.is_dir():
        os.close(os.open(database_file, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    for entry in instance_path.iterdir():
        _restrict(entry, PRIVATE_FOLDER if entry.is_dir() else PRIVATE_FILE)
    if database_file is not None:
        for path in (database_file, Path(f"{database_file}-wal"), Path(f"{database_file}-shm")):
            _restrict(path, PRIVATE_FILE)


def sqlite_file_of(database_uri: str | None) -> Path | None:
    if not database_uri or not database_uri.startswith("sqlite"):
        return None
    database = make_url(database_uri).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _restrict(path: Path, mode: int) -> None:
    """Take group and other rights away from one of our own files or folders (never follow a link)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        return
    if stat.S_IMODE(info.st_mode) & ~mode:
        path.chmod(stat.S_IMODE(info.st_mode) & mode)
