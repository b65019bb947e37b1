"""The translation memory's page side (issue 17, items 3 and 4; docs/architecture.md, Translation memory):
a revision saved from a memory match (origin `tm`, migration 0015), the 100% matches of an article, the
admin's memory page. The browser side is tests/browser/test_translation_memory_in_browser.py."""
from __future__ import annotations

import io

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from app.extensions import db
from app.models import Article, Paragraph, Translation
from app.services import effort
from app.services import translation_memory as tm
from tests.conftest import csrf_token_from
from tests.support.fixtures import API, save
from tests.test_translation_memory import (
    DATELINE,
    DATELINE_EN,
    OTHER,
    STATEMENT,
    STATEMENT_EN,
    article_of,
    paragraphs_of,
    tmx_of,
    translate_and_approve,
)


def revision_origin(paragraph_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Translation.origin).join(Paragraph, Paragraph.current_revision_id == Translation.id)
                             .where(Paragraph.id == paragraph_id))


def test_reviewer_saves_a_memory_match_unchanged_and_the_revision_says_it_came_from_the_memory(
        client, admin, reviewer, other_reviewer, rami, salma):
    earlier = article_of([DATELINE], admin, other_reviewer, "سابق")
    (done,) = paragraphs_of(earlier)
    translate_and_approve(client, salma, done, DATELINE_EN)
    later = article_of([DATELINE, OTHER], admin, reviewer, "لاحق")
    same, other = paragraphs_of(later)

    saved = save(client, rami, same.id, DATELINE_EN, same.version, origin="tm")
    assert saved.status_code == 200, saved.get_json()
    assert revision_origin(same.id) == "tm"
    history = client.get(f"{API}/paragraphs/{same.id}/revisions", headers=rami).get_json()
    assert history["revisions"][-1]["origin"] == "tm"
    # Saving the same text again as the reviewer's own is a new revision: the reviewer now vouches for it.
    again = save(client, rami, same.id, DATELINE_EN, saved.get_json()["version"])
    assert again.get_json()["created"] is True and revision_origin(same.id) == "human"

    # English that is not in the memory is refused as tm, and nothing is saved.
    refused = save(client, rami, other.id, "Oil prices rose.", other.version, origin="tm")
    assert refused.status_code == 422
    assert "not a translation-memory match" in refused.get_json()["error"]["message"]
    assert revision_origin(other.id) is None
    # Nor is any other origin taken from the client.
    assert save(client, rami, other.id, "Oil prices rose.", other.version, origin="machine").status_code == 422


def test_a_paragraph_cannot_claim_its_own_approved_english_as_a_memory_match(client, admin, reviewer, rami):
    article = article_of([STATEMENT], admin, reviewer)
    (paragraph,) = paragraphs_of(article)
    version = translate_and_approve(client, rami, paragraph, STATEMENT_EN)
    db.session.expire_all()
    paragraph = db.session.get(Paragraph, paragraph.id)
    refused = save(client, rami, paragraph.id, STATEMENT_EN + " Again.", paragraph.version, origin="tm")
    assert refused.status_code == 422 and version


def test_an_imported_units_english_saved_unchanged_counts_in_the_articles_effort_and_export(
        app, client, admin, reviewer, rami, tmp_path):
    tm.import_tmx(tmx_of([(STATEMENT, STATEMENT_EN)]), name="agency", file_name="agency.tmx")
    article = article_of([STATEMENT, OTHER], admin, reviewer)
    statement, other = paragraphs_of(article)
    saved = save(client, rami, statement.id, STATEMENT_EN, statement.version, origin="tm")
    assert saved.status_code == 200, saved.get_json()
    approved = client.post(f"{API}/paragraphs/{statement.id}/approve",
                           json={"version": saved.get_json()["version"], "override_reason": "test text"}, headers=rami)
    assert approved.status_code == 200, approved.get_json()
    translate_and_approve(client, rami, other, "Oil prices rose three percent on world markets.")
    assert effort.article_effort(article.id).from_memory == 1

    from app.services.export.corpus import Selection, checked, iter_record_chunks

    connection = db.session.connection()
    selection = checked(connection, Selection(article_ids=(article.id,)))
    records = [r for chunk in iter_record_chunks(connection, selection) for r in chunk]
    assert {r["paragraph_id"]: r["en_origin"] for r in records} == {statement.id: "tm", other.id: "human"}


