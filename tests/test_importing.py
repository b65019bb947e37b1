"""An admin imports messy Arabic news files: from the CLI, from the web, never half an article."""
import hashlib
import io
import unicodedata

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Article, AuditEvent, Paragraph
from app.services import importing, news_text
from tests.conftest import SEEDS_DIR, csrf_token_from
from tests.support import databases

SEED_FILES = sorted(SEEDS_DIR.glob("*.txt"))


def row_counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) for model in (Article, Paragraph, AuditEvent)
    )


def import_bytes(app, name: str, raw: bytes):
    return importing.import_news_file(name, raw, max_bytes=app.config["IMPORT_MAX_BYTES"])


def test_each_seed_becomes_one_article_with_its_raw_file_kept(app):
    for path in SEED_FILES:
        raw = path.read_bytes()
        outcome = import_bytes(app, path.name, raw)
        assert outcome.status == importing.IMPORTED, outcome.message
        article = db.session.get(Article, outcome.article_id)
        assert article.raw_bytes == raw
        assert article.checksum == hashlib.sha256(raw).hexdigest()
        assert article.original_filename == path.name
        assert article.status == "new"
        assert article.created_at.tzinfo is not None and article.updated_at == article.created_at
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == article.id))
        assert (event.action, event.after["checksum"], event.after["paragraphs"]) == (
            "article.import", article.checksum, outcome.paragraph_count)
        assert [p.position for p in article.paragraphs] == list(range(outcome.paragraph_count))
        assert article.paragraphs[0].kind == "title" and article.paragraphs[0].ar == article.title
        for paragraph in article.paragraphs:
            assert paragraph.ar == unicodedata.normalize("NFC", paragraph.ar)
            assert paragraph.version == 1 and paragraph.status == "draft"


def test_tass_seed_is_stored_with_title_date_source_and_kinds(app):
    outcome = import_bytes(app, "000.txt", SEED_FILES[0].read_bytes())
    article = db.session.get(Article, outcome.article_id)
    assert article.title.startswith("روسيا وتركمانستان تعملان على تطوير التعاون")
    assert article.published.isoformat() == "2022-06-10"
    assert article.source == "تاس"
    kinds = [p.kind for p in article.paragraphs]
    assert len(kinds) == 36
    assert kinds[-3:] == ["credit", "credit", "credit"]


def test_reimporting_the_same_file_is_a_reported_no_op(app):
    raw = SEED_FILES[1].read_bytes()
    first = import_bytes(app, "a.txt", raw)
    before = row_counts()
    again = import_bytes(app, "renamed.txt", raw)
    assert again.status == importing.ALREADY_IMPORTED
    assert again.article_id == first.article_id
    assert again.message == f"same file as article {first.article_id}"
    assert row_counts() == before


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty"),
    (b"  \n\xc2\xa0\n \n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ("روسيا".encode("utf-16"), "binary"),
    ("روسيا وتركمانستان".encode("cp1256"), "UTF-8"),
    (b"Just some English news, no Arabic at all.\n", "no Arabic"),
])
def test_bad_files_are_refused_with_a_reason_and_nothing_is_written(app, raw, reason):
    before = row_counts()
    outcome = import_bytes(app, "bad.txt", raw)
    assert outcome.status == importing.REFUSED
    assert reason in outcome.message
    assert row_counts() == before


def test_size_limit_is_configurable(app):
    app.config["IMPORT_MAX_BYTES"] = 1000
    outcome = import_bytes(app, "big.txt", SEED_FILES[0].read_bytes())
    assert outcome.status == importing.REFUSED
    assert "larger" in outcome.message
    assert row_counts() == (0, 0, 0)


def test_a_file_that_fails_midway_leaves_no_half_article(app, instance_path):
    """A database failure while storing paragraphs rolls back the article too (one file, one transaction)."""
    with databases.inserts_refused(instance_path, "paragraphs", "NEW.kind = 'credit'", "simulated failure"):
        with pytest.raises(Exception, match="simulated failure"):
            import_bytes(app, "000.txt", SEED_FILES[0].read_bytes())
        assert row_counts() == (0, 0, 0)
    # Once the fault is gone, the same file imports whole: nothing stale blocks it.
    outcome = import_bytes(app, "000.txt", SEED_FILES[0].read_bytes())
    assert outcome.status == importing.IMPORTED
    assert row_counts() == (1, 36, 1)


