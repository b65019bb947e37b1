"""Characters no engine or export can hold (NUL, the other C0 controls but tab and newlines, lone
surrogates, U+FFFE and U+FFFF) are refused wherever a user sends text, with the field named, and
nothing changes; the importer removes stray ones from a news file and says so."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.models import Comment, GlossaryTerm, Translation
from app.extensions import db
from app.services import glossary as glossary_service
from app.services import news_text
from app.services import review as review_service
from app.services.glossary import GlossaryError
from app.services.user_text import forbidden_character_message
from tests.conftest import csrf_token_from
from tests.support.fixtures import API, first_paragraph, page_of

# (JSON escape as a client writes it, the code point the message names)
FORBIDDEN = [("\\u0000", "U+0000"), ("\\u0007", "U+0007"), ("\\u001b", "U+001B"), ("\\ud800", "U+D800"),
             ("\\udfff", "U+DFFF"), ("\\ufffe", "U+FFFE"), ("\\uffff", "U+FFFF")]
FORBIDDEN_IDS = [code for _, code in FORBIDDEN]


def revision_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Translation))


@pytest.mark.parametrize("escape, code", FORBIDDEN, ids=FORBIDDEN_IDS)
def test_english_carrying_a_character_that_cannot_be_stored_is_a_422_naming_the_field(
        client, article, rami, escape, code):
    paragraph = first_paragraph(article)
    before = revision_count()
    body = '{"text": "The presidents met' + escape + ' in Moscow.", "version": %d}' % paragraph.version
    response = client.put(f"{API}/paragraphs/{paragraph.id}/translation", data=body,
                          headers={**rami, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["json"]["text"] == [
        f"The value contains a character that cannot be stored ({code} at character 19)."]
    assert revision_count() == before
    assert first_paragraph(article).version == paragraph.version


@pytest.mark.parametrize("text", ["Tab\tseparated.", "Two lines\r\nfrom a browser.", "Two\nlines.", "Old Mac\rline."])
def test_tab_and_newlines_are_text(client, article, rami, text):
    paragraph = first_paragraph(article)
    response = client.put(f"{API}/paragraphs/{paragraph.id}/translation",
                          json={"text": text, "version": paragraph.version}, headers=rami)
    assert response.status_code == 200, response.get_json()


def test_a_forbidden_character_anywhere_in_a_request_is_named_by_its_path(client, article, rami):
    paragraph = first_paragraph(article)
    response = client.post(f"{API}/paragraphs/{paragraph.id}/approve", headers=rami,
                           json={"version": paragraph.version, "override_reason": "fine\x00"})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["json"]) == ["override_reason"]
    comment = client.post(f"{API}/articles/{article.id}/comments", json={"body": "a\x01b"}, headers=rami)
    assert comment.status_code == 422 and list(comment.get_json()["error"]["details"]["json"]) == ["body"]
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_a_comment_posted_through_the_page_with_a_control_character_is_refused(reviewer_client, assigned):
    token = csrf_token_from(page_of(reviewer_client, f"/articles/{assigned.id}"))
    response = reviewer_client.post(f"/articles/{assigned.id}/comments", follow_redirects=True,
                                    data={"csrf_token": token, "body": "Check\x1b[31m the name."})
    assert "The comment contains a character that cannot be stored (U+001B at character 6)." in (
        response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_services_refuse_them_too_for_the_cli_and_any_other_caller(article, reviewer):
    paragraph = first_paragraph(article)
    with pytest.raises(review_service.InvalidText, match=r"The English contains .* \(U\+0000 at character 4\)"):
        review_service.save_translation(paragraph.id, "The\x00 end.", paragraph.version, actor=reviewer)
    with pytest.raises(GlossaryError, match=r"The English form contains .*U\+FFFF"):
        glossary_service.create_term("موسكو", "Moscow\uffff", "LOC")
    assert db.session.scalar(select(func.count()).select_from(GlossaryTerm)) == 0


def test_the_importer_removes_stray_control_characters_and_says_so():
    raw = "خبر عاجل\n\nاجتمع\x01 الرئيسان في\x1f موسكو\ufffe اليوم.\n".encode()
    parsed = news_text.parse_news_text(raw)
    assert parsed.paragraphs[1].text == "اجتمع الرئيسان في موسكو اليوم."
    assert "removed 3 control characters" in parsed.notes
    assert all(forbidden_character_message(p.text) is None for p in parsed.paragraphs)


def test_only_the_documented_characters_are_forbidden():
    allowed = "\t\n\r" + "".join(map(chr, range(0x20, 0xD800))) + "".join(map(chr, range(0xE000, 0xFFFE)))
    assert forbidden_character_message(allowed) is None
    assert forbidden_character_message(allowed + "\U0010FFFF") is None
    refused = [c for c in map(chr, range(0x110000)) if forbidden_character_message(c) is not None]
    expected = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000),
                                 0xFFFE, 0xFFFF]]
    assert refused == expected


def test_json_a_client_sends_may_carry_lone_surrogates_which_python_decodes():
    """Why the API checks: a JSON escape of a lone surrogate decodes to a str that UTF-8 cannot encode."""
    text = json.loads('"\\ud800"')
    with pytest.raises(UnicodeEncodeError):
        text.encode("utf-8")


HUGE = str(10**30)  # beyond any BIGINT


@pytest.mark.parametrize("query", [
    f"page={HUGE}", "page=-5", "status=\x00", "assignee=\x00x", "q=\x00", "q=" + "م" * 5000,
    f"status={'x' * 5000}",
], ids=["huge page", "negative page", "NUL status", "NUL assignee", "NUL search", "long search", "long status"])
@pytest.mark.parametrize("page", ["/admin/", "/admin/glossary", "/export/", "/api/v1/articles"])
def test_hostile_query_strings_on_pages_are_answered_never_a_500(admin_client, seeded, page, query):
    response = admin_client.get(f"{page}?{query}")
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)[:500]
    if "\x00" in query:
        assert response.status_code == 400
        assert "contains a character that cannot be stored (U+0000" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [f"from={HUGE}", f"to={HUGE}", f"from=-{HUGE}"])
def test_hostile_revision_ids_in_the_history_page_are_answered_never_a_500(reviewer_client, assigned, query):
    paragraph = first_paragraph(assigned)
    response = reviewer_client.get(f"/paragraphs/{paragraph.id}/history?{query}")
    assert response.status_code in (200, 400, 404), response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("field, value", [("paragraph_id", HUGE), ("paragraph_id", "-1")])
def test_a_comment_form_with_an_impossible_paragraph_id_is_refused(reviewer_client, assigned, field, value):
    token = csrf_token_from(page_of(reviewer_client, f"/articles/{assigned.id}"))
    response = reviewer_client.post(f"/articles/{assigned.id}/comments", follow_redirects=True,
                                    data={"csrf_token": token, "body": "Check the name.", field: value})
    assert response.status_code in (200, 400, 404)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
