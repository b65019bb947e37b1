"""`flask backup` copies the live database consistently, even while someone writes to it.

SQLite: a database file (SQLite's online backup API). PostgreSQL: a pg_dump archive, which the
test loads with pg_restore into a database of its own, as the README's restore does.
"""
import subprocess
import sqlite3
import threading

import pytest
import sqlalchemy as sa

from app.services.backup import libpq_url, pg_dump_program
from tests.support import databases


def restored(backup, tmp_path) -> sa.Engine:
    """The backup as a database to query: the SQLite file itself, or the archive restored on the server."""
    if not databases.ON_POSTGRES:
        return sa.create_engine(f"sqlite:///{backup}")
    url = databases.new_database(tmp_path / "restored", migrated=False)
    uri, env = libpq_url(sa.engine.make_url(url))
    pg_restore = pg_dump_program().replace("pg_dump", "pg_restore")
    done = subprocess.run([pg_restore, "--no-owner", f"--dbname={uri}", str(backup)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def test_backup_while_the_app_is_writing_is_consistent_and_restorable(app, instance_path, tmp_path, seeded):
    stop, fifty_written = threading.Event(), threading.Event()
    written = []
    writer_engine = sa.create_engine(databases.database_url(instance_path), poolclass=sa.pool.NullPool)

    def keep_writing():
        # A second writer on its own connection, as the web server would be.
        n = 0
        with writer_engine.connect() as connection:
            while not stop.is_set():
                connection.execute(sa.text(
                    "INSERT INTO audit_events (action, object_type, object_id, created_at) "
                    "VALUES ('bench.write', 'test', :n, '2026-11-23 00:00:00')"), {"n": n})
                connection.commit()
                written.append(n)
                n += 1
                if n == 50:
                    fifty_written.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert fifty_written.wait(30), f"the writer wrote {len(written)} rows in 30 s, not 50"
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.backup")])
    finally:
        stop.set()
        writer.join()
    writer_engine.dispose()
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output
    assert not (tmp_path / "copy.backup.partial").exists()

    if not databases.ON_POSTGRES:  # before any connection of the app's, which would turn WAL on
        file = sqlite3.connect(tmp_path / "copy.backup")
        assert file.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert file.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        file.close()
    copy = restored(tmp_path / "copy.backup", tmp_path)
    with copy.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM articles")).scalar() == 5
        ids = connection.execute(sa.text(
            "SELECT object_id FROM audit_events WHERE action = 'bench.write' ORDER BY id")).scalars().all()
    copy.dispose()
    databases.drop_database(tmp_path / "restored")
    assert ids == list(range(len(ids)))  # a prefix of the writes, with no gap: a consistent snapshot
    assert 50 <= len(ids) <= len(written)


def test_backup_never_overwrites_without_force(app, tmp_path):
    target = tmp_path / "copy.backup"
    target.write_bytes(b"precious")
    refused = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert refused.exit_code == 1 and "exists already" in refused.output
    assert target.read_bytes() == b"precious"
    forced = app.test_cli_runner().invoke(args=["backup", str(target), "--force"])
    assert forced.exit_code == 0
    copy = restored(target, tmp_path)
    with copy.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM labels")).scalar() == 8
    copy.dispose()
    databases.drop_database(tmp_path / "restored")


@pytest.mark.only_on("sqlite", why="only a SQLite database is a file a backup could overwrite")
def test_backup_refuses_to_overwrite_the_live_database(app, instance_path):
    result = app.test_cli_runner().invoke(args=["backup", str(instance_path / "mizan.sqlite"), "--force"])
    assert result.exit_code == 1 and "live database" in result.output


def test_backup_into_a_missing_folder_is_refused(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "nope" / "copy.backup")])
    assert result.exit_code == 1 and "does not exist" in result.output
