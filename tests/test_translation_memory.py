"""Translation memory (issue 17; services/translation_memory.py, migration 0014): every approved paragraph is a
unit (updated on re-approval, dropped on reopen), fuzzy matches for a paragraph and each of its sentences,
concordance, and the rule that reviewers see the whole approved corpus but never unapproved work."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app.config import PROJECT_ROOT
from app.extensions import db
from app.models import Article, Paragraph, Translation
from app.services import assignment as assignment_service
from app.services import translation_memory as tm
from app.services import users as user_service
from tests.conftest import PASSWORD, bearer
from tests.support.databases import server_env
from tests.support.fixtures import API, approve, save

DATELINE = "موسكو، 14 أبريل/نيسان. أعلنت وزارة الخارجية الروسية أن الوزير سيزور طهران الأسبوع المقبل."
DATELINE_EN = "Moscow, April 14. The Russian Foreign Ministry announced that the minister will visit Tehran next week."
STATEMENT = "وقال المتحدث باسم الوزارة إن المحادثات ستتناول التعاون الاقتصادي والأمن الإقليمي."
STATEMENT_EN = "The ministry spokesman said the talks would cover economic cooperation and regional security."
OTHER = "ارتفعت أسعار النفط في الأسواق العالمية بنسبة ثلاثة بالمئة."


def article_of(texts: list[str], admin, reviewer, title: str = "مقال") -> Article:
    """An article with these Arabic paragraphs, assigned to `reviewer`, no English yet."""
    article = Article(title=title, original_filename=f"{title}.txt", raw_bytes=title.encode(),
                      checksum=f"{title}-{len(texts)}-{time.monotonic_ns()}", status="translated")
    db.session.add(article)
    db.session.flush()
    db.session.add_all([Paragraph(article_id=article.id, position=i, kind="body", ar=text)
                        for i, text in enumerate(texts)])
    db.session.commit()
    assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)
    return article


def paragraphs_of(article: Article) -> list[Paragraph]:
    db.session.expire_all()
    return list(db.session.scalars(select(Paragraph).where(Paragraph.article_id == article.id)
                                   .order_by(Paragraph.position)))


def translate_and_approve(client, headers, paragraph: Paragraph, english: str, *, approved: bool = True) -> int:
    saved = save(client, headers, paragraph.id, english, paragraph.version)
    assert saved.status_code == 200, saved.get_json()
    version = saved.get_json()["version"]
    if approved:
        response = approve(client, headers, paragraph.id, version, override_reason="test text")
        assert response.status_code == 200, response.get_json()
    return version


def matches(client, headers, paragraph_id: int, **args):
    response = client.get(f"{API}/paragraphs/{paragraph_id}/matches", query_string=args, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["matches"]


def test_the_migration_of_the_translation_memory_goes_down_and_up(app):
    assert {"translation_memories", "tm_units"} <= set(inspect(db.engine).get_table_names())
    db.session.remove()
    downgrade(revision="0013")
    assert not {"translation_memories", "tm_units"} & set(inspect(db.engine).get_table_names())
    upgrade()
    tables = inspect(db.engine)
    assert {c["name"] for c in tables.get_columns("tm_units")} == {"id", "memory_id", "ar", "en", "checksum"}
    assert {c["name"] for c in tables.get_columns("translation_memories")} == {"id", "name", "file_name",
                                                                               "imported_at"}
    assert [u["name"] for u in tables.get_unique_constraints("tm_units")] == ["uq_tm_units_checksum"]
    assert [i["name"] for i in tables.get_indexes("tm_units")
            if not i.get("duplicates_constraint")] == ["ix_tm_units_memory_id"]  # PostgreSQL lists the unique one


def test_reviewer_sees_an_approved_paragraph_of_another_article_as_a_match_with_its_score(
        client, admin, reviewer, other_reviewer, rami, salma):
    earlier = article_of([DATELINE], admin, other_reviewer, "سابق")
    (done,) = paragraphs_of(earlier)
    translate_and_approve(client, salma, done, DATELINE_EN)

    # The same dateline with other diacritics, hamza and digits: identical after normalisation.
    later = article_of(["مُوسكو، ١٤ ابريل/نيسان. أعلنت وزارة الخارجية الروسيـة أن الوزير سيزور طهران الأسبوع المقبل.",
                        "موسكو، 15 أبريل/نيسان. أعلنت وزارة الخارجية الروسية أن الوزير سيزور أنقرة الأسبوع المقبل."],
                       admin, reviewer, "لاحق")
    same, near = paragraphs_of(later)
    found = matches(client, rami, same.id)
    assert found[0] == {"score": 1.0, "scope": "paragraph", "ar_start": 0, "ar_end": len(same.ar), "ar": DATELINE,
                        "en": DATELINE_EN, "origin": "approved", "paragraph_id": done.id, "tm_name": None}
    # Each sentence is matched too, with its own offsets in this paragraph.
    sentences = [m for m in found if m["scope"] == "sentence"]
    assert sentences and all(0 <= m["ar_start"] < m["ar_end"] <= len(same.ar) for m in sentences)
    assert [m["score"] for m in found] == sorted((m["score"] for m in found), reverse=True)

    fuzzy = matches(client, rami, near.id, min_score=0.7)
    assert fuzzy[0]["paragraph_id"] == done.id and 0.8 < fuzzy[0]["score"] < 1
    assert matches(client, rami, near.id, min_score=0.99) == []


def test_a_paragraph_never_matches_itself_nor_unapproved_work_not_even_the_reviewers_own(
        client, admin, reviewer, other_reviewer, rami, salma):
    mine = article_of([DATELINE, DATELINE + " ", OTHER], admin, reviewer, "لي")
    first, second, third = paragraphs_of(mine)
    translate_and_approve(client, rami, first, DATELINE_EN)
    translate_and_approve(client, rami, third, "Oil prices rose.", approved=False)  # edited, not approved
    assert [m["paragraph_id"] for m in matches(client, rami, first.id)] == []  # itself only: never
    assert [m["paragraph_id"] for m in matches(client, rami, second.id)][0] == first.id

    theirs = article_of([OTHER], admin, other_reviewer, "لهم")
    (copy,) = paragraphs_of(theirs)
    assert matches(client, salma, copy.id) == []  # rami's unapproved English is nobody's match
    assert matches(client, rami, third.id) == []  # not even his own


def test_reopening_drops_a_unit_and_reapproving_updates_its_english(client, admin, reviewer, rami, salma,
                                                                    other_reviewer):
    source = article_of([STATEMENT], admin, other_reviewer, "مصدر")
    (unit,) = paragraphs_of(source)
    version = translate_and_approve(client, salma, unit, STATEMENT_EN)
    target = article_of([STATEMENT], admin, reviewer, "هدف")
    (here,) = paragraphs_of(target)
    assert [m["en"] for m in matches(client, rami, here.id)] == [STATEMENT_EN]

    reopened = client.post(f"{API}/paragraphs/{unit.id}/reopen", json={"version": version}, headers=salma)
    assert reopened.status_code == 200, reopened.get_json()
    assert matches(client, rami, here.id) == []

    db.session.expire_all()
    unit = db.session.get(Paragraph, unit.id)
    translate_and_approve(client, salma, unit, "The spokesman said the talks would cover the economy and security.")
    assert [m["en"] for m in matches(client, rami, here.id)] == [
        "The spokesman said the talks would cover the economy and security."]


def test_matches_are_only_for_who_may_see_the_paragraph_and_refuse_bad_arguments(client, admin, reviewer, rami,
                                                                                 amina):
    article = article_of([STATEMENT], admin, reviewer)
    (paragraph,) = paragraphs_of(article)
    stranger = bearer(user_service.issue_api_token(user_service.create_user("omar", PASSWORD, "reviewer")))
    assert client.get(f"{API}/paragraphs/{paragraph.id}/matches", headers=stranger).status_code == 404
    assert client.get(f"{API}/paragraphs/{paragraph.id}/matches", headers=amina).status_code == 200
    assert client.get(f"{API}/paragraphs/{paragraph.id}/matches", query_string={"min_score": 0},
                      headers=rami).status_code == 200
    for bad in ({"min_score": -0.1}, {"min_score": 1.5}, {"min_score": "high"}, {"limit": 0}, {"limit": 201}):
        response = client.get(f"{API}/paragraphs/{paragraph.id}/matches", query_string=bad, headers=rami)
        assert response.status_code == 422, (bad, response.get_json())


def test_an_approval_in_another_process_is_matched_here_within_the_recheck_interval(
        app, client, admin, reviewer, other_reviewer, rami, instance_path):
    app.config["TM_RECHECK_SECONDS"] = 1.0
    source = article_of([STATEMENT], admin, other_reviewer, "مصدر")
    target = article_of([STATEMENT], admin, reviewer, "هدف")
    (unit,), (here,) = paragraphs_of(source), paragraphs_of(target)
    db.session.add(Translation(paragraph_id=unit.id, text=STATEMENT_EN, origin="human", author_id=other_reviewer.id))
    db.session.commit()
    revision = db.session.scalar(select(Translation.id).where(Translation.paragraph_id == unit.id))
    db.session.execute(Paragraph.__table__.update().where(Paragraph.id == unit.id)
                       .values(current_revision_id=revision, status="edited"))
    db.session.commit()
    assert matches(client, rami, here.id) == []  # this process has built its index

    script = textwrap.dedent(f"""
        from app import create_app
        from app.extensions import db
        from app.models import Paragraph, User
        from app.services import review
        app = create_app({{"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": {str(instance_path)!r}}})
        with app.app_context():
            paragraph = db.session.get(Paragraph, {unit.id})
            review.approve_paragraph(paragraph.id, paragraph.version, override_reason="test text",
                                     actor=db.session.scalar(db.select(User).where(User.username == "salma")))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120, env=server_env(instance_path))
    assert result.returncode == 0, result.stderr
    deadline = time.monotonic() + 5
    found: list = []
    while not found and time.monotonic() < deadline:
        found = matches(client, rami, here.id)
        time.sleep(0.2)
    assert [m["paragraph_id"] for m in found] == [unit.id]
    assert time.monotonic() < deadline


