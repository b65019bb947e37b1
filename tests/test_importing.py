"""An admin imports messy Arabic news files: from the CLI, from the web, never half an article."""
import hashlib
import io
import sqlite3
import unicodedata

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Article, AuditEvent, Paragraph
from app.services import importing
from tests.conftest import SEEDS_DIR, csrf_token_from

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
    connection = sqlite3.connect(instance_path / "mizan.sqlite")
    connection.execute(
        "CREATE TRIGGER refuse_credits BEFORE INSERT ON paragraphs WHEN NEW.kind = 'credit' "
        "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END"
    )
    connection.commit()
    connection.close()
    with pytest.raises(Exception, match="simulated failure"):
        import_bytes(app, "000.txt", SEED_FILES[0].read_bytes())
    assert row_counts() == (0, 0, 0)
    # Once the fault is gone, the same file imports whole: nothing stale blocks it.
    connection = sqlite3.connect(instance_path / "mizan.sqlite")
    connection.execute("DROP TRIGGER refuse_credits")
    connection.commit()
    connection.close()
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
