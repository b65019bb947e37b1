"""The curation view of a long double-annotated article (issue 18's speed target: ≤ 300 ms for 500 paragraphs;
services/adjudication.py, `curation`; docs/architecture.md, "Adjudication"): a curator reads it a page of
paragraphs at a time, opens on the first page with work left, reaches every paragraph through the pages, and
the page costs the same number of queries whatever the article's length."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Article, Paragraph
from app.services import adjudication
from app.services import assignment as assignment_service
from app.services import entities as entity_service
from app.services import layers
from app.services import review as review_service
from app.services import users as user_service
from app.services import workflow as workflow_service
from tests.conftest import PASSWORD, bearer, log_in
from tests.support.fixtures import API, make_article
from tests.test_review_workspace import QueryCounter

PARAGRAPH = re.compile(r'data-paragraph-id="(\d+)"')


@pytest.fixture
def curator(app):
    return user_service.create_user("cora", PASSWORD, "curator", display_name="Cora Curator")


def double_annotated(count: int, title: str, a, b, admin) -> Article:
    """An article of `count` paragraphs annotated by a (the reviewer) and b (independent), both submitted: in
    each paragraph both tagged فقرة (a LOC, b PER: a choice) and رقم MISC alike, and linked nothing."""
    article = make_article(count, title)
    assignment_service.assign_article(article, a, "reviewer", actor=admin)
    assignment_service.assign_article(article, b, "independent", actor=admin)
    for who, label in ((a, "LOC"), (b, "PER")):
        for paragraph in layers.annotations(article.id, who.id):
            entity_service.create_entity(paragraph.paragraph_id, "ar", 0, 4, label, actor=who)
            entity_service.create_entity(paragraph.paragraph_id, "ar", 5, 8, "MISC", actor=who)
        for paragraph in layers.annotations(article.id, who.id):
            review_service.approve_paragraph(paragraph.paragraph_id, paragraph.version, actor=who,
                                             override_reason="placeholder")
        workflow_service.submit_article(db.session.get(Article, article.id), who)
    assert db.session.get(Article, article.id).status == "submitted"
    return article


def paragraph_ids(article: Article) -> list[int]:
    return list(db.session.scalars(select(Paragraph.id).where(Paragraph.article_id == article.id)
                                   .order_by(Paragraph.position)))


def test_a_curator_reads_a_long_article_a_page_at_a_time_and_reaches_every_paragraph(
        app, client, admin, reviewer, other_reviewer, curator):
    app.config["CURATION_PAGE_SIZE"] = 2
    article = double_annotated(5, "مقال طويل", reviewer, other_reviewer, admin)
    ids = paragraph_ids(article)
    log_in(client, "cora")
    page = client.get(f"/curate/articles/{article.id}").get_data(as_text=True)
    assert PARAGRAPH.findall(page) == [str(i) for i in ids[:2]]
    assert "The article has 5 paragraphs, 3 pages of them; this is page\n1, paragraphs 1–2. 5 to adjudicate" in page
    assert 'data-remaining="5"' in page
    # Both lists of pages name every page, its paragraphs and what is left in it; the page shown is current.
    for label in ("Pages of the article", "Pages of the article, again"):
        assert f'<nav class="pager curate-pages" aria-label="{label}">' in page
    assert page.count(f'href="/curate/articles/{article.id}?page=1" aria-current="page"') == 2
    assert re.findall(r'data-page="(\d)" data-open="(\d)">Paragraphs (\d)–(\d)</a>', page)[:3] == [
        ("1", "2", "1", "2"), ("2", "2", "3", "4"), ("3", "1", "5", "5")]
    # Every paragraph is on exactly one page, in reading order, and each page is adjudicable as the first.
    seen = []
    for number in (1, 2, 3):
        on_page = client.get(f"/curate/articles/{article.id}?page={number}").get_data(as_text=True)
        seen += [int(i) for i in PARAGRAPH.findall(on_page)]
        assert on_page.count('<button type="submit">Adjudicate paragraph') == len(PARAGRAPH.findall(on_page))
        assert 'data-ids="' in on_page and 'name="agreed"' in on_page  # its choices and its agreements
    assert seen == ids

    # Once the first page is adjudicated, the view opens on the second; the first says it is done.
    token = bearer(user_service.issue_api_token(curator))
    for paragraph_id in ids[:2]:
        data = adjudication.curation(article.id, curator, page=1, per_page=2)
        p = next(p for p in data["paragraphs"] if p["id"] == paragraph_id)
        accept = [pair["a"]["id"] for pair in p["agreed"]] + [e["id"] for g in p["groups"] for e in g["a"]]
        response = client.post(f"{API}/paragraphs/{paragraph_id}/adjudicate", headers=token, json={
            "translation": {"from": "a"}, "entities": {"accept": accept}, "links": {"accept": []}})
        assert response.status_code == 200, response.get_json()
    page = client.get(f"/curate/articles/{article.id}").get_data(as_text=True)
    assert PARAGRAPH.findall(page) == [str(i) for i in ids[2:4]]
    assert 'data-remaining="3"' in page
    assert re.search(r'data-page="1" data-open="0">Paragraphs 1–2</a>\s*<span class="curate-page-state">done', page)
    assert f'href="/curate/articles/{article.id}?page=2" aria-current="page"' in page
    # Page 1 can still be opened (its paragraphs may be adjudicated again until the article is done).
    first = client.get(f"/curate/articles/{article.id}?page=1").get_data(as_text=True)
    assert PARAGRAPH.findall(first) == [str(i) for i in ids[:2]] and first.count("adjudicated by cora") == 2


def test_an_article_of_one_page_shows_no_list_of_pages(app, client, admin, reviewer, other_reviewer, curator):
    article = double_annotated(3, "مقال قصير", reviewer, other_reviewer, admin)
    log_in(client, "cora")
    page = client.get(f"/curate/articles/{article.id}").get_data(as_text=True)
    assert len(PARAGRAPH.findall(page)) == 3 and "curate-pages" not in page and 'data-remaining="3"' in page


@pytest.mark.parametrize(("asked", "status", "message"), [
    ("4", 404, "There is no page 4 of this article&#39;s curation: its pages are 1 to 3."),
    ("0", 404, "There is no page 0 of this article&#39;s curation: its pages are 1 to 3."),
    ("two", 400, "The page &#39;two&#39; is not a page number (1, 2, …)."),
    ("-1", 400, "The page &#39;-1&#39; is not a page number (1, 2, …)."),
    ("１", 400, "is not a page number"),  # a full-width digit is not a page number either
])
def test_a_page_the_article_does_not_have_is_refused_with_a_clear_message(
        app, client, admin, reviewer, other_reviewer, curator, asked, status, message):
    app.config["CURATION_PAGE_SIZE"] = 2
    article = double_annotated(5, "مقال طويل", reviewer, other_reviewer, admin)
    log_in(client, "cora")
    response = client.get(f"/curate/articles/{article.id}", query_string={"page": asked})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_the_curation_view_makes_as_many_queries_for_a_long_article_as_for_a_short_one(
        app, client, admin, reviewer, other_reviewer, curator):
    # 3 paragraphs, and 60 (a first page of 50 and a second of 10): the queries of a page do not grow with
    # its paragraphs, their entities or the article's length.
    small = double_annotated(3, "قصير", reviewer, other_reviewer, admin)
    large = double_annotated(60, "طويل", reviewer, other_reviewer, admin)
    log_in(client, "cora")
    counts = []
    for path in (f"/curate/articles/{small.id}", f"/curate/articles/{large.id}",
                 f"/curate/articles/{large.id}?page=2"):
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(counter.count)
        assert len(PARAGRAPH.findall(response.get_data(as_text=True))) == {0: 3, 1: 50, 2: 10}[len(counts) - 1]
    assert counts[0] == counts[1] == counts[2], counts
    assert counts[1] <= 20, counts