@pytest.mark.parametrize(("left", "right"), [
    ("أعلنت الوزارة", "اعلنت الوزاره"),  # alef with hamza, ta marbuta
    ("مستشفى", "مستشفي"),  # alef maqsura
    ("الـــعـــالم", "العالم"),  # tatweel
    ("مُحَمَّدٌ", "محمد"),  # diacritics
    ("عام ٢٠٢٤", "عام 2024"),  # Arabic-Indic digits
    ("عام ۲۰۲۴", "عام 2024"),  # Eastern Arabic-Indic digits
    ("إيران  و\nآسيا", "ايران و اسيا"),  # white space, alef forms
])
def test_arabic_that_differs_only_by_normalisation_scores_one(left, right):
    index = tm.MemoryIndex()
    index.add([(tm.Ref("tm", 1), right, "x")])
    assert index.scored(tm.memory_keys([left])[0], 0.5) == [(1.0, 0)]


# --- TMX: flask tm import / list / remove -------------------------------------------------------------------

def tmx_of(pairs, source="ar-SA", target="en-US") -> bytes:
    """A TMX 1.4 document written by translate-toolkit itself."""
    from translate.storage import tmx

    store = tmx.tmxfile(sourcelanguage=source, targetlanguage=target)
    for ar, en in pairs:
        store.addtranslation(ar, source, en, target)
    return bytes(store)


