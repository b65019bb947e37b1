"""Hostile query strings and ids on every page and listing get an answer, never a 500 (issue 14, item 5):
huge, negative or non-numeric `page`/`per_page`, ids beyond 64 bits, unknown export formats."""
from __future__ import annotations

import pytest

from app.models import Paragraph
from tests.conftest import log_in
from tests.support.fixtures import API, first_paragraph

HUGE = str(10**18)
HUGER = str(10**30)
HOSTILE_VALUES = [HUGE, HUGER, "-1", "abc", "9" * 400]
QUERY_PARAMETERS = ["page", "per_page", "from", "to", "status", "assignee", "q", "format", "kind", "side",
                    "article", "reviewer", "labels", "download", "next", "since"]


def pages_of(article, paragraph) -> list[str]:
    return ["/", "/my-work", "/admin/", "/admin/dashboard", "/admin/users", "/admin/labels", "/admin/models",
            "/admin/glossary", "/admin/import", "/export/", f"/articles/{article.id}",
            f"/admin/articles/{article.id}", f"/paragraphs/{paragraph.id}/history", "/login",
            f"{API}/articles", f"{API}/labels", f"{API}/articles/{article.id}", f"{API}/articles/{article.id}/comments",
            f"{API}/articles/{article.id}/suggestions", f"{API}/paragraphs/{paragraph.id}/diff",
            f"{API}/paragraphs/{paragraph.id}/revisions", f"{API}/paragraphs/{paragraph.id}/entities",
            f"{API}/export/jsonl", f"{API}/export/moses"]


def test_no_page_or_listing_answers_500_to_hostile_query_values(client, article, admin, amina):
    paragraph = first_paragraph(article)
    log_in(client, admin.username)
    failures = []
    for path in pages_of(article, paragraph):
        headers = amina if path.startswith(API) else {}
        for name in QUERY_PARAMETERS:
            for value in HOSTILE_VALUES:
                response = client.get(f"{path}?{name}={value}", headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{path}?{name}={value[:20]}: {response.status_code}")
                response.close()
    assert failures == []


@pytest.mark.parametrize("path", [f"/articles/{HUGER}", f"/admin/articles/{HUGER}", f"/admin/users/{HUGER}",
                                  f"/admin/glossary/{HUGER}", f"/admin/labels/{HUGE}0", f"/paragraphs/{HUGER}/history",
                                  f"{API}/articles/{HUGER}", f"{API}/jobs/{HUGER}", f"{API}/paragraphs/{HUGER}/diff",
                                  "/articles/-1", f"{API}/articles/1e3"])
def test_ids_beyond_64_bits_or_not_numbers_are_not_found(admin_client, amina, path):
    response = admin_client.get(path, headers=amina if path.startswith(API) else {})

    assert response.status_code == 404


def test_history_with_revision_ids_beyond_64_bits_is_not_found(client, article, reviewer):
    paragraph = first_paragraph(article)
    log_in(client, reviewer.username)

    for query in (f"from={HUGER}", f"to={HUGE}", "from=-1&to=abc"):
        assert client.get(f"/paragraphs/{paragraph.id}/history?{query}").status_code in {200, 404}, query


@pytest.mark.parametrize("path", ["/admin/", "/admin/glossary"])
def test_page_10_to_the_18_of_the_admin_lists_is_an_empty_last_page(admin_client, seeded, path):
    response = admin_client.get(f"{path}?page={HUGE}")

    assert response.status_code == 200


def test_page_10_to_the_18_of_the_api_listing_is_a_clear_422(client, seeded, amina):
    response = client.get(f"{API}/articles?page={HUGE}&per_page={HUGE}", headers=amina)

    assert response.status_code == 422
    assert "page" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("query", ["format=bogus", "format=bogus&download=1", "format=bogus&side=ar",
                                   f"format={HUGE}&status=approved&kind=text"])
def test_an_unknown_export_format_gets_a_message_not_a_500(client, corpus_user, query):
    log_in(client, corpus_user.username)

    response = client.get(f"/export/?{query}")

    assert response.status_code == 200  # the form again, with the format's error on it
    page = response.get_data(as_text=True)
    assert "Unknown format" in page and "choose one of tmx, xliff2, xliff12, jsonl, conll, moses" in page
    assert "paragraphs match" not in page


def test_an_unknown_export_format_in_the_api_is_not_found(client, seeded, amina):
    response = client.get(f"{API}/export/bogus", headers=amina)

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_hostile_query_values_change_nothing(client, article, admin, amina):
    paragraph = first_paragraph(article)
    version = paragraph.version
    log_in(client, admin.username)
    for query in (f"page={HUGE}", f"per_page={HUGER}", "format=bogus&download=1"):
        client.get(f"/export/?{query}").close()
        client.get(f"/admin/?{query}").close()
    from app.extensions import db

    db.session.expire_all()
    assert db.session.get(Paragraph, paragraph.id).version == version