def test_cli_imports_a_folder_with_a_per_file_report(app, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for path in SEED_FILES[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.md").write_text("ignored: not a .txt")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 1  # one file was refused
    lines = result.stdout.splitlines()
    assert any(SEED_FILES[0].name in line and "imported" in line for line in lines)
    assert any("empty.txt" in line and "refused" in line and "empty" in line for line in lines)
    assert not any("notes.md" in line for line in lines)
    assert "2 imported, 0 already imported, 1 refused" in result.stderr

    again = runner.invoke(args=["import", str(folder / SEED_FILES[0].name), str(folder / SEED_FILES[1].name)])
    assert again.exit_code == 0
    assert again.stdout.count("already imported") == 2
    assert db.session.scalar(select(func.count()).select_from(Article)) == 2


def test_admin_uploads_several_files_on_the_web(admin_client):
    page = admin_client.get("/admin/import")
    token = csrf_token_from(page.get_data(as_text=True))
    data = {
        "csrf_token": token,
        "files": [
            (io.BytesIO(SEED_FILES[2].read_bytes()), SEED_FILES[2].name),
            (io.BytesIO(SEED_FILES[4].read_bytes()), SEED_FILES[4].name),
            (io.BytesIO(b"\x00\x01binary"), "broken.txt"),
            (io.BytesIO("نص عربي".encode()), "article.docx"),
        ],
    }
    response = admin_client.post("/admin/import", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 of 4 files imported." in html
    assert "file looks binary" in html
    assert "only .txt files are accepted" in html
    db.session.expire_all()
    titles = db.session.scalars(select(Article.title).order_by(Article.id)).all()
    assert len(titles) == 2 and titles[0].startswith("بوتين يبحث مع قادة رابطة الدول المستقلة")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "article.import")).all()
    assert len(events) == 2 and all(e.actor_id is not None for e in events)


def test_upload_without_csrf_token_is_refused(admin_client):
    data = {"files": [(io.BytesIO(SEED_FILES[0].read_bytes()), SEED_FILES[0].name)]}
    response = admin_client.post("/admin/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert row_counts()[0] == 0


def test_reviewer_cannot_import(reviewer_client):
    assert reviewer_client.get("/admin/import").status_code == 403


def test_a_large_folder_is_imported_in_order_with_parallel_parsing(app, tmp_path):
    """Above PARALLEL_IMPORT_MIN_FILES files, parsing runs in worker processes; results are the same."""
    folder = tmp_path / "many"
    folder.mkdir()
    count = 70
    assert count > importing.PARALLEL_IMPORT_MIN_FILES
    for i in range(count):
        seed = SEED_FILES[i % 5].read_bytes()
        (folder / f"{i:03d}.txt").write_bytes(seed + f"\nنسخة رقم {i}\n".encode())
    (folder / "050b.txt").write_bytes(b"")  # refused in the middle
    (folder / "060b.txt").write_bytes((folder / "060.txt").read_bytes())  # the same file twice
    outcomes = list(importing.import_paths([folder], max_bytes=app.config["IMPORT_MAX_BYTES"]))
    assert [o.filename.rsplit("/", 1)[-1] for o in outcomes] == sorted(p.name for p in folder.iterdir())
    by_name = {o.filename.rsplit("/", 1)[-1]: o for o in outcomes}
    assert by_name["050b.txt"].status == importing.REFUSED
    assert by_name["060b.txt"].status == importing.ALREADY_IMPORTED
    assert by_name["060b.txt"].article_id == by_name["060.txt"].article_id
    assert sum(o.status == importing.IMPORTED for o in outcomes) == count
    stored = db.session.scalars(select(Article).order_by(Article.id)).all()
    assert [a.original_filename for a in stored] == [f"{i:03d}.txt" for i in range(count)]
    expected = importing.prepare_news_file("x", (folder / "007.txt").read_bytes(), max_bytes=10**7).parsed
    assert [p.ar for p in stored[7].paragraphs] == [p.text for p in expected.paragraphs]


def test_admin_uploads_many_files_at_once(admin_client):
    token = csrf_token_from(admin_client.get("/admin/import").get_data(as_text=True))
    count = importing.PARALLEL_IMPORT_MIN_FILES + 2
    # Small files: a body over 500 KB makes the test client spool it to a file it never closes.
    files = [(io.BytesIO(f"خبر رقم {i}\n\nاجتمع الرئيسان في موسكو اليوم.\n".encode()), f"{i:03d}.txt")
             for i in range(count)]
    files.insert(10, (io.BytesIO(b"\x00binary"), "bad.txt"))
    response = admin_client.post("/admin/import", data={"csrf_token": token, "files": files},
                                 content_type="multipart/form-data")
    assert response.status_code == 200
    assert f"{count} of {count + 1} files imported." in response.get_data(as_text=True)
    db.session.expire_all()
    names = db.session.scalars(select(Article.original_filename).order_by(Article.id)).all()
    assert names == [f"{i:03d}.txt" for i in range(count)]


def _copies(folder, count: int) -> list:
    """`count` different files made from the seeds, named 000.txt, 001.txt, ..."""
    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"{i:03d}.txt"
        path.write_bytes(SEED_FILES[i % 5].read_bytes() + f"\nنسخة رقم {i}\n".encode())
        paths.append(path)
    return paths


def test_a_failing_file_among_many_keeps_the_files_before_it_and_leaves_no_trace(app, instance_path, tmp_path):
    """Files share commits, yet each is all-or-nothing and one failure never takes another file with it."""
    paths = _copies(tmp_path / "many", 20)
    paths[7].write_bytes(paths[7].read_bytes() + "سطر يرفضه المخزن\n".encode())
    refused_line = "NEW.ar = 'سطر يرفضه المخزن'"
    with databases.inserts_refused(instance_path, "paragraphs", refused_line, "simulated failure"):
        reported = []
        with pytest.raises(Exception, match="simulated failure"):
            for _ in importing.import_paths([tmp_path / "many"], max_bytes=app.config["IMPORT_MAX_BYTES"],
                                            on_outcome=reported.append):
                pass
        # The files before the failing one are stored and were reported; the failing one left nothing.
        assert [(o.filename, o.status) for o in reported] == [(p.name, importing.IMPORTED) for p in paths[:7]]
        db.session.expire_all()
        assert db.session.scalars(select(Article.original_filename).order_by(Article.id)).all() == [
            p.name for p in paths[:7]]
        assert row_counts() == (7, sum(o.paragraph_count for o in reported), 7)

    again = list(importing.import_paths([tmp_path / "many"], max_bytes=app.config["IMPORT_MAX_BYTES"]))
    assert [o.status for o in again] == [importing.ALREADY_IMPORTED] * 7 + [importing.IMPORTED] * 13
    assert [o.article_id for o in again[:7]] == [o.article_id for o in reported]
    assert row_counts()[0] == 20


def test_a_file_stored_meanwhile_by_another_import_is_reported_and_the_rest_of_its_batch_imported(
        app, tmp_path, monkeypatch):
    """The checksum lookup and the writes are separate transactions: the unique checksum settles a race."""
    paths = _copies(tmp_path / "race", 3)
    first = import_bytes(app, "elsewhere.txt", paths[1].read_bytes())
    monkeypatch.setattr(importing, "existing_article_ids", lambda checksums: {})  # as if looked up before
    outcomes = list(importing.import_paths([tmp_path / "race"], max_bytes=app.config["IMPORT_MAX_BYTES"]))
    assert [o.status for o in outcomes] == [importing.IMPORTED, importing.ALREADY_IMPORTED, importing.IMPORTED]
    assert outcomes[1].article_id == first.article_id
    assert row_counts()[0] == 3


def test_parse_workers_load_the_parser_alone_and_results_come_in_order(app):
    """Workers parse without the application; once they are up, the caller still gets every result, in order."""
    import time

    deadline = time.monotonic() + 60
    while (executor := importing._parse_pool.executor()) is None:
        assert time.monotonic() < deadline, "the parse workers did not start"
        time.sleep(0.05)
    raws = [SEED_FILES[i % 5].read_bytes() + f"\nنسخة رقم {i}\n".encode() for i in range(200)] + [b"\x00"]
    arguments = [(raw, app.config["IMPORT_MAX_BYTES"]) for raw in raws]
    expected = news_text.prepare_for_import("bytes", arguments)
    by_a_worker = executor.submit(importing._worker_prepare(), "bytes", arguments[:3]).result()
    assert by_a_worker == expected[:3]
    assert list(importing._prepare_in_order("bytes", arguments)) == expected
    assert expected[-1][1:] == (None, "file looks binary (contains NUL bytes)")


# A server that starts its parse workers and reports their process ids (a fresh process: this one must live on).
SERVER_WITH_PARSE_WORKERS = """
import time
from app.services import importing
deadline = time.monotonic() + 60
while (executor := importing._parse_pool.executor()) is None:
    if time.monotonic() > deadline:
        raise SystemExit("the parse workers did not start")  # the test reads no process ids
    time.sleep(0.05)
print(*executor._processes, flush=True)
time.sleep(600)
"""


def test_parse_workers_leave_when_their_server_is_killed():
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    server = subprocess.Popen([sys.executable, "-c", SERVER_WITH_PARSE_WORKERS], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    try:
        workers = [int(pid) for pid in server.stdout.readline().split()]  # "" if it exited
        assert workers and all(Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
        server.stdout.close()
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "a parse worker outlived its server"
        time.sleep(0.1)
    assert os.getpid() not in workers


def test_uploads_spanning_several_commits_keep_their_order_and_duplicates(app):
    count = importing.WRITE_BATCH_MAX_FILES + 6
    uploads = [(f"{i:03d}.txt", f"خبر رقم {i}\n\nاجتمع الرئيسان في موسكو اليوم.\n".encode()) for i in range(count)]
    uploads += [("copy-of-003.txt", uploads[3][1]), ("empty.txt", b""), ("notes.md", uploads[5][1])]
    outcomes = importing.import_uploads(uploads, max_bytes=app.config["IMPORT_MAX_BYTES"])
    assert [o.filename for o in outcomes] == [name for name, _ in uploads]
    assert [o.status for o in outcomes] == [importing.IMPORTED] * count + [
        importing.ALREADY_IMPORTED, importing.REFUSED, importing.REFUSED]
    assert outcomes[count].article_id == outcomes[3].article_id
    stored = db.session.scalars(select(Article).order_by(Article.id)).all()
    assert [a.original_filename for a in stored] == [f"{i:03d}.txt" for i in range(count)]
    assert [a.raw_bytes for a in stored] == [raw for _, raw in uploads[:count]]
    assert row_counts() == (count, 2 * count, count)


LONG_CREDIT = "وكالة " + "أنباء " * 60  # 366 characters, longer than the article's source column


def test_a_source_credit_longer_than_its_column_is_clipped_and_the_credit_line_keeps_it_whole(app, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a-long-credit.txt").write_bytes(
        f"خبر عاجل\n\nاجتمع الرئيسان في موسكو اليوم.\n\nالمصدر: {LONG_CREDIT}\n".encode())
    (folder / "b-seed.txt").write_bytes(SEED_FILES[0].read_bytes())

    result = app.test_cli_runner().invoke(args=["import", str(folder)])

    assert result.exit_code == 0, result.output
    assert "2 imported, 0 already imported, 0 refused" in result.stderr
    article = db.session.scalar(select(Article).where(Article.original_filename == "a-long-credit.txt"))
    assert len(article.source) == importing.MAX_SOURCE_CHARS == 255
    assert article.source == LONG_CREDIT.strip()[:254] + "…"
    assert article.paragraphs[-1].ar == f"المصدر: {LONG_CREDIT}".strip()


def test_a_file_name_longer_than_its_column_is_stored_clipped_beside_the_good_file_sent_with_it(app):
    long_name = "تقرير-" * 60 + ".txt"
    outcomes = importing.import_uploads(
        [(long_name, SEED_FILES[0].read_bytes()), ("good.txt", SEED_FILES[1].read_bytes())],
        max_bytes=app.config["IMPORT_MAX_BYTES"])
    assert [o.status for o in outcomes] == [importing.IMPORTED, importing.IMPORTED]
    assert outcomes[0].filename == long_name  # the report names the file as it was sent
    stored = db.session.get(Article, outcomes[0].article_id).original_filename
    assert len(stored) == 255 and stored.endswith("….txt") and long_name.startswith(stored[:-5])


def test_a_file_name_with_control_characters_is_stored_without_them(app):
    [outcome] = importing.import_uploads([("news\x00\x1b.txt", SEED_FILES[0].read_bytes())],
                                         max_bytes=app.config["IMPORT_MAX_BYTES"])
    assert outcome.status == importing.IMPORTED
    assert db.session.get(Article, outcome.article_id).original_filename == "news.txt"


# The batch path writes on each engine in its own way (SQLite: executemany; PostgreSQL: COPY, the article ids
# reserved from their sequence). Whatever the way, the rows, the ids and the sequence must be those of an INSERT.

def _written(article_id: int) -> dict:
    """What importing a file wrote, but ids and times: its article, paragraphs and audit event."""
    def columns(table, *left_out):
        return [c for c in table.c if c.name not in left_out]

    articles, paragraphs, audits = Article.__table__, Paragraph.__table__, AuditEvent.__table__
    return {
        "article": tuple(db.session.execute(select(*columns(articles, "id", "created_at", "updated_at"))
                                            .where(articles.c.id == article_id)).one()),
        "paragraphs": [tuple(row) for row in db.session.execute(
            select(*columns(paragraphs, "id", "article_id")).where(paragraphs.c.article_id == article_id)
            .order_by(paragraphs.c.position))],
        "audit": [tuple(row) for row in db.session.execute(
            select(*columns(audits, "id", "object_id", "created_at"))
            .where(audits.c.action == "article.import", audits.c.object_id == article_id))],
    }


def test_a_batch_writes_exactly_the_rows_a_single_file_import_writes(app, admin):
    raw = SEED_FILES[2].read_bytes()
    before = importing.utcnow()
    [batched] = importing.import_uploads([("same.txt", raw)], max_bytes=app.config["IMPORT_MAX_BYTES"], actor=admin)
    assert batched.status == importing.IMPORTED
    from_batch = _written(batched.article_id)
    article = db.session.get(Article, batched.article_id)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "article.import",
                                                       AuditEvent.object_id == batched.article_id))
    # Times are stored as UTC and read back as UTC, whichever way the row was written.
    assert before <= article.created_at == article.updated_at == audit.created_at <= importing.utcnow()
    assert from_batch["paragraphs"] and len(from_batch["paragraphs"]) == batched.paragraph_count

    db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.id == audit.id))
    db.session.execute(Article.__table__.delete().where(Article.id == batched.article_id))
    db.session.commit()
    alone = importing.import_news_file("same.txt", raw, max_bytes=app.config["IMPORT_MAX_BYTES"], actor=admin)
    assert alone.status == importing.IMPORTED
    assert _written(alone.article_id) == from_batch