def test_a_tmx_written_by_translate_toolkit_round_trips_through_tm_import_and_is_found(
        app, client, tmp_path, admin, reviewer, rami):
    path = tmp_path / "agency.tmx"
    path.write_bytes(tmx_of([(STATEMENT, STATEMENT_EN), (OTHER, "Oil prices rose three percent on world markets.")]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tm", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "agency.tmx into memory 'agency': 2 units read, 2 added, 0 skipped as duplicates, 0 refused." in result.output

    article = article_of([STATEMENT + " وأضاف أن الزيارة تأتي في إطار التشاور.", OTHER], admin, reviewer)
    long, oil = paragraphs_of(article)
    found = matches(client, rami, long.id)
    sentence = next(m for m in found if m["scope"] == "sentence")
    assert sentence["score"] == 1.0 and (sentence["ar_start"], sentence["ar_end"]) == (0, len(STATEMENT))
    assert (sentence["en"], sentence["origin"], sentence["tm_name"], sentence["paragraph_id"]) == (
        STATEMENT_EN, "tm", "agency", None)
    assert matches(client, rami, oil.id)[0]["en"] == "Oil prices rose three percent on world markets."

    hits = client.get(f"{API}/concordance", query_string={"q": "economic cooperation", "lang": "en"},
                      headers=rami).get_json()
    assert hits["total"] == 1 and hits["hits"][0]["tm_name"] == "agency"
    start, end = hits["hits"][0]["spans"][0]
    assert STATEMENT_EN[start:end] == "economic cooperation"

    listed = runner.invoke(args=["tm", "list"])
    assert listed.exit_code == 0 and listed.output.startswith("agency\t2 units\tagency.tmx\t")
    again = runner.invoke(args=["tm", "import", str(path)])  # importing twice adds nothing
    assert "2 units read, 0 added, 2 skipped as duplicates, 0 refused." in again.output
    assert runner.invoke(args=["tm", "list"]).output.startswith("agency\t2 units\t")

    removed = runner.invoke(args=["tm", "remove", "agency"])
    assert removed.exit_code == 0 and "Removed memory 'agency' and its 2 units." in removed.output
    assert matches(client, rami, oil.id) == []
    assert runner.invoke(args=["tm", "remove", "agency"]).exit_code != 0


@pytest.mark.parametrize(("source", "target"), [("ar", "en"), ("ar-SA", "en-US"), ("AR_eg", "EN-gb"), ("ar-Arab-EG", "en")])
def test_tm_import_accepts_any_arabic_and_english_locale_variant(app, tmp_path, source, target):
    path = tmp_path / "variants.tmx"
    path.write_bytes(tmx_of([(STATEMENT, STATEMENT_EN)], source, target))
    result = app.test_cli_runner().invoke(args=["tm", "import", str(path), "--name", "Variants 1"])
    assert result.exit_code == 0, result.output
    assert "1 units read, 1 added" in result.output
    assert [(m.name, m.units) for m in tm.list_memories()] == [("Variants 1", 1)]


def test_tm_import_skips_duplicates_and_refuses_units_without_both_sides_saying_why(app, tmp_path):
    path = tmp_path / "mixed.tmx"
    data = tmx_of([(STATEMENT, STATEMENT_EN), (STATEMENT, STATEMENT_EN), ("  " + STATEMENT, STATEMENT_EN + " ")])
    french = tmx_of([(OTHER, "Les prix du pétrole ont augmenté.")], "ar", "fr-FR")
    unit = french[french.index(b"<tu "):french.index(b"</tu>") + len(b"</tu>")]
    path.write_bytes(data.replace(b"</body>", unit + b"</body>"))
    result = app.test_cli_runner().invoke(args=["tm", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "4 units read, 1 added, 2 skipped as duplicates, 1 refused." in result.output
    assert "Refused 1: no English (en*) segment (unit 4)." in result.output


@pytest.mark.parametrize("content", [
    b"ar\ten\n\xd9\x85\tx\n",  # a TSV
    b'<?xml version="1.0"?><tmx version="1.4"><header/><body><tu><tuv xml:lang="ar"><seg>x',  # cut short
    b"<html><body>not a memory</body></html>",  # XML, not TMX
])
def test_a_file_that_is_not_tmx_changes_nothing_and_fails_with_a_clear_message(app, tmp_path, content):
    good = tmp_path / "good.tmx"
    good.write_bytes(tmx_of([(STATEMENT, STATEMENT_EN)]))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tm", "import", str(good)]).exit_code == 0
    bad = tmp_path / "bad.tmx"
    bad.write_bytes(content)
    result = runner.invoke(args=["tm", "import", str(bad), "--name", "good"])
    assert result.exit_code != 0
    assert "This is not a TMX file" in result.output and "Nothing was imported." in result.output
    assert [(m.name, m.units) for m in tm.list_memories()] == [("good", 1)]


# --- concordance --------------------------------------------------------------------------------------------

def concordance(client, headers, **args):
    response = client.get(f"{API}/concordance", query_string=args, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_reviewer_finds_how_a_term_was_rendered_before_behind_proclitics_and_other_spellings(
        client, admin, reviewer, other_reviewer, rami, salma):
    texts = ["أعلنت وزارة الخارجية الإيرانية أن المحادثات ستستأنف.",
             "وقال بيان لوزارة الخارجية الايرانية إن الوفد وصل.",
             "ورحبت وبوزارة الخارجيـة الإيرانيّة بالقرار، وزارة الخارجية الإيرانية.",
             "قالت وزارة الخارجية الروسية إن الوزير سافر."]
    english = ["The Iranian Foreign Ministry announced the talks would resume.",
               "A statement by the Iranian foreign ministry said the delegation arrived.",
               "The Iranian Foreign Ministry welcomed the decision.",
               "The Russian Foreign Ministry said the minister travelled."]
    article = article_of(texts, admin, other_reviewer)
    for paragraph, en in zip(paragraphs_of(article), english):
        translate_and_approve(client, salma, paragraph, en)

    found = concordance(client, rami, q="وزارة الخارجية الإيرانية", lang="ar")
    assert found["total"] == 3
    spans = {hit["ar"]: [hit["ar"][s:e] for s, e in hit["spans"]] for hit in found["hits"]}
    assert spans == {texts[0]: ["وزارة الخارجية الإيرانية"],
                     texts[1]: ["وزارة الخارجية الايرانية"],  # ل in front, hamza not written
                     texts[2]: ["وزارة الخارجيـة الإيرانيّة", "وزارة الخارجية الإيرانية"]}
    assert {hit["origin"] for hit in found["hits"]} == {"approved"}
    assert all(hit["paragraph_id"] and hit["tm_name"] is None for hit in found["hits"])

    english_hits = concordance(client, rami, q="foreign ministry", lang="en")
    assert english_hits["total"] == 4
    for hit in english_hits["hits"]:
        assert [hit["en"][s:e].lower() for s, e in hit["spans"]] == ["foreign ministry"]
    assert concordance(client, rami, q="ministr", lang="en")["total"] == 0  # whole words only
    assert len(concordance(client, rami, q="foreign ministry", lang="en", limit=2)["hits"]) == 2
    assert english_hits["total_exact"] is True


def test_a_concordance_of_very_many_units_verifies_the_newest_and_says_its_total_is_not_exact(
        client, admin, other_reviewer, rami, salma, monkeypatch):
    article = article_of(["قالت الوزارة إن المحادثات ستستأنف.", "وقالت الوزارة إن الوفد وصل.",
                          "قالت الوزارة إن الوزير سافر."], admin, other_reviewer)
    for paragraph in paragraphs_of(article):
        translate_and_approve(client, salma, paragraph, f"The ministry said so ({paragraph.position}).")
    monkeypatch.setattr(tm, "_CHUNK", 1)
    monkeypatch.setattr(tm, "EXACT_TOTAL_UP_TO", 0)
    found = concordance(client, rami, q="قالت الوزارة", lang="ar", limit=1)
    assert [hit["paragraph_id"] for hit in found["hits"]] == [paragraphs_of(article)[2].id]  # the newest
    assert (found["total"], found["total_exact"]) == (3, False)
    monkeypatch.setattr(tm, "EXACT_TOTAL_UP_TO", 500)
    assert concordance(client, rami, q="قالت الوزارة", lang="ar", limit=1)["total_exact"] is True


def test_concordance_never_shows_unapproved_work_and_is_open_to_corpus_users(
        client, admin, reviewer, rami, salma, other_reviewer):
    article = article_of([STATEMENT, OTHER], admin, reviewer)
    approved_one, edited_one = paragraphs_of(article)
    translate_and_approve(client, rami, approved_one, STATEMENT_EN)
    translate_and_approve(client, rami, edited_one, "Oil prices rose.", approved=False)
    assert concordance(client, rami, q="أسعار النفط", lang="ar") == {"hits": [], "total": 0,
                                                                    "total_exact": True}  # not even his own
    assert concordance(client, salma, q="oil", lang="en")["total"] == 0
    assert concordance(client, salma, q="المتحدث", lang="ar")["total"] == 1  # another reviewer's approved work
    carla = bearer(user_service.issue_api_token(user_service.create_user("carla", PASSWORD, "corpus")))
    assert concordance(client, carla, q="المتحدث", lang="ar")["total"] == 1
    assert client.get(f"{API}/concordance", query_string={"q": "oil"}).status_code == 401


@pytest.mark.parametrize("args", [{"q": ""}, {"q": "   "}, {"lang": "ar"}, {"q": "x", "lang": "fr"},
                                  {"q": "x", "limit": 0}, {"q": "x", "limit": 201}, {"q": "x", "limit": "many"},
                                  {"q": "،؟"}])
def test_concordance_refuses_an_empty_query_a_bad_language_or_a_bad_limit(client, rami, args):
    response = client.get(f"{API}/concordance", query_string=args, headers=rami)
    assert response.status_code == 422, (args, response.get_json())
    assert response.get_json()["error"]["message"]


# --- QA check `inconsistent` --------------------------------------------------------------------------------

def test_reviewer_is_warned_when_a_sentence_approved_elsewhere_gets_a_different_english(
        client, admin, reviewer, other_reviewer, rami, salma):
    earlier = article_of([STATEMENT], admin, other_reviewer, "سابق")
    (done,) = paragraphs_of(earlier)
    translate_and_approve(client, salma, done, STATEMENT_EN)

    later = article_of([STATEMENT.replace("الإقليمي", "الاقليمي") + " وأضاف أن الزيارة تأتي في إطار التشاور.",
                        OTHER], admin, reviewer, "لاحق")
    here, unrelated = paragraphs_of(later)
    saved = save(client, rami, here.id, "The spokesman said talks would be about the economy. He added the visit "
                 "is part of consultations.", here.version).get_json()
    (finding,) = [f for f in saved["qa"] if f["check"] == "inconsistent"]
    assert finding["severity"] == "warning"
    assert f"in article {earlier.id}, paragraph {done.id}" in finding["message"]
    assert STATEMENT_EN in finding["message"]

    consistent = save(client, rami, here.id, STATEMENT_EN + " He added the visit is part of consultations.",
                      saved["version"]).get_json()
    assert [f for f in consistent["qa"] if f["check"] == "inconsistent"] == []
    other = save(client, rami, unrelated.id, "Oil prices rose three percent.", unrelated.version).get_json()
    assert [f for f in other["qa"] if f["check"] == "inconsistent"] == []


def test_a_paragraph_is_never_inconsistent_with_its_own_approval(client, admin, reviewer, rami):
    article = article_of([STATEMENT], admin, reviewer)
    (paragraph,) = paragraphs_of(article)
    translate_and_approve(client, rami, paragraph, STATEMENT_EN)
    db.session.expire_all()
    assert [f for f in db.session.get(Paragraph, paragraph.id).qa_findings if f["check"] == "inconsistent"] == []


def test_the_inconsistent_check_names_each_place_and_accepts_case_and_spacing_differences():
    from app.services.qa import QAContext, check_paragraph

    approved = (("جملة", "The talks resumed.", "article 1, paragraph 2"),
                ("جملة", "Talks restarted.", "article 3, paragraph 4"))
    findings = [f for f in check_paragraph("جملة", "the  TALKS resumed.", QAContext(approved_elsewhere=approved))
                if f.check == "inconsistent"]
    assert [f.message for f in findings] == [
        '"جملة" was approved elsewhere with a different English: as "Talks restarted." in article 3, paragraph 4']


def test_an_index_built_in_parts_finds_what_one_built_at_once_finds(app, tmp_path, monkeypatch):
    """A first build indexes the memory in parts (_BUILD_CHUNK units at a time, to keep its peak memory
    down); merging the parts' postings must lose no unit and no feature."""
    texts = [DATELINE, STATEMENT, OTHER, "وقال بيان لوزارة الخارجية الايرانية إن الوفد وصل.",
             "موسكو، 15 أبريل/نيسان. أعلنت وزارة الخارجية الروسية أن الوزير سيزور أنقرة الأسبوع المقبل.",
             "قالت وزارة الخارجية الروسية إن الوزير سافر.", "ارتفعت أسعار الذهب في الأسواق العالمية."]
    path = tmp_path / "memory.tmx"
    path.write_bytes(tmx_of([(ar, f"English {n}.") for n, ar in enumerate(texts)]))
    tm.import_tmx(path.read_bytes(), name="news", file_name=path.name)

    def answers() -> tuple:
        tm.forget_indexes()
        index = tm.memory_index()
        keys = tm.memory_keys(texts + ["أعلنت وزارة الخارجية أن الوزير سيزور طهران."])
        return (len(index), [index.scored(key, 0.3) for key in keys],
                [sorted(index.containing(["وزارة", "الخارجية"]).tolist()),
                 sorted(index.containing(["english"], english=True).tolist())])

    at_once = answers()
    monkeypatch.setattr(tm, "_BUILD_CHUNK", 2)
    assert answers() == at_once
    assert at_once[0] == len(texts) and len(at_once[2][1]) == len(texts)
