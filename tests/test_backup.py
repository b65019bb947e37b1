"""`flask backup` copies the live database consistently, even while someone writes to it."""
import sqlite3
import threading


def test_backup_while_the_app_is_writing_is_consistent_and_restorable(app, instance_path, tmp_path, seeded):
    stop, fifty_written = threading.Event(), threading.Event()
    written = []

    def keep_writing():
        # A second process-like writer on its own connection, as the web server would be.
        connection = sqlite3.connect(instance_path / "mizan.sqlite", timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        n = 0
        while not stop.is_set():
            with connection:
                connection.execute(
                    "INSERT INTO audit_events (action, object_type, object_id, created_at) "
                    "VALUES ('bench.write', 'test', ?, '2026-11-23 00:00:00')", (n,)
                )
            written.append(n)
            n += 1
            if n == 50:
                fifty_written.set()
        connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert fifty_written.wait(30), f"the writer wrote {len(written)} rows in 30 s, not 50"
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output

    copy = sqlite3.connect(tmp_path / "copy.sqlite")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert copy.execute("SELECT count(*) FROM articles").fetchone() == (5,)
    ids = [row[0] for row in copy.execute("SELECT object_id FROM audit_events WHERE action='bench.write' ORDER BY id")]
    assert ids == list(range(len(ids)))  # a prefix of the writes, with no gap: a consistent snapshot
    assert 50 <= len(ids) <= len(written)
    copy.close()
    assert not (tmp_path / "copy.sqlite.partial").exists()


def test_backup_never_overwrites_without_force(app, tmp_path):
    target = tmp_path / "copy.sqlite"
    target.write_bytes(b"precious")
    refused = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert refused.exit_code == 1 and "exists already" in refused.output
    assert target.read_bytes() == b"precious"
    forced = app.test_cli_runner().invoke(args=["backup", str(target), "--force"])
    assert forced.exit_code == 0
    assert sqlite3.connect(target).execute("SELECT count(*) FROM labels").fetchone() == (8,)


def test_backup_refuses_to_overwrite_the_live_database(app, instance_path):
    result = app.test_cli_runner().invoke(args=["backup", str(instance_path / "mizan.sqlite"), "--force"])
    assert result.exit_code == 1 and "live database" in result.output


def test_backup_into_a_missing_folder_is_refused(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "nope" / "copy.sqlite")])
    assert result.exit_code == 1 and "does not exist" in result.output