def test_batched_article_ids_follow_the_files_and_the_sequence_stays_past_them(app, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "WRITE_BATCH_MAX_FILES", 5)  # three commits
    paths = _copies(tmp_path / "many", 12)
    outcomes = list(importing.import_paths([tmp_path / "many"], max_bytes=app.config["IMPORT_MAX_BYTES"]))
    ids = [o.article_id for o in outcomes]
    assert [o.status for o in outcomes] == [importing.IMPORTED] * 12
    assert ids == sorted(set(ids))
    stored = db.session.execute(select(Article.id, Article.original_filename).order_by(Article.id)).all()
    assert stored == [(i, p.name) for i, p in zip(ids, paths)]
    audited = db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "article.import")
                                 .order_by(AuditEvent.id)).all()
    assert audited == ids
    # The next article, inserted with the id column's default, gets a new id.
    later = import_bytes(app, "later.txt", SEED_FILES[0].read_bytes())
    assert later.status == importing.IMPORTED and later.article_id > max(ids)
    assert row_counts() == (13, sum(o.paragraph_count for o in [*outcomes, later]), 13)


def test_two_imports_at_once_store_every_file_once_with_ids_of_their_own(app, tmp_path, monkeypatch):
    """Two imports (two uploads, say) racing over overlapping files, each committing small batches."""
    import threading

    monkeypatch.setattr(importing, "WRITE_BATCH_MAX_FILES", 3)
    files = [(f"{i:03d}.txt", SEED_FILES[i % 5].read_bytes() + f"\nنسخة رقم {i}\n".encode()) for i in range(21)]
    shares = {"first": files[:14], "second": files[7:]}  # files 7 to 13 are in both
    start = threading.Barrier(2)
    outcomes: dict[str, list] = {}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                outcomes[name] = importing.import_uploads(shares[name], max_bytes=app.config["IMPORT_MAX_BYTES"])
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 — raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(name,)) for name in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    article_of: dict[str, set[int]] = {}
    for name, share in shares.items():
        assert [o.filename for o in outcomes[name]] == [filename for filename, _ in share]
        assert {o.status for o in outcomes[name]} <= {importing.IMPORTED, importing.ALREADY_IMPORTED}
        for outcome in outcomes[name]:
            article_of.setdefault(outcome.filename, set()).add(outcome.article_id)
    assert all(len(ids) == 1 for ids in article_of.values()), article_of  # both imports name the same article
    imported = [o for name in shares for o in outcomes[name] if o.status == importing.IMPORTED]
    assert sorted(o.filename for o in imported) == [filename for filename, _ in files]  # each file once
    db.session.expire_all()
    stored = dict(db.session.execute(select(Article.original_filename, Article.id)).all())
    assert stored == {filename: ids.pop() for filename, ids in article_of.items()}
    assert row_counts() == (21, sum(o.paragraph_count for o in imported), 21)
    later = import_bytes(app, "later.txt", SEED_FILES[0].read_bytes())
    assert later.article_id > max(stored.values())
