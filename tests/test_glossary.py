"""The glossary: CRUD, learning from approved links, TSV import/export, the CLI and the admin page."""
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Entity, EntityLink, GlossaryTerm, Label, Paragraph, Translation
from app.services import NotFound, ServiceError
from app.services import glossary
from tests.conftest import csrf_token_from, log_in


def terms():
    return sorted((t.ar, t.en, glossary.label_name_of(t), t.origin) for t in db.session.scalars(select(GlossaryTerm)))


# --- CRUD ---------------------------------------------------------------------------------------------------

def test_create_cleans_both_sides_and_refuses_bad_terms(app, admin):
    term = glossary.create_term("  روسيا \u00a0 الاتحادية ", "Russian\tFederation ", "loc", actor=admin)
    assert (term.ar, term.en, glossary.label_name_of(term), term.origin) == (
        "روسيا الاتحادية", "Russian Federation", "LOC", "manual")
    assert glossary.create_term("ا\u0653سيا", "Asia", "LOC").ar == "آسيا"  # NFC
    for ar, en, label, message in [
        ("", "Russia", "LOC", "Arabic form cannot be empty"),
        ("روسيا", "   ", "LOC", "English form cannot be empty"),
        ("روسيا", "Russia", "PLACE", "Unknown label 'PLACE'"),
        ("روسيا", "Russia", "", "A label is required"),
        ("روسيا الاتحادية", "Russian Federation", "LOC", "already in the glossary"),
        ("ر" * 201, "Russia", "LOC", "at most 200 characters"),
    ]:
        with pytest.raises(ServiceError, match=message):
            glossary.create_term(ar, en, label)
    assert db.session.scalar(select(func.count()).select_from(GlossaryTerm)) == 2
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "glossary_term",
                                                             AuditEvent.object_id == term.id)) == "glossary.create"


def test_update_makes_a_term_manual_and_delete_removes_it(app, admin):
    term = glossary.create_term("موسكو", "Moscow", "LOC", origin="learned")
    other = glossary.create_term("روسيا", "Russia", "LOC")
    updated = glossary.update_term(term.id, ar="موسكو", en="Moskva", label="LOC", actor=admin)
    assert (updated.en, updated.origin) == ("Moskva", "manual")
    with pytest.raises(ServiceError, match="already in the glossary"):
        glossary.update_term(term.id, ar="روسيا", en="Russia", label="LOC")
    glossary.delete_term(other.id, actor=admin)
    assert terms() == [("موسكو", "Moskva", "LOC", "manual")]
    with pytest.raises(NotFound):
        glossary.delete_term(other.id)


def test_list_pages_and_searches_both_sides(app):
    for i in range(7):
        glossary.create_term(f"اسم{i}", f"Name {i}", "PER")
    glossary.create_term("الاتحاد الاقتصادي الأوراسي", "Eurasian Economic Union", "ORG")
    page = glossary.list_terms(page=2, per_page=3)
    assert (page.total, page.last_page, len(page.terms)) == (8, 3, 3)
    assert [t.en for t in glossary.list_terms(search="eurasian").terms] == ["Eurasian Economic Union"]
    # Arabic is compared normalised: a bare alef finds the hamza form, 50% finds nothing odd.
    assert [t.en for t in glossary.list_terms(search="الاوراسي").terms] == ["Eurasian Economic Union"]
    assert glossary.list_terms(search="50%").total == 0
    assert glossary.list_terms(search="name 3").terms[0].ar == "اسم3"


# --- learning from approved paragraphs -----------------------------------------------------------------------

