"""The instance folder is private (issue 14, item 5): the folder 0700, the secret key, the SQLite
database with its -wal and -shm, and the queue 0600, on a first start and on an older, open installation."""
from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.conftest import make_config


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)  # the usual umask: new files 0644, folders 0755
    yield
    os.umask(previous)


def test_a_first_start_makes_a_private_instance_folder_and_database(tmp_path, monkeypatch, open_umask):
    instance = tmp_path / "instance"
    monkeypatch.setenv("MIZAN_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("MIZAN_DATABASE_URL", raising=False)

    app = create_app()
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x)"))  # SQLite writes the file, its -wal and -shm
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        database = instance / "mizan.sqlite"
        written = {path.name: mode(path) for path in (database, instance / "mizan.sqlite-wal",
                                                          instance / "mizan.sqlite-shm") if path.exists()}
        db.session.remove()
        db.engine.dispose()

    assert mode(instance) == 0o700
    assert mode(instance / "config.py") == 0o600
    assert written.keys() >= {"mizan.sqlite", "mizan.sqlite-wal"}
    assert set(written.values()) == {0o600}, written


def test_an_installation_with_open_files_is_closed_on_start(tmp_path, open_umask, instance_path):
    os.chmod(instance_path, 0o755)
    readable = instance_path / "notes.txt"
    readable.write_text("private")
    os.chmod(readable, 0o644)
    packages = instance_path / "argos-packages"
    packages.mkdir(mode=0o755, exist_ok=True)
    os.chmod(packages, 0o755)
    database_files = [p for p in instance_path.glob("*.sqlite*")]
    for path in database_files:
        os.chmod(path, 0o644)

    app = create_app(make_config(instance_path))
    with app.app_context():
        db.engine.dispose()

    assert mode(instance_path) == 0o700
    assert mode(readable) == 0o600
    assert mode(packages) == 0o700
    assert {path.name: mode(path) for path in database_files} == {path.name: 0o600 for path in database_files}


def test_the_private_folder_is_kept_by_make_run_s_setup(tmp_path, monkeypatch, open_umask):
    """`make run` runs `flask --app wsgi setup`, then serves `wsgi:app`: both go through create_app."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("MIZAN_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("MIZAN_DATABASE_URL", raising=False)
    app = create_app()
    try:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
    finally:
        with app.app_context():
            db.engine.dispose()

    assert mode(instance) == 0o700
    assert {p.name: mode(p) for p in instance.iterdir() if p.is_file()} == {
        p.name: 0o600 for p in instance.iterdir() if p.is_file()}
