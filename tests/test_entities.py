"""Tagging named entities on both sides, linking them, and keeping English spans through edits."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Entity, EntityLink, Paragraph
from app.services import entities as entity_service
from app.services import review as review_service
from tests.support.fixtures import API, first_paragraph, save

AR = "روسيا وتركمانستان تعملان على تطوير التعاون"
EN = "Russia and Turkmenistan work on developing cooperation."


@pytest.fixture
def paragraph(app, article, reviewer) -> Paragraph:
    """The first paragraph of the assigned article, with known Arabic and English."""
    paragraph = first_paragraph(article)
    paragraph.ar = AR
    db.session.commit()
    review_service.save_translation(paragraph.id, EN, paragraph.version, actor=reviewer)
    return first_paragraph(article)


def tag(client, headers, paragraph_id, lang, start, end, label="LOC", **extra):
    return client.post(f"{API}/paragraphs/{paragraph_id}/entities",
                       json={"lang": lang, "start": start, "end": end, "label": label, **extra}, headers=headers)


def entity_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Entity))


# Tagging ---------------------------------------------------------------------


def test_reviewer_tags_an_arabic_and_an_english_entity(client, paragraph, rami):
    arabic = tag(client, rami, paragraph.id, "ar", 0, 5)
    english = tag(client, rami, paragraph.id, "en", 0, 6)

    assert arabic.status_code == 201, arabic.get_json()
    assert arabic.get_json() == {"id": arabic.get_json()["id"], "lang": "ar", "start": 0, "end": 5, "label": "LOC",
                                 "text": "روسيا", "flagged": False}
    assert english.get_json()["text"] == "Russia"
    listed = client.get(f"{API}/paragraphs/{paragraph.id}/entities", headers=rami).get_json()
    assert [(e["lang"], e["text"]) for e in listed["entities"]] == [("ar", "روسيا"), ("en", "Russia")]


def test_tagging_does_not_change_the_paragraph_version(client, paragraph, rami):
    tag(client, rami, paragraph.id, "ar", 0, 5)
    assert first_paragraph(paragraph.article).version == paragraph.version


def test_overlapping_spans_with_other_labels_are_allowed_but_exact_duplicates_are_refused(client, paragraph, rami):
    assert tag(client, rami, paragraph.id, "en", 0, 23, "MISC").status_code == 201  # "Russia and Turkmenistan"
    assert tag(client, rami, paragraph.id, "en", 0, 6, "LOC").status_code == 201
    assert tag(client, rami, paragraph.id, "en", 0, 6, "ORG").status_code == 201
    duplicate = tag(client, rami, paragraph.id, "en", 0, 6, "LOC")
    assert duplicate.status_code == 409
    assert "already tagged LOC" in duplicate.get_json()["error"]["message"]
    assert entity_count() == 3


@pytest.mark.parametrize("lang, start, end, label, message", [
    ("ar", 3, 3, "LOC", "empty or reversed"),
    ("ar", 5, 2, "LOC", "empty or reversed"),
    ("ar", 0, 999, "LOC", "outside the text"),
    ("en", 0, 7, "LOC", "white space"),
    ("ar", 0, 5, "NOPE", "Unknown label 'NOPE'"),
])
def test_bad_spans_get_422_with_a_clear_message_and_nothing_is_written(client, paragraph, rami, lang, start, end,
                                                                       label, message):
    response = tag(client, rami, paragraph.id, lang, start, end, label)
    assert response.status_code == 422
    assert message in response.get_json()["error"]["message"]
    assert entity_count() == 0


def test_a_span_cutting_a_letter_from_its_diacritic_is_refused(client, app, paragraph, rami, reviewer):
    paragraph.ar = "زارَ بوتين مدينةَ عشق‍آباد"  # fatha after the ر of زار and after the ة of مدينة
    db.session.commit()
    cut = tag(client, rami, paragraph.id, "ar", 0, 3)  # "زار" without its fatha
    assert cut.status_code == 422
    assert "combining mark" in cut.get_json()["error"]["message"]
    starts_with_mark = tag(client, rami, paragraph.id, "ar", 3, 10)
    assert starts_with_mark.status_code == 422
    whole = tag(client, rami, paragraph.id, "ar", 0, 4, "MISC")
    assert whole.status_code == 201 and whole.get_json()["text"] == "زارَ"


def test_arabic_with_tatweel_mixed_digits_and_a_character_outside_the_bmp(client, app, paragraph, rami):
    paragraph.ar = "𝕏 قالت روســيا إن ٢٨.2 مليار"
    db.session.commit()
    russia = paragraph.ar.index("روســيا")
    response = tag(client, rami, paragraph.id, "ar", russia, russia + len("روســيا"))
    assert response.get_json()["text"] == "روســيا"
    money = paragraph.ar.index("٢٨.2 مليار")
    assert tag(client, rami, paragraph.id, "ar", money, len(paragraph.ar), "MONEY").get_json()["text"] == "٢٨.2 مليار"
    # The same span counted in UTF-16 code units, as the browser counts: 𝕏 is two units there.
    utf16 = tag(client, rami, paragraph.id, "ar", russia + 1, russia + 1 + len("روســيا"), "ORG", unit="utf16")
    assert utf16.status_code == 201 and utf16.get_json()["start"] == russia
    cut_pair = tag(client, rami, paragraph.id, "ar", 1, 4, unit="utf16")
    assert cut_pair.status_code == 422 and "outside the BMP" in cut_pair.get_json()["error"]["message"]


def test_english_tag_on_a_stale_revision_is_refused(client, paragraph, rami, reviewer):
    old_revision = paragraph.current_revision_id
    review_service.save_translation(paragraph.id, "Russia and Turkmenistan cooperate.", paragraph.version,
                                    actor=reviewer)
    response = tag(client, rami, paragraph.id, "en", 0, 6, revision_id=old_revision)
    assert response.status_code == 409
    assert entity_count() == 0


def test_relabel_clear_flag_and_delete(client, paragraph, rami):
    created = tag(client, rami, paragraph.id, "ar", 0, 5).get_json()
    relabelled = client.patch(f"{API}/entities/{created['id']}", json={"label": "ORG"}, headers=rami)
    assert relabelled.status_code == 200 and relabelled.get_json()["label"] == "ORG"
    assert client.patch(f"{API}/entities/{created['id']}", json={"flagged": True}, headers=rami).status_code == 422
    assert client.delete(f"{API}/entities/{created['id']}", headers=rami).status_code == 204
    assert client.delete(f"{API}/entities/{created['id']}", headers=rami).status_code == 404
    assert entity_count() == 0


def test_reviewer_cannot_tag_in_an_article_not_assigned_to_them(client, app, seeded, paragraph, salma):
    other = db.session.scalar(select(Paragraph).where(Paragraph.article_id == seeded[1]))
    assert tag(client, salma, other.id, "ar", 0, 3).status_code == 404


def test_unknown_retired_labels_are_refused(client, app, paragraph, rami):
    from app.models import Label

    db.session.scalar(select(Label).where(Label.name == "MISC")).retired = True
    db.session.commit()
    response = tag(client, rami, paragraph.id, "ar", 0, 5, "MISC")
    assert response.status_code == 422
    assert "MISC" not in response.get_json()["error"]["message"].split("use one of:")[1]


# Links -----------------------------------------------------------------------


def test_linking_an_arabic_entity_to_its_english_rendering(client, paragraph, rami):
    ar = tag(client, rami, paragraph.id, "ar", 0, 5).get_json()
    en = tag(client, rami, paragraph.id, "en", 0, 6).get_json()
    body = {"ar_entity_id": ar["id"], "en_entity_id": en["id"]}

    created = client.post(f"{API}/entity-links", json=body, headers=rami)

    assert created.status_code == 201
    assert client.post(f"{API}/entity-links", json=body, headers=rami).status_code == 409
    article = client.get(f"{API}/articles/{paragraph.article_id}", headers=rami).get_json()
    first = article["paragraphs"][0]
    assert first["links"] == [{"id": created.get_json()["id"], **body}]
    assert {e["id"] for e in first["entities"]} == {ar["id"], en["id"]}
    reversed_link = client.post(f"{API}/entity-links", json={"ar_entity_id": en["id"], "en_entity_id": ar["id"]},
                                headers=rami)
    assert reversed_link.status_code == 422
    assert client.delete(f"{API}/entity-links", json=body, headers=rami).status_code == 204
    assert db.session.scalar(select(func.count()).select_from(EntityLink)) == 0


# English edits keep their entities ------------------------------------------------


def carried(old: str, new: str, surface: str):
    start = old.index(surface)
    return entity_service.carry_span(old, new, start, start + len(surface))


@pytest.mark.parametrize("new, expected, flagged", [
    ("Yesterday Russia and Turkmenistan work on cooperation.", "Turkmenistan", False),   # insertion before
    ("Russia and Turkmenistan work hard on developing cooperation.", "Turkmenistan", False),  # insertion after
    ("Russia and Turkmeni stan work on developing cooperation.", "Turkmeni stan", True),  # insertion inside
    ("Russia and Turkmenia work on developing cooperation.", "Turkmenia", True),  # part of the span replaced
    ("Russia and Turkmenistani work on developing cooperation.", "Turkmenistan", True),  # a letter glued on
])
def test_an_english_span_follows_its_text_through_an_edit(new, expected, flagged):
    span = carried(EN, new, "Turkmenistan")
    assert span is not None
    assert new[span.start:span.end] == expected
    assert span.flagged is flagged


def test_a_span_whose_text_is_deleted_is_not_moved_onto_other_words():
    assert carried(EN, "Russia and work on developing cooperation.", "Turkmenistan") is None
    assert carried(EN, "Moscow hosts talks about gas pipelines.", "Turkmenistan") is None


def test_saving_carries_entities_and_links_to_the_new_revision(client, paragraph, rami):
    ar = tag(client, rami, paragraph.id, "ar", 6, 17).get_json()  # تركمانستان (with its و? no: starts after it)
    en = tag(client, rami, paragraph.id, "en", 11, 23).get_json()  # Turkmenistan
    russia = tag(client, rami, paragraph.id, "en", 0, 6).get_json()
    client.post(f"{API}/entity-links", json={"ar_entity_id": ar["id"], "en_entity_id": en["id"]}, headers=rami)
    version = first_paragraph(paragraph.article).version

    response = save(client, rami, paragraph.id, "Today, the Russian Federation and Turkmenistan work together.",
                    version)

    assert response.status_code == 200
    assert response.get_json()["entities_lost"] == 0
    listed = client.get(f"{API}/paragraphs/{paragraph.id}/entities", headers=rami).get_json()
    english = {e["text"]: e for e in listed["entities"] if e["lang"] == "en"}
    assert set(english) == {"Turkmenistan", "Russia"}
    assert english["Turkmenistan"]["flagged"] is False
    assert english["Russia"]["flagged"] is True  # now inside "Russian": the reviewer should look again
    assert listed["links"] == [{"id": listed["links"][0]["id"], "ar_entity_id": ar["id"],
                                "en_entity_id": english["Turkmenistan"]["id"]}]
    assert russia["id"] not in {e["id"] for e in listed["entities"]}  # the old revision keeps its own


def test_replacing_the_whole_english_keeps_only_entities_whose_words_survive(client, paragraph, rami):
    tag(client, rami, paragraph.id, "en", 0, 6)  # Russia
    tag(client, rami, paragraph.id, "en", 11, 23)  # Turkmenistan
    version = first_paragraph(paragraph.article).version
    response = save(client, rami, paragraph.id, "Ashgabat hosted talks with Russia.", version)
    assert response.get_json()["entities_lost"] == 1
    listed = client.get(f"{API}/paragraphs/{paragraph.id}/entities", headers=rami).get_json()
    assert [(e["text"], e["flagged"]) for e in listed["entities"]] == [("Russia", False)]  # its own text is intact


# Suggestions and the glossary through the API ------------------------------------------


def test_glossary_terms_are_suggested_pre_linked_and_a_rejection_sticks(client, paragraph, rami):
    from app.services import glossary

    glossary.create_term("تركمانستان", "Turkmenistan", "LOC")
    db.session.commit()
    suggestions = client.get(f"{API}/articles/{paragraph.article_id}/suggestions", headers=rami).get_json()
    mine = [s for s in suggestions["suggestions"] if s["paragraph_id"] == paragraph.id]
    arabic = next(s for s in mine if s["lang"] == "ar")
    english = next(s for s in mine if s["lang"] == "en")
    assert (arabic["text"], arabic["label"], arabic["source"]) == ("تركمانستان", "LOC", "glossary")  # و left out
    assert english["text"] == "Turkmenistan"
    assert english["link_to"] == {"lang": "ar", "start": arabic["start"], "end": arabic["end"]}

    rejected = client.post(f"{API}/paragraphs/{paragraph.id}/suggestions/reject",
                           json={k: arabic[k] for k in ("lang", "start", "end", "label")}, headers=rami)
    assert rejected.status_code == 204
    again = client.get(f"{API}/articles/{paragraph.article_id}/suggestions", headers=rami).get_json()["suggestions"]
    assert not [s for s in again if s["paragraph_id"] == paragraph.id and s["lang"] == "ar"]


def test_approving_a_linked_paragraph_teaches_the_glossary(client, paragraph, rami):
    from app.models import GlossaryTerm

    ar = tag(client, rami, paragraph.id, "ar", 0, 5).get_json()
    en = tag(client, rami, paragraph.id, "en", 0, 6).get_json()
    client.post(f"{API}/entity-links", json={"ar_entity_id": ar["id"], "en_entity_id": en["id"]}, headers=rami)
    version = first_paragraph(paragraph.article).version
    response = client.post(f"{API}/paragraphs/{paragraph.id}/approve",
                           json={"version": version, "override_reason": "Shortened test paragraph."}, headers=rami)
    assert response.status_code == 200, response.get_json()
    term = db.session.scalar(select(GlossaryTerm))
    assert (term.ar, term.en, term.origin) == ("روسيا", "Russia", "learned")


def test_unlinked_arabic_entities_show_in_the_paragraph_qa_until_linked(client, paragraph, rami):
    ar = tag(client, rami, paragraph.id, "ar", 0, 5).get_json()
    findings = client.get(f"{API}/articles/{paragraph.article_id}", headers=rami).get_json()["paragraphs"][0]["qa"]
    assert {"check": "unlinked_entity", "severity": "warning",
            "message": "The Arabic entity “روسيا” has no English link"} in findings
    en = tag(client, rami, paragraph.id, "en", 0, 6).get_json()
    client.post(f"{API}/entity-links", json={"ar_entity_id": ar["id"], "en_entity_id": en["id"]}, headers=rami)
    findings = client.get(f"{API}/articles/{paragraph.article_id}", headers=rami).get_json()["paragraphs"][0]["qa"]
    assert not [f for f in findings if f["check"] == "unlinked_entity"]


# An approved paragraph ---------------------------------------------------------


def test_entities_and_links_of_an_approved_paragraph_change_only_after_reopening_it(client, paragraph, rami):
    ar = tag(client, rami, paragraph.id, "ar", 0, 5).get_json()
    en = tag(client, rami, paragraph.id, "en", 0, 6).get_json()
    link = {"ar_entity_id": ar["id"], "en_entity_id": en["id"]}
    assert client.post(f"{API}/entity-links", json=link, headers=rami).status_code == 201
    version = first_paragraph(paragraph.article).version
    approved = client.post(f"{API}/paragraphs/{paragraph.id}/approve",
                           json={"version": version, "override_reason": "Shortened test paragraph."}, headers=rami)
    assert approved.status_code == 200, approved.get_json()
    before = client.get(f"{API}/paragraphs/{paragraph.id}/entities", headers=rami).get_json()

    refusals = [
        tag(client, rami, paragraph.id, "ar", 6, 17, "LOC"),
        client.patch(f"{API}/entities/{ar['id']}", json={"label": "ORG"}, headers=rami),
        client.delete(f"{API}/entities/{en['id']}", headers=rami),
        client.delete(f"{API}/entity-links", json=link, headers=rami),
    ]
    for response in refusals:
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["error"]["message"] == \
            "This paragraph is approved: reopen it to change its entities or links."
    assert client.get(f"{API}/paragraphs/{paragraph.id}/entities", headers=rami).get_json() == before
    assert first_paragraph(paragraph.article).status == "approved"

    version = first_paragraph(paragraph.article).version
    assert client.post(f"{API}/paragraphs/{paragraph.id}/reopen", json={"version": version},
                       headers=rami).status_code == 200
    assert tag(client, rami, paragraph.id, "ar", 6, 17, "LOC").status_code == 201