def _approved_paragraph_with_links(reviewer, seeded, english: str, links: list[tuple[str, str, str]]) -> Paragraph:
    """A paragraph of the first seed article, approved with `english`, and linked entities (ar, en, label)."""
    paragraph = db.session.scalars(select(Paragraph).where(Paragraph.article_id == seeded[0])
                                   .order_by(Paragraph.position)).first()
    revision = Translation(paragraph_id=paragraph.id, text=english, origin="human", author_id=reviewer.id)
    db.session.add(revision)
    db.session.flush()
    paragraph.current_revision_id = paragraph.approved_revision_id = revision.id
    paragraph.status = "approved"
    labels = {label.name: label.id for label in db.session.scalars(select(Label))}
    for ar, en, label in links:
        ar_start, en_start = paragraph.ar.index(ar), english.index(en)
        ar_entity = Entity(paragraph_id=paragraph.id, lang="ar", start=ar_start, end=ar_start + len(ar),
                           label_id=labels[label], text=ar)
        en_entity = Entity(paragraph_id=paragraph.id, lang="en", translation_id=revision.id, start=en_start,
                           end=en_start + len(en), label_id=labels[label], text=en)
        db.session.add_all([ar_entity, en_entity])
        db.session.flush()
        db.session.add(EntityLink(ar_entity_id=ar_entity.id, en_entity_id=en_entity.id))
    db.session.commit()
    return paragraph


def test_learning_adds_linked_pairs_and_never_touches_manual_terms(app, reviewer, seeded):
    glossary.create_term("روسيا", "Russia", "LOC")  # manual, identical to a learned pair: stays manual
    paragraph = _approved_paragraph_with_links(
        reviewer, seeded, "Russia and Turkmenistan work on the Eurasian Economic Union.",
        [("روسيا", "Russia", "LOC"), ("تركمانستان", "Turkmenistan", "LOC"),
         ("الاتحاد الاقتصادي الأوراسي", "Eurasian Economic Union", "ORG")])
    added = glossary.learn_from_paragraph(paragraph.id)
    db.session.commit()
    assert sorted(t.en for t in added) == ["Eurasian Economic Union", "Turkmenistan"]
    assert terms() == [
        ("الاتحاد الاقتصادي الأوراسي", "Eurasian Economic Union", "ORG", "learned"),
        ("تركمانستان", "Turkmenistan", "LOC", "learned"),
        ("روسيا", "Russia", "LOC", "manual"),
    ]
    assert glossary.learn_from_paragraph(paragraph.id) == []  # idempotent


def test_learning_ignores_links_to_an_older_revision_and_unapproved_paragraphs(app, reviewer, seeded):
    paragraph = _approved_paragraph_with_links(reviewer, seeded, "Russia.", [("روسيا", "Russia", "LOC")])
    newer = Translation(paragraph_id=paragraph.id, text="Russia!", origin="human", author_id=reviewer.id)
    db.session.add(newer)
    db.session.flush()
    paragraph.approved_revision_id = paragraph.current_revision_id = newer.id
    db.session.commit()
    assert glossary.learn_from_paragraph(paragraph.id) == []
    other = db.session.scalars(select(Paragraph).where(Paragraph.approved_revision_id.is_(None))).first()
    assert glossary.learn_from_paragraph(other.id) == []


# --- TSV ------------------------------------------------------------------------------------------------------

def test_export_then_import_round_trips(app):
    glossary.create_term("روسيا", "Russia", "LOC")
    glossary.create_term("بوتين", "Vladimir Putin", "PER", origin="learned")
    out = io.StringIO()
    assert glossary.export_tsv(out) == 2
    assert out.getvalue() == "ar\ten\tlabel\nبوتين\tVladimir Putin\tPER\nروسيا\tRussia\tLOC\n"
    report = glossary.import_tsv(io.BytesIO(out.getvalue().encode()))
    assert report.added == [] and [n for n, _ in report.updated] == [2] and [n for n, _ in report.skipped] == [3]
    assert terms() == [("بوتين", "Vladimir Putin", "PER", "manual"), ("روسيا", "Russia", "LOC", "manual")]