def test_the_articles_100_percent_matches_are_its_paragraphs_identical_to_a_unit_after_normalisation(
        client, admin, reviewer, other_reviewer, rami, salma):
    earlier = article_of([DATELINE], admin, other_reviewer, "سابق")
    (done,) = paragraphs_of(earlier)
    translate_and_approve(client, salma, done, DATELINE_EN)
    tm.import_tmx(tmx_of([(STATEMENT, STATEMENT_EN)]), name="agency", file_name="agency.tmx")
    later = article_of(["مُوسكو، ١٤ ابريل/نيسان. أعلنت وزارة الخارجية الروسيـة أن الوزير سيزور طهران الأسبوع المقبل.",
                        OTHER, STATEMENT, STATEMENT + " وأضاف."], admin, reviewer, "لاحق")
    dateline, other, statement, longer = paragraphs_of(later)

    answer = client.get(f"{API}/articles/{later.id}/exact-matches", headers=rami)
    assert answer.status_code == 200
    assert sorted(answer.get_json()["paragraph_ids"]) == sorted([dateline.id, statement.id])
    # A paragraph is never its own match; the other reviewer's article is not rami's to ask about.
    assert client.get(f"{API}/articles/{earlier.id}/exact-matches", headers=salma).get_json() == {"paragraph_ids": []}
    assert client.get(f"{API}/articles/{earlier.id}/exact-matches", headers=rami).status_code == 404
    # Reopened, the approved paragraph is no longer in the memory: its badge goes.
    db.session.expire_all()
    done = db.session.get(Paragraph, done.id)
    assert client.post(f"{API}/paragraphs/{done.id}/reopen", json={"version": done.version},
                       headers=salma).status_code == 200
    assert client.get(f"{API}/articles/{later.id}/exact-matches", headers=rami).get_json() == {
        "paragraph_ids": [statement.id]}
    assert longer.id and other.id


def test_the_migration_of_the_tm_origin_goes_down_and_up_and_keeps_the_revisions(
        client, admin, reviewer, other_reviewer, rami, salma):
    earlier = article_of([DATELINE], admin, other_reviewer, "سابق")
    (done,) = paragraphs_of(earlier)
    translate_and_approve(client, salma, done, DATELINE_EN)
    later = article_of([DATELINE], admin, reviewer, "لاحق")
    (same,) = paragraphs_of(later)
    assert save(client, rami, same.id, DATELINE_EN, same.version, origin="tm").status_code == 200
    db.session.remove()

    downgrade(revision="0014")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT origin FROM translations WHERE paragraph_id = :p"),
                                  {"p": same.id}).scalars().all() == ["human"]
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE translations SET origin = 'tm' WHERE paragraph_id = :p"), {"p": same.id})
        # The check still refuses an origin nobody knows, and one machine draft per paragraph and model holds.
        for bad in ("UPDATE translations SET origin = 'robot' WHERE paragraph_id = :p",):
            nested = connection.begin_nested()
            try:
                connection.execute(text(bad), {"p": same.id})
                raise AssertionError("an unknown origin was stored")
            except Exception as error:  # noqa: BLE001 — IntegrityError from either engine
                assert "check" in str(error).lower() or "constraint" in str(error).lower()
                nested.rollback()
    indexes = {i["name"]: i for i in db.inspect(db.engine).get_indexes("translations")}
    assert indexes["uq_translations_machine_draft"]["unique"]
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'uq_translations_machine_draft'"
                                          )).scalar_one()
        assert "WHERE" in sql and "machine" in sql
    assert revision_origin(same.id) == "tm"


def test_admin_imports_a_tmx_on_the_memory_page_sees_it_listed_and_removes_it(admin_client):
    page = admin_client.get("/admin/memories")
    assert page.status_code == 200 and "No memory is imported yet" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    data = tmx_of([(STATEMENT, STATEMENT_EN), (OTHER, "Oil prices rose.")])
    imported = admin_client.post("/admin/memories", data={"csrf_token": token, "name": "Agency 2025",
                                                          "tmx": (io.BytesIO(data), "agency.tmx")},
                                 content_type="multipart/form-data", follow_redirects=True)
    body = imported.get_data(as_text=True)
    assert imported.status_code == 200
    assert "agency.tmx into memory Agency 2025: 2 units read, 2 added, 0 skipped as duplicates, 0 refused." in body
    assert '<tr data-memory="Agency 2025">' in body and "agency.tmx" in body

    # A file that is not TMX: refused in a sentence, nothing changes.
    refused = admin_client.post("/admin/memories", data={"csrf_token": token, "tmx": (io.BytesIO(b"<html/>"), "x.tmx")},
                                content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "x.tmx: This is not a TMX file" in refused.get_data(as_text=True)
    assert [(m.name, m.units) for m in tm.list_memories()] == [("Agency 2025", 2)]

    removed = admin_client.post("/admin/memories/remove", data={"csrf_token": token, "name": "Agency 2025"},
                                follow_redirects=True)
    assert "Removed memory Agency 2025 and its 2 units." in removed.get_data(as_text=True)
    assert tm.list_memories() == []
    # Without its CSRF token nothing is removed.
    tm.import_tmx(data, name="kept", file_name="kept.tmx")
    admin_client.post("/admin/memories/remove", data={"name": "kept"})
    assert [m.name for m in tm.list_memories()] == ["kept"]
    assert db.session.scalar(select(Article.id).limit(1)) is None
