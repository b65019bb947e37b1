"""Unread comments, per user and paragraph (issue 16, part 1; services/comment_reads.py, migration 0013): a
comment by someone else is unread for a reviewer until the page shows it to them and says so with
POST /api/v1/paragraphs/<id>/comments/read; one's own comments never are; the watermark never moves back nor
past the newest comment; another user's reading is their own. And the article's state counts its paragraphs
by status, for the page's progress bar."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import Paragraph, User
from app.services import users as user_service
from app.services.comment_reads import unread_comments
from tests.conftest import PASSWORD, bearer
from tests.support.fixtures import API, approve, first_paragraph, page_of


def comment(client, headers, article_id: int, paragraph_id: int | None, body: str) -> int:
    response = client.post(f"{API}/articles/{article_id}/comments", json={"body": body, "paragraph_id": paragraph_id},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def mark_read(client, headers, paragraph_id: int, up_to):
    return client.post(f"{API}/paragraphs/{paragraph_id}/comments/read", json={"up_to": up_to}, headers=headers)


def test_reviewer_sees_a_colleagues_comment_as_unread_until_they_have_read_it(
        client, assigned, rami, salma, reviewer, other_reviewer):
    paragraph = first_paragraph(assigned)
    said = comment(client, salma, assigned.id, paragraph.id, "Is the date right?")
    assert unread_comments(reviewer, assigned.id) == {paragraph.id: [said]}
    assert unread_comments(other_reviewer, assigned.id) == {}  # her own

    response = mark_read(client, rami, paragraph.id, said)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"paragraph_id": paragraph.id, "read_up_to": said, "unread": 0}
    assert unread_comments(reviewer, assigned.id) == {}


def test_reviewer_never_sees_their_own_comment_as_unread_but_their_colleague_does(
        client, assigned, rami, reviewer, other_reviewer):
    paragraph = first_paragraph(assigned)
    said = comment(client, rami, assigned.id, paragraph.id, "Checked against the agency's text.")
    assert unread_comments(reviewer, assigned.id) == {}
    assert unread_comments(other_reviewer, assigned.id) == {paragraph.id: [said]}


def test_reviewers_reading_never_goes_back_nor_past_the_newest_comment(client, assigned, rami, salma, reviewer):
    paragraph = first_paragraph(assigned)
    first = comment(client, salma, assigned.id, paragraph.id, "One.")
    second = comment(client, salma, assigned.id, paragraph.id, "Two.")
    assert mark_read(client, rami, paragraph.id, first).get_json() == {
        "paragraph_id": paragraph.id, "read_up_to": first, "unread": 1}
    assert unread_comments(reviewer, assigned.id) == {paragraph.id: [second]}
    assert mark_read(client, rami, paragraph.id, second).get_json()["read_up_to"] == second
    assert mark_read(client, rami, paragraph.id, first).get_json()["read_up_to"] == second  # never back

    # A page that claims to have shown more than exists marks no comment written afterwards.
    assert mark_read(client, rami, paragraph.id, second + 1000).get_json()["read_up_to"] == second
    later = comment(client, salma, assigned.id, paragraph.id, "Three, written after.")
    assert unread_comments(reviewer, assigned.id) == {paragraph.id: [later]}


def test_reviewers_reading_is_per_paragraph(client, assigned, rami, salma, reviewer):
    first, second = db.session.scalars(
        select(Paragraph.id).where(Paragraph.article_id == assigned.id).order_by(Paragraph.position).limit(2)).all()
    on_first = comment(client, salma, assigned.id, first, "About the first.")
    on_second = comment(client, salma, assigned.id, second, "About the second.")
    mark_read(client, rami, second, on_second)
    assert unread_comments(reviewer, assigned.id) == {first: [on_first]}  # a higher id elsewhere reads nothing here


def test_reading_a_paragraph_without_comments_changes_nothing(client, assigned, rami):
    paragraph = first_paragraph(assigned)
    assert mark_read(client, rami, paragraph.id, 5).get_json() == {
        "paragraph_id": paragraph.id, "read_up_to": 0, "unread": 0}


def test_only_the_articles_reviewers_may_mark_its_comments_read_and_only_with_a_comment_id(client, assigned, rami):
    paragraph = first_paragraph(assigned)
    stranger = bearer(user_service.issue_api_token(user_service.create_user("omar", PASSWORD, "reviewer")))
    assert mark_read(client, stranger, paragraph.id, 1).status_code == 404
    for wrong in (0, -3, "7", None, 1.5, True):
        response = mark_read(client, rami, paragraph.id, wrong)
        assert response.status_code == 422, (wrong, response.get_json())


def test_the_article_page_marks_unread_comments_for_the_reviewer(client, assigned, salma, reviewer_client):
    paragraph = first_paragraph(assigned)
    said = comment(client, salma, assigned.id, paragraph.id, "Please check the name.")
    html = page_of(reviewer_client, f"/articles/{assigned.id}")
    assert f'id="p-{paragraph.id}"' in html
    assert 'data-unread-comments="1"' in html
    assert html.count('data-unread-comments="0"') == 2
    assert f'class="comment unread" data-comment-id="{said}"' in html
    assert "1 unread" in html


def test_the_articles_state_counts_paragraphs_by_status_for_the_progress_bar(client, assigned, rami):
    paragraph = first_paragraph(assigned)
    state = client.get(f"{API}/articles/{assigned.id}/state", headers=rami).get_json()
    assert (state["approved"], state["edited"], state["draft"], state["total"]) == (0, 0, 3, 3)
    approved = approve(client, rami, paragraph.id, paragraph.version).get_json()["article"]
    assert (approved["approved"], approved["edited"], approved["draft"]) == (1, 0, 2)
    reopened = client.post(f"{API}/paragraphs/{paragraph.id}/reopen", json={"version": paragraph.version}, headers=rami)
    assert (reopened.get_json()["article"]["edited"], reopened.get_json()["article"]["draft"]) == (1, 2)


def test_the_migration_of_comment_reads_goes_down_and_up(client, assigned, rami, salma, reviewer):
    paragraph = first_paragraph(assigned)
    said = comment(client, salma, assigned.id, paragraph.id, "Read before the downgrade.")
    mark_read(client, rami, paragraph.id, said)
    article_id, reviewer_id = paragraph.article_id, reviewer.id
    db.session.remove()
    downgrade(revision="0010")
    assert "comment_reads" not in inspect(db.engine).get_table_names()
    upgrade()
    assert {c["name"] for c in inspect(db.engine).get_columns("comment_reads")} == {
        "user_id", "paragraph_id", "last_read_comment_id", "read_at"}
    # The downgrade forgot what was read: the comment is unread again, as it was before the migration.
    assert unread_comments(db.session.get(User, reviewer_id), article_id) == {paragraph.id: [said]}