def test_import_reports_each_line(app, admin):
    glossary.create_term("روسيا", "Russia", "LOC")
    data = ("\ufeffar\ten\tlabel\r\n"
            "تركمانستان\tTurkmenistan\tLOC\r\n"
            "\r\n"
            "روسيا\tRussia\tLOC\r\n"
            "موسكو \t Moscow\tloc\r\n"
            "تركمانستان\tTurkmenistan\tLOC\r\n")
    report = glossary.import_tsv(io.BytesIO(data.encode("utf-8")), actor=admin)
    assert report.lines() == [
        "line 2: added: تركمانستان → Turkmenistan (LOC)",
        "line 4: skipped: روسيا → Russia (LOC): already in the glossary",
        "line 5: added: موسكو → Moscow (LOC)",
        "line 6: skipped: تركمانستان → Turkmenistan (LOC): same as line 2",
    ]
    assert report.summary() == "2 added, 0 updated, 2 skipped, 0 errors"
    assert len(terms()) == 3


@pytest.mark.parametrize("data, errors", [
    ("ar\ten\n", [(1, "the first line must be the header 'ar<TAB>en<TAB>label'")]),
    ("", [(1, "the first line must be the header 'ar<TAB>en<TAB>label'")]),
    ("ar\ten\tlabel\nروسيا\tRussia\tLOC\nموسكو\tMoscow\n\tX\tLOC\nبوتين\tPutin\tBOSS\nكييف\tKyiv\t\n", [
        (3, "expected 3 tab-separated fields (ar, en, label), found 2"),
        (4, "The Arabic form cannot be empty."),
        (5, "unknown label 'BOSS'"),
        (6, "the label is empty"),
    ]),
])
def test_a_malformed_file_changes_nothing(app, data, errors):
    glossary.create_term("روسيا", "Russia", "LOC", origin="learned")
    with pytest.raises(glossary.GlossaryImportError) as refused:
        glossary.import_tsv(io.StringIO(data))
    assert refused.value.report.errors == errors
    assert terms() == [("روسيا", "Russia", "LOC", "learned")]


def test_a_file_that_is_not_utf8_is_refused(app):
    with pytest.raises(glossary.GlossaryImportError) as refused:
        glossary.import_tsv(io.BytesIO("ar\ten\tlabel\nروسيا\tRussia\tLOC\n".encode("cp1256")))
    assert refused.value.report.errors == [(2, "not UTF-8 text")]
    assert terms() == []


