"""The review workspace pages: the article as a two-column workspace, history with diffs, comments, workflow forms."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import Article, Comment, Paragraph, Translation
from app.services import assignment as assignment_service
from app.services import review as review_service
from tests.conftest import csrf_token_from, log_in
from tests.support.fixtures import make_article, page_of


def test_workspace_shows_arabic_rtl_beside_editable_english_with_the_machine_draft(reviewer_client, assigned):
    html = page_of(reviewer_client, f"/articles/{assigned.id}")
    paragraph = assigned.paragraphs[0]
    assert f'data-paragraph-id="{paragraph.id}" data-version="{paragraph.version}" data-status="draft"' in html
    assert '<p class="ar" dir="rtl" lang="ar">فقرة رقم 0</p>' in html
    assert '<p class="en" dir="ltr" lang="en" data-en-text>Paragraph number 0.</p>' in html
    assert 'data-action="edit"' in html and 'data-action="approve"' in html
    assert "workspace.js" in html
    assert 'id="keys-help"' in html


def test_workspace_shows_the_machine_draft_apart_once_the_english_is_edited(reviewer_client, app, assigned, reviewer):
    paragraph = assigned.paragraphs[0]
    review_service.save_translation(paragraph.id, "Paragraph one, corrected.", paragraph.version, actor=reviewer)
    html = page_of(reviewer_client, f"/articles/{assigned.id}")
    assert '<p class="machine-text" dir="ltr" lang="en" data-machine-text>Paragraph number 0.</p>' in html
    assert "Paragraph one, corrected." in html


def test_second_reviewer_sees_the_article_read_only_until_it_is_submitted(client, assigned, other_reviewer):
    log_in(client, other_reviewer.username)
    html = page_of(client, f"/articles/{assigned.id}")
    assert 'data-editable="false"' in html
    assert "Read only: As second reviewer you can edit this article once it is submitted." in html
    assert 'data-action="edit"' not in html


def test_reviewer_comments_on_a_paragraph_through_the_page(reviewer_client, assigned):
    paragraph = assigned.paragraphs[1]
    token = csrf_token_from(page_of(reviewer_client, f"/articles/{assigned.id}"))
    response = reviewer_client.post(f"/articles/{assigned.id}/comments",
                                    data={"csrf_token": token, "body": "Check <b>the</b> name.", "paragraph_id": paragraph.id})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#p-{paragraph.id}")
    html = page_of(reviewer_client, f"/articles/{assigned.id}")
    assert "Comments (1)" in html
    assert "Check &lt;b&gt;the&lt;/b&gt; name." in html  # escaped, never markup


def test_a_forged_comment_without_csrf_token_changes_nothing(reviewer_client, assigned):
    response = reviewer_client.post(f"/articles/{assigned.id}/comments", data={"body": "forged"})
    assert response.status_code == 400
    assert db.session.scalar(select(Comment)) is None


def test_reviewer_submits_through_the_page_only_when_everything_is_approved(reviewer_client, app, assigned, reviewer):
    html = page_of(reviewer_client, f"/articles/{assigned.id}")
    token = csrf_token_from(html)
    reviewer_client.post(f"/articles/{assigned.id}/transition", data={"csrf_token": token, "to": "in_review"})
    refused = reviewer_client.post(f"/articles/{assigned.id}/transition", data={"csrf_token": token, "to": "submitted"},
                                   follow_redirects=True)
    assert "3 paragraphs are not approved yet" in refused.get_data(as_text=True)
    for paragraph in db.session.scalars(select(Paragraph).where(Paragraph.article_id == assigned.id)):
        review_service.approve_paragraph(paragraph.id, paragraph.version, actor=reviewer)
    done = reviewer_client.post(f"/articles/{assigned.id}/transition", data={"csrf_token": token, "to": "submitted"},
                                follow_redirects=True)
    assert "Article submitted for approval." in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Article, assigned.id).status == "submitted"


def test_the_word_diff_keeps_a_space_between_a_deleted_and_an_inserted_word(reviewer_client, app, assigned,
                                                                           reviewer):
    paragraph = assigned.paragraphs[0]
    first = review_service.save_translation(paragraph.id, "The Russian view.", paragraph.version, actor=reviewer)
    review_service.save_translation(paragraph.id, "The importance view.", first.version, actor=reviewer)

    html = page_of(reviewer_client, f"/paragraphs/{paragraph.id}/history")

    diff = re.search(r'<p class="diff-text"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", diff) == "The Russian importance view."  # not "Russianimportance"


def test_history_shows_a_word_diff_and_restores_an_old_text(reviewer_client, app, assigned, reviewer):
    paragraph = assigned.paragraphs[0]
    first = review_service.save_translation(paragraph.id, "The first number.", paragraph.version, actor=reviewer)
    review_service.save_translation(paragraph.id, "The second number.", first.version, actor=reviewer)

    html = page_of(reviewer_client, f"/paragraphs/{paragraph.id}/history")

    assert '<del class="diff">first</del> <ins class="diff">second</ins>' in html
    token = csrf_token_from(html)
    version = db.session.scalar(select(Paragraph.version).where(Paragraph.id == paragraph.id))
    response = reviewer_client.post(f"/paragraphs/{paragraph.id}/revisions/{first.revision_id}/restore",
                                    data={"csrf_token": token, "version": version})
    assert response.status_code == 302
    texts = db.session.scalars(select(Translation.text).where(Translation.paragraph_id == paragraph.id)
                               .order_by(Translation.id)).all()
    assert texts == ["Paragraph number 0.", "The first number.", "The second number.", "The first number."]


def test_restore_from_a_stale_history_page_is_refused(reviewer_client, app, assigned, reviewer):
    paragraph = assigned.paragraphs[0]
    machine_id = paragraph.current_revision_id
    stale_version = paragraph.version
    html = page_of(reviewer_client, f"/paragraphs/{paragraph.id}/history")
    review_service.save_translation(paragraph.id, "Saved meanwhile.", stale_version, actor=reviewer)
    response = reviewer_client.post(f"/paragraphs/{paragraph.id}/revisions/{machine_id}/restore",
                                    data={"csrf_token": csrf_token_from(html), "version": stale_version},
                                    follow_redirects=True)
    assert "Someone saved this paragraph after you opened it" in response.get_data(as_text=True)
    assert review_service.revisions_of(paragraph.id)[-1].text == "Saved meanwhile."


def test_reviewer_cannot_open_the_history_of_an_unassigned_paragraph(client, app, admin, reviewer, other_reviewer):
    article = make_article(1, "غير مسند")
    assignment_service.assign_article(article, other_reviewer, "reviewer", actor=admin)
    log_in(client, reviewer.username)
    assert client.get(f"/paragraphs/{article.paragraphs[0].id}/history").status_code == 404


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


@pytest.mark.parametrize("path", ["/articles/{id}", "/api/v1/articles/{id}"])
def test_the_number_of_queries_does_not_grow_with_the_number_of_paragraphs(client, app, admin, reviewer, path):
    small, large = make_article(3, "قصير"), make_article(60, "طويل")
    for article in (small, large):
        assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)
        paragraph = article.paragraphs[0]
        review_service.save_translation(paragraph.id, "Edited.", paragraph.version, actor=reviewer)
    log_in(client, reviewer.username)
    counts = []
    for article in (small, large):
        with QueryCounter(db.engine) as counter:
            response = client.get(path.format(id=article.id))
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 16, counts


def test_effort_is_shown_to_admins_on_the_dashboard(admin_client, app, assigned, reviewer):
    paragraph = assigned.paragraphs[0]
    saved = review_service.save_translation(paragraph.id, "The paragraph number 0.", paragraph.version, actor=reviewer,
                                            seconds=30)
    review_service.approve_paragraph(paragraph.id, saved.version, actor=reviewer, seconds=5)
    html = page_of(admin_client, "/admin/dashboard")
    assert re.search(r"Rami Reviewer.*?</td>\s*<td class=\"num\">1</td>", html, re.S)
    assert "0.25" in html  # HTER: one word inserted, over 4 reference words (TER is case-insensitive)
    article_html = page_of(admin_client, f"/admin/articles/{assigned.id}")
    assert "35 s" in article_html  # time spent, saves and approval together
