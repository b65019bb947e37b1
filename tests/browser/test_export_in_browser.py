"""A corpus user downloads the corpus from the Export page, in a real browser against the production server."""
from __future__ import annotations

import zipfile
from urllib.parse import urlsplit

import orjson
import pytest

from tests.browser.conftest import PASSWORD, log_in

pytestmark = pytest.mark.slow


@pytest.fixture
def approved_article(live_server, world) -> tuple[int, str]:
    """The first seed article with machine drafts, its title's first word tagged, everything approved;
    and a corpus account `carla`. Returns its number of title and body paragraphs, and that word."""
    from app.extensions import db
    from app.models import Article, Paragraph, Translation
    from app.services import entities as entity_service
    from app.services import review as review_service
    from app.services import users as user_service

    with live_server.services():
        admin = user_service.require_user("admin")
        user_service.create_user("carla", PASSWORD, "corpus", display_name="Carla Corpus")
        article = db.session.get(Article, world.articles[0])
        for paragraph in article.paragraphs:
            draft = Translation(paragraph_id=paragraph.id, text=f"Draft {paragraph.position}.", origin="machine",
                                engine="ctranslate2", model_id="tiny@1.0+sha256:0000000000000000")
            db.session.add(draft)
            db.session.flush()
            paragraph.current_revision_id = draft.id
            paragraph.version += 1
        db.session.commit()
        title = article.paragraphs[0]
        first_word = title.ar.split()[0]
        entity_service.create_entity(title.id, "ar", 0, len(first_word), "LOC", actor=admin)
        for paragraph in db.session.scalars(db.select(Paragraph).where(Paragraph.article_id == article.id)):
            review_service.approve_paragraph(paragraph.id, paragraph.version, actor=admin,
                                             override_reason="Placeholder drafts in a browser test.")
        return sum(p.kind in ("title", "body") for p in article.paragraphs), first_word


def test_corpus_user_counts_and_downloads_conll_and_jsonl(page, approved_article):
    expected, first_word = approved_article
    log_in(page, "carla")
    assert urlsplit(page.url).path == "/export/"
    assert page.get_by_role("link", name="My work").count() == 0  # no review rights, no review pages

    page.get_by_label("Format").select_option("conll")
    page.get_by_label("Files (moses, conll)").select_option("ar")
    page.get_by_role("button", name="Count matching paragraphs").click()
    assert page.get_by_role("status").inner_text() == f"{expected} paragraphs match these filters."

    with page.expect_download() as conll:
        page.get_by_role("button", name="Download").click()
    assert conll.value.suggested_filename == "mizan-corpus.ar.conll"
    lines = conll.value.path().read_text(encoding="utf-8").split("\n")
    assert lines[:3] == ["-DOCSTART- -X- O O", "", f"{first_word}\tB-LOC"]  # the article's document line first

    page.goto("/export/")
    page.get_by_label("Format").select_option("jsonl")
    with page.expect_download() as jsonl:
        page.get_by_role("button", name="Download").click()
    records = [orjson.loads(line) for line in jsonl.value.path().read_bytes().splitlines()]
    assert len(records) == expected
    assert records[0]["entities"]["ar"][0]["text"] == first_word


def test_export_page_says_which_file_a_two_file_format_can_give(page, approved_article):
    log_in(page, "carla")
    page.get_by_label("Format").select_option("conll")
    page.get_by_label("Files (moses, conll)").select_option("mt")
    page.get_by_role("button", name="Download").click()
    assert "choose ar or en, or both in one zip" in page.locator(".errors").inner_text()


@pytest.mark.parametrize("device", [pytest.param({"width": 390, "height": 844}, id="390x844"),
                                    pytest.param({"width": 1440, "height": 900}, id="1440x900")], indirect=True)
@pytest.mark.parametrize("fmt, names", [("moses", ["mizan-corpus.ar", "mizan-corpus.en"]),
                                        ("conll", ["mizan-corpus.ar.conll", "mizan-corpus.en.conll"])])
def test_corpus_user_downloads_both_sides_of_moses_and_conll_in_one_click(phone_page, approved_article, device,
                                                                         fmt, names):
    page = phone_page
    log_in(page, "carla")
    page.get_by_label("Format").select_option(fmt)
    assert page.get_by_label("Files (moses, conll)").input_value() == ""  # both, unless one is chosen
    with page.expect_download() as both:
        page.get_by_role("button", name="Download").click()
    assert both.value.suggested_filename == f"mizan-corpus.{fmt}.zip"
    archive = zipfile.ZipFile(both.value.path())
    assert archive.testzip() is None and archive.namelist() == names
    # Each file inside is byte for byte the download of its side (what scripts fetch with side=…).
    for side, name in zip(("ar", "en"), names):
        alone = page.request.get(f"/api/v1/export/{fmt}?side={side}")
        assert alone.ok and archive.read(name) == alone.body() != b""
    expected, first_word = approved_article
    arabic = archive.read(names[0]).decode()
    if fmt == "moses":
        assert len(arabic.splitlines()) == expected
    else:
        assert arabic.startswith(f"-DOCSTART- -X- O O\n\n{first_word}\tB-LOC\n")


def test_corpus_user_downloads_a_release_and_a_bad_split_is_refused_on_the_page(page, approved_article):
    expected, first_word = approved_article
    log_in(page, "carla")
    with page.expect_navigation():
        page.get_by_role("link", name="release the corpus").click()
    assert urlsplit(page.url).path == "/export/release"
    page.get_by_label("Split train/dev/test").fill("80/10")
    with page.expect_navigation():
        page.get_by_role("button", name="Download the release").click()
    assert "three whole percentages" in page.get_by_role("alert").inner_text()
    page.get_by_label("Name").fill("news")
    page.get_by_label("Version").fill("2.0")
    page.get_by_label("Split train/dev/test").fill("100/0/0")
    page.get_by_label("Seed (the same seed gives the same split)").fill("4")
    with page.expect_download() as release:
        page.get_by_role("button", name="Download the release").click()
    assert release.value.suggested_filename == "news-2.0.zip"
    archive = zipfile.ZipFile(release.value.path())
    assert archive.testzip() is None
    manifest = orjson.loads(archive.read("news-2.0/manifest.json"))
    assert manifest["seed"] == 4 and manifest["counts"]["train"]["paragraphs"] == expected
    first = orjson.loads(archive.read("news-2.0/data/train.jsonl").splitlines()[0])
    assert first["split"] == "train" and first["entities"]["ar"][0]["text"] == first_word
    # What a script fetches with the same options is the same zip, byte for byte.
    again = page.request.get("/api/v1/export/release?name=news&version=2.0&split=100/0/0&seed=4")
    assert again.ok and again.body() == release.value.path().read_bytes()