def test_cli_export_and_import(app, tmp_path):
    runner = app.test_cli_runner()
    source = tmp_path / "in.tsv"
    source.write_text("ar\ten\tlabel\nروسيا\tRussia\tLOC\nبوتين\tVladimir Putin\tPER\n", encoding="utf-8")
    result = runner.invoke(args=["glossary", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "line 2: added: روسيا → Russia (LOC)" in result.output
    result = runner.invoke(args=["glossary", "export", "-"])
    assert result.exit_code == 0
    assert result.stdout == "ar\ten\tlabel\nبوتين\tVladimir Putin\tPER\nروسيا\tRussia\tLOC\n"
    target = tmp_path / "out.tsv"
    assert runner.invoke(args=["glossary", "export", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == result.stdout

    source.write_text("ar\ten\tlabel\nكييف\tKyiv\tCITY\n", encoding="utf-8")
    result = runner.invoke(args=["glossary", "import", str(source)])
    assert result.exit_code == 1
    assert "line 2: error: unknown label 'CITY'" in result.output
    assert len(terms()) == 2


# --- the admin page --------------------------------------------------------------------------------------------

def test_only_admins_see_the_glossary_page(reviewer_client):
    assert reviewer_client.get("/admin/glossary").status_code == 403


def test_admin_creates_edits_searches_and_deletes_terms(admin_client):
    page = admin_client.get("/admin/glossary")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="/admin/glossary"' in html  # the nav link
    token = csrf_token_from(html)

    response = admin_client.post("/admin/glossary", data={
        "term-csrf_token": token, "term-ar": "الاتحاد الاقتصادي الأوراسي", "term-en": "Eurasian Economic Union",
        "term-label": "ORG"})
    assert response.status_code == 302
    html = admin_client.get("/admin/glossary").get_data(as_text=True)
    assert '<td dir="rtl" lang="ar">الاتحاد الاقتصادي الأوراسي</td>' in html
    term_id = db.session.scalar(select(GlossaryTerm.id))

    refused = admin_client.post("/admin/glossary", data={
        "term-csrf_token": token, "term-ar": "روسيا", "term-en": "Russia", "term-label": "NOPE"})
    assert refused.status_code == 422  # not a label choice
    no_csrf = admin_client.post("/admin/glossary", data={"term-ar": "روسيا", "term-en": "Russia", "term-label": "LOC"})
    assert no_csrf.status_code == 400  # CSRFProtect refuses it before the view
    assert db.session.scalar(select(func.count()).select_from(GlossaryTerm)) == 1

    edit = admin_client.get(f"/admin/glossary/{term_id}").get_data(as_text=True)
    assert 'value="Eurasian Economic Union"' in edit and 'dir="rtl" lang="ar"' in edit
    response = admin_client.post(f"/admin/glossary/{term_id}", data={
        "term-csrf_token": token, "term-ar": "الاتحاد الاقتصادي الأوراسي", "term-en": "EAEU", "term-label": "ORG"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(GlossaryTerm, term_id).en == "EAEU"

    assert "EAEU" in admin_client.get("/admin/glossary?q=الاوراسي").get_data(as_text=True)
    assert "No term matches" in admin_client.get("/admin/glossary?q=Putin").get_data(as_text=True)

    assert admin_client.post(f"/admin/glossary/{term_id}/delete").status_code == 400  # no CSRF token
    response = admin_client.post(f"/admin/glossary/{term_id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(GlossaryTerm)) == 0
    assert admin_client.get(f"/admin/glossary/{term_id}").status_code == 404


def test_glossary_page_paginates(admin_client, admin):
    for i in range(55):
        glossary.create_term(f"اسم{i:02d}", f"Name {i:02d}", "PER")
    html = admin_client.get("/admin/glossary?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in html and "Name 54" in html and "Name 00" not in html


def test_a_login_then_the_glossary(client, admin):
    assert log_in(client, admin.username, next_url="/admin/glossary").headers["Location"].endswith("/admin/glossary")


# --- what is not a term: numbers, text without Arabic letters, whole sentences --------------------------------

@pytest.mark.parametrize(("ar", "en", "message"), [
    ("٤٫٢٪", "4.2%", "number or an amount"),
    ("4.2%", "4.2%", "number or an amount"),
    ("G20", "G20", "must contain Arabic letters"),
    ("820 مليون", "820 million", "number or an amount"),
    ("Russia", "Russia", "must contain Arabic letters"),
    ("روسيا", "4,200", "number or an amount"),
    ("ر" * 201, "Russia", "200 characters"),
])
def test_the_glossary_refuses_numbers_text_without_arabic_letters_and_overlong_terms(admin_client, ar, en, message):
    token = csrf_token_from(admin_client.get("/admin/glossary").get_data(as_text=True))
    refused = admin_client.post("/admin/glossary", data={
        "term-csrf_token": token, "term-ar": ar, "term-en": en, "term-label": "MISC"})
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(GlossaryTerm)) == 0
    assert glossary.create_term("الفصل 7", "Chapter 7", "MISC").ar == "الفصل 7"  # a name with a number is a term


def test_learning_skips_linked_numbers_and_amounts(app, reviewer, seeded):
    first = db.session.scalars(select(Paragraph).where(Paragraph.article_id == seeded[0])
                               .order_by(Paragraph.position)).first()
    first.ar = "نما اقتصاد روسيا ٤٫٢٪ وبلغ 820 مليون دولار"
    db.session.commit()
    paragraph = _approved_paragraph_with_links(
        reviewer, seeded, "Russia's economy grew 4.2% and reached 820 million dollars",
        [("روسيا", "Russia", "LOC"), ("٤٫٢٪", "4.2%", "MISC"), ("820 مليون", "820 million", "MISC")])
    added = glossary.learn_from_paragraph(paragraph.id)
    db.session.commit()
    assert [(t.ar, t.en) for t in added] == [("روسيا", "Russia")]
