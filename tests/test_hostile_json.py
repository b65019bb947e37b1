"""Hostile JSON never gets a 500: a lone surrogate in any string of any JSON endpoint is a 422 naming the
field; a body nested a thousand levels deep or larger than the API takes is refused before it is parsed;
an unknown enum value is a 422. Nothing is stored."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.api import MAX_JSON_DEPTH, json_nesting_depth
from app.extensions import db
from app.models import AuditEvent, Comment, Entity, Translation
from tests.support.fixtures import API, first_paragraph

# (method, URL template, body with "\ud800" where the hostile string goes, the field the 422 names)
LONE_SURROGATE = "\\ud800"
ENDPOINTS = [
    ("PUT", "/paragraphs/{p}/translation", '{"text": "Met\\ud800 in Moscow.", "version": 1}', "text"),
    ("POST", "/articles/{a}/comments", '{"body": "Check\\ud800"}', "body"),
    ("POST", "/paragraphs/{p}/entities", '{"lang": "ar", "start": 0, "end": 2, "label": "PER\\ud800"}', "label"),
    ("PATCH", "/entities/1", '{"label": "LOC\\ud800"}', "label"),
    ("POST", "/articles/{a}/assignments", '{"username": "rami\\ud800"}', "username"),
    ("POST", "/articles/{a}/transitions", '{"to": "in_review", "comment": "go\\ud800"}', "comment"),
    ("POST", "/paragraphs/{p}/suggestions/reject", '{"lang": "ar", "start": 0, "end": 2, "label": "P\\ud800"}', "label"),
    ("POST", "/paragraphs/{p}/approve", '{"version": 1, "override_reason": "fine\\ud800"}', "override_reason"),
    ("POST", "/qa", '{"ar": "\\u0645", "en": "x\\udfff"}', "en"),
    ("POST", "/articles/{a}/comments", '{"body\\ud800": "a key"}', "body\ud800"),
]


def stored_rows() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Translation, Comment, Entity, AuditEvent))


def send(client, headers, method, url, body):
    return client.open(f"{API}{url}", method=method, data=body,
                       headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize("method, url, body, field", ENDPOINTS, ids=[f"{m} {u} {f}" for m, u, _, f in ENDPOINTS])
def test_a_lone_surrogate_in_any_json_string_is_a_422_naming_the_field(client, article, amina, method, url, body,
                                                                       field):
    paragraph = first_paragraph(article)
    before = stored_rows()
    response = send(client, amina, method, url.format(a=article.id, p=paragraph.id), body)
    assert response.status_code == 422, response.get_data(as_text=True)
    details = response.get_json()["error"]["details"]["json"]
    assert field.encode("utf-8", "surrogatepass").decode("utf-8", "replace") in [
        key.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for key in details]
    assert "U+D800" in str(details) or "U+DFFF" in str(details)
    assert stored_rows() == before


JSON_ENDPOINTS = sorted({(method, url) for method, url, _, _ in ENDPOINTS})


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a":', "}")], ids=["arrays", "objects"])
@pytest.mark.parametrize("method, url", JSON_ENDPOINTS, ids=[f"{m} {u}" for m, u in JSON_ENDPOINTS])
def test_json_nested_a_thousand_levels_is_refused_before_it_is_parsed(client, article, amina, method, url,
                                                                      opening, closing):
    paragraph = first_paragraph(article)
    before = stored_rows()
    body = opening * 1000 + "1" + closing * 1000
    response = send(client, amina, method, url.format(a=article.id, p=paragraph.id), body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["message"] == (
        f"The JSON body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels.")
    assert stored_rows() == before


def test_brackets_inside_strings_are_text_not_nesting(client, article, rami):
    paragraph = first_paragraph(article)
    text = "[[[[" * 20 + ' {"quoted \\" bracket [" ' + "}}}}" * 20 + " The end."
    response = client.put(f"{API}/paragraphs/{paragraph.id}/translation",
                          json={"text": text, "version": paragraph.version}, headers=rami)
    assert response.status_code == 200, response.get_json()


def test_nesting_depth_is_counted_outside_strings():
    assert json_nesting_depth(b'{"a": [1, {"b": "[[[{{{"}]}', 10) == 3
    assert json_nesting_depth(b'"\\\\" [[', 10) == 2  # an escaped backslash ends before the quote
    assert json_nesting_depth(b"[" * 100, 5) == 6  # stops counting past the limit


def test_a_json_body_larger_than_the_api_takes_is_a_413_before_parsing(app, client, article, rami):
    paragraph = first_paragraph(article)
    before = stored_rows()
    body = '{"text": "' + "a" * app.config["MAX_CONTENT_LENGTH"] + '", "version": %d}' % paragraph.version
    response = send(client, rami, "PUT", f"/paragraphs/{paragraph.id}/translation", body)
    assert response.status_code == 413
    assert "at most" in response.get_json()["error"]["message"]
    assert stored_rows() == before


@pytest.mark.parametrize("method, url, body, field", [
    ("POST", "/articles/{a}/transitions", {"to": "published"}, "to"),
    ("POST", "/articles/{a}/assignments", {"username": "rami", "role": "owner"}, "role"),
    ("POST", "/paragraphs/{p}/entities", {"lang": "fr", "start": 0, "end": 2, "label": "PER"}, "lang"),
    ("POST", "/paragraphs/{p}/entities", {"lang": "ar", "start": 0, "end": 2, "label": "PER", "unit": "utf8"}, "unit"),
], ids=["transition to", "assignment role", "entity lang", "entity unit"])
def test_an_unknown_enum_value_is_a_422_naming_the_field(client, article, amina, method, url, body, field):
    paragraph = first_paragraph(article)
    before = stored_rows()
    response = client.open(f"{API}{url.format(a=article.id, p=paragraph.id)}", method=method, json=body,
                           headers=amina)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["json"]) == [field]
    assert stored_rows() == before


@pytest.mark.parametrize("query, message", [
    ("format=bogus", "Unknown format"), ("format=bogus&side=en", "Unknown format"),
    ("format=moses&side=xx", "Not a valid choice."), ("status=bogus", "Not a valid choice."),
    ("kind=bogus", "Not a valid choice."),
])
def test_an_unknown_choice_on_the_export_page_is_a_message_not_a_500(admin_client, query, message):
    response = admin_client.get(f"/export/?{query}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
