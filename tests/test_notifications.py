"""Notifications through the API: each kind reaches the right people, in the transaction of its event;
the list, paging and marking read; nobody reads or marks anyone else's. Both engines."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from app.extensions import db
from app.models import Notification, Paragraph
from app.services import assignment as assignment_service
from app.services import notifications as notification_service
from app.services import users as user_service
from tests.conftest import PASSWORD, bearer
from tests.support.fixtures import API, approve, make_article

NOTIFICATIONS = f"{API}/notifications"


def listed(client, headers, **query) -> dict:
    response = client.get(NOTIFICATIONS, headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def kinds(client, headers) -> list[tuple[str, str | None]]:
    return [(n["kind"], n["actor"]) for n in listed(client, headers)["notifications"]]


def mark_all_read(client, headers) -> None:
    assert client.post(f"{NOTIFICATIONS}/read", json={"all": True}, headers=headers).get_json() == {"unread": 0}


def move(client, headers, article_id, to, comment=None):
    body = {"to": to} | ({"comment": comment} if comment is not None else {})
    response = client.post(f"{API}/articles/{article_id}/transitions", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def approve_all(client, headers, article_id):
    for paragraph in db.session.scalars(select(Paragraph).where(Paragraph.article_id == article_id)):
        response = approve(client, headers, paragraph.id, paragraph.version, override_reason="Checked by hand.")
        assert response.status_code == 200, response.get_json()


def comment(client, headers, article_id, body):
    response = client.post(f"{API}/articles/{article_id}/comments", json={"body": body}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_reviewer_is_told_they_were_assigned_by_whom_and_to_which_article(client, assigned, rami, salma, amina):
    body = listed(client, rami)
    assert body["unread"] == 1
    [notification] = body["notifications"]
    assert notification["kind"] == "assigned" and notification["actor"] == "amina"
    assert notification["article_id"] == assigned.id and notification["read"] is False
    assert notification["article_title"] == assigned.title
    assert set(notification) >= {"id", "kind", "article_id", "actor", "created_at", "read"}
    assert kinds(client, salma) == [("assigned", "amina")]  # the second reviewer too
    assert listed(client, amina) == {"notifications": [], "unread": 0}  # nobody is told of their own doing


def test_reassigning_tells_the_new_reviewer_and_a_new_due_date_tells_nobody(client, app, assigned, admin, reviewer,
                                                                                rami, amina):
    from datetime import date

    nadia = user_service.create_user("nadia", PASSWORD, "reviewer", display_name="Nadia")
    nadias = bearer(user_service.issue_api_token(nadia))
    assignment_service.assign_article(assigned, reviewer, "reviewer", actor=admin, due=date(2027, 1, 5))
    assert listed(client, rami)["unread"] == 1  # same reviewer, a new due date: no second notification
    assert client.post(f"{API}/articles/{assigned.id}/assignments", json={"username": "nadia", "role": "reviewer"},
                       headers=amina).status_code == 201
    assert kinds(client, nadias) == [("assigned", "amina")]
    assert listed(client, rami)["notifications"] == []  # no longer assigned: the article is hidden from rami


def test_submitting_tells_the_second_reviewer_and_every_admin(client, assigned, rami, salma, amina):
    other_admin = bearer(user_service.issue_api_token(user_service.create_user("bilal", PASSWORD, "admin")))
    mark_all_read(client, salma)
    move(client, rami, assigned.id, "in_review")
    approve_all(client, rami, assigned.id)
    move(client, rami, assigned.id, "submitted")
    assert kinds(client, salma)[0] == ("submitted", "rami")
    assert listed(client, salma)["unread"] == 1
    assert kinds(client, amina) == [("submitted", "rami")]
    assert kinds(client, other_admin) == [("submitted", "rami")]
    assert [k for k, _ in kinds(client, rami)] == ["assigned"]  # not the submitter


def test_changes_requested_and_approval_tell_the_reviewer(client, assigned, rami, salma):
    mark_all_read(client, rami)
    move(client, rami, assigned.id, "in_review")
    approve_all(client, rami, assigned.id)
    move(client, rami, assigned.id, "submitted")
    move(client, salma, assigned.id, "changes_requested", "The second paragraph's date is wrong.")
    assert kinds(client, rami)[0] == ("changes_requested", "salma")
    move(client, rami, assigned.id, "in_review")
    move(client, rami, assigned.id, "submitted")
    move(client, salma, assigned.id, "approved")
    assert [k for k, _ in kinds(client, rami)] == ["approved", "changes_requested", "assigned"]
    assert listed(client, rami)["unread"] == 2


def test_a_mention_tells_the_user_if_they_may_see_the_article_and_never_the_author(client, assigned, rami, salma,
                                                                                 amina):
    omar = user_service.create_user("omar", PASSWORD, "reviewer")
    omars = bearer(user_service.issue_api_token(omar))
    for headers in (rami, salma, amina):
        mark_all_read(client, headers)
    posted = comment(client, rami, assigned.id,
                     "@Salma please check the date; @amina FYI. @omar @rami @nobody, write to x@salma.org.")
    [mention] = listed(client, salma)["notifications"][:1]
    assert (mention["kind"], mention["actor"], mention["comment_id"]) == ("mention", "rami", posted["id"])
    assert kinds(client, amina)[0] == ("mention", "rami")
    assert listed(client, omars) == {"notifications": [], "unread": 0}  # not one of the article's reviewers
    assert listed(client, rami)["unread"] == 0  # no self-notification
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "mention")) == 2


def test_a_send_back_comment_mentioning_an_admin_tells_them_too(client, assigned, rami, salma, amina):
    move(client, rami, assigned.id, "in_review")
    approve_all(client, rami, assigned.id)
    move(client, rami, assigned.id, "submitted")
    mark_all_read(client, amina)
    move(client, salma, assigned.id, "changes_requested", "Dates again; @amina do we have a style rule?")
    assert kinds(client, amina) == [("mention", "salma"), ("submitted", "rami")]


def test_a_refused_event_leaves_no_notification(client, assigned, rami, salma):
    before = db.session.scalar(select(func.count()).select_from(Notification))
    response = client.post(f"{API}/articles/{assigned.id}/transitions", json={"to": "submitted"}, headers=rami)
    assert response.status_code == 409  # assigned, not in review: refused, and nothing told
    response = client.post(f"{API}/articles/{assigned.id}/comments", json={"body": " "}, headers=salma)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before


def test_the_list_is_newest_first_and_pages_with_limit_and_before(client, app, admin, reviewer, rami):
    articles = [make_article(1, title=f"مقال {n}") for n in range(5)]
    for article in articles:
        assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)
    first = listed(client, rami, limit=2)
    assert [n["article_id"] for n in first["notifications"]] == [articles[4].id, articles[3].id]
    assert first["unread"] == 5
    second = listed(client, rami, limit=2, before=first["notifications"][-1]["id"])
    assert [n["article_id"] for n in second["notifications"]] == [articles[2].id, articles[1].id]
    assert client.get(NOTIFICATIONS, headers=rami, query_string={"limit": 101}).status_code == 422


def test_marking_read_by_id_counts_down_and_ignores_other_users_ids(client, app, admin, reviewer, other_reviewer,
                                                                    rami, salma):
    for n in range(3):
        assignment_service.assign_article(make_article(1, title=f"مقال {n}"), reviewer, "reviewer", actor=admin)
    salmas_article = make_article(1, title="مقال سلمى")
    assignment_service.assign_article(salmas_article, other_reviewer, "reviewer", actor=admin)
    mine = [n["id"] for n in listed(client, rami)["notifications"]]
    [hers] = [n["id"] for n in listed(client, salma)["notifications"]]
    answer = client.post(f"{NOTIFICATIONS}/read", json={"ids": [mine[0], hers, 999999]}, headers=rami)
    assert answer.status_code == 200 and answer.get_json() == {"unread": 2}
    assert listed(client, salma)["unread"] == 1  # her notification is untouched
    assert [n["read"] for n in listed(client, rami)["notifications"]] == [True, False, False]
    assert listed(client, rami, unread="true")["notifications"][0]["id"] == mine[1]
    assert client.post(f"{NOTIFICATIONS}/read", json={"all": True}, headers=rami).get_json() == {"unread": 0}
    assert listed(client, salma)["unread"] == 1


def test_marking_read_takes_a_list_of_ids_or_all_true_and_nothing_else(client, assigned, rami):
    for body in ({"ids": "1"}, {"ids": [0]}, {"ids": ["1"]}, {"ids": [1.5]}, {"all": 1}, {"all": "true"}):
        assert client.post(f"{NOTIFICATIONS}/read", json=body, headers=rami).status_code == 422, body
    assert client.post(f"{NOTIFICATIONS}/read", headers=rami).status_code == 422  # no body at all
    for body in ({}, {"all": False}, {"ids": []}):  # nothing to mark: the answer is the count
        assert client.post(f"{NOTIFICATIONS}/read", json=body, headers=rami).get_json() == {"unread": 1}, body
    [mine] = listed(client, rami)["notifications"]
    assert client.post(f"{NOTIFICATIONS}/read", json={"ids": [mine["id"] + 1], "all": True},
                       headers=rami).get_json() == {"unread": 0}  # all: true marks every one


def test_a_session_needs_its_csrf_token_to_mark_read(reviewer_client, assigned):
    assert reviewer_client.get(NOTIFICATIONS).get_json()["unread"] == 1
    assert reviewer_client.post(f"{NOTIFICATIONS}/read", json={"all": True}).status_code in (400, 403)
    assert reviewer_client.get(NOTIFICATIONS).get_json()["unread"] == 1


def test_mentions_are_read_from_the_text_as_people_write_them():
    assert notification_service.mentioned_usernames("@rami, @Salma. and @nadia.k! mail a@b.c @rami") == [
        "rami", "salma", "nadia.k"]
    assert notification_service.mentioned_usernames("no one @ all") == []


def test_the_notifications_table_comes_and_goes_with_migration_0011(app, assigned):
    db.session.remove()
    downgrade(revision="0010")
    inspector = inspect(db.engine)
    assert "notifications" not in inspector.get_table_names()
    assert "email" not in {c["name"] for c in inspector.get_columns("users")}
    upgrade()
    inspector = inspect(db.engine)
    assert "notifications" in inspector.get_table_names()
    assert "email" in {c["name"] for c in inspector.get_columns("users")}
