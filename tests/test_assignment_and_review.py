"""Admins assign articles; reviewers see only their own, Arabic right-to-left."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Article, Assignment, AuditEvent
from app.services import Forbidden
from app.services import assignment as assignment_service
from app.services.assignment import AssignmentError
from tests.conftest import csrf_token_from, log_in


def assign_on_the_web(client, article_id, reviewer="", second="", due=""):
    page = client.get(f"/admin/articles/{article_id}")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        f"/admin/articles/{article_id}",
        data={"csrf_token": token, "reviewer": reviewer, "second_reviewer": second, "due": due},
    )


def article_events(article_id):
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "article", AuditEvent.object_id == article_id)
        .order_by(AuditEvent.id)
    ).all()


def test_admin_assigns_a_reviewer_and_second_reviewer_with_a_due_date(admin_client, seeded, reviewer, other_reviewer):
    article_id = seeded[0]
    response = assign_on_the_web(admin_client, article_id, "rami", "salma", "2026-12-01")
    assert response.status_code == 302
    db.session.expire_all()
    article = db.session.get(Article, article_id)
    roles = {a.role: (a.user.username, a.due) for a in article.assignments}
    assert roles == {"reviewer": ("rami", date(2026, 12, 1)), "second_reviewer": ("salma", date(2026, 12, 1))}
    assert article.status == "assigned"
    actions = [e.action for e in article_events(article_id)]
    assert actions == ["article.import", "assignment.create", "assignment.create"]


def test_reassigning_replaces_the_reviewer_and_is_audited(admin_client, seeded, reviewer, other_reviewer):
    article_id = seeded[1]
    assign_on_the_web(admin_client, article_id, "rami")
    assign_on_the_web(admin_client, article_id, "salma")
    db.session.expire_all()
    assert [a.user.username for a in db.session.get(Article, article_id).assignments] == ["salma"]
    change = article_events(article_id)[-1]
    assert change.action == "assignment.change"
    assert change.before["assignment"]["username"] == "rami"
    assert change.after["assignment"]["username"] == "salma"
    # The admin sees the history on the article page.
    html = admin_client.get(f"/admin/articles/{article_id}").get_data(as_text=True)
    assert "assignment.change" in html and "salma as reviewer" in html


def test_the_two_reviewers_must_be_different_people(admin_client, seeded, reviewer):
    response = assign_on_the_web(admin_client, seeded[0], "rami", "rami")
    assert "must be different people" in admin_client.get(f"/admin/articles/{seeded[0]}").get_data(as_text=True) \
        or "must be different people" in response.get_data(as_text=True)
    db.session.expire_all()
    roles = [a.role for a in db.session.get(Article, seeded[0]).assignments]
    assert "second_reviewer" not in roles


def test_choosing_the_same_person_twice_assigns_no_one(admin_client, seeded, reviewer):
    response = assign_on_the_web(admin_client, seeded[0], "rami", "rami")
    page = admin_client.get(response.headers["Location"]) if response.status_code == 302 else response
    assert "must be different people" in page.get_data(as_text=True)
    db.session.expire_all()
    article = db.session.get(Article, seeded[0])
    assert article.assignments == [] and article.status != "assigned"
    assert [e.action for e in article_events(seeded[0])] == ["article.import"]


def test_the_same_person_twice_changes_no_existing_assignment(admin_client, seeded, reviewer, other_reviewer):
    assign_on_the_web(admin_client, seeded[0], "salma")
    assign_on_the_web(admin_client, seeded[0], "rami", "rami")
    db.session.expire_all()
    assert [(a.role, a.user.username) for a in db.session.get(Article, seeded[0]).assignments] == [
        ("reviewer", "salma")
    ]
    assert [e.action for e in article_events(seeded[0])] == ["article.import", "assignment.create"]


def test_a_deactivated_user_cannot_be_assigned(app, seeded, admin, reviewer):
    from app.services import users as user_service

    user_service.set_active(reviewer, False)
    with pytest.raises(AssignmentError, match="deactivated"):
        assignment_service.assign_article(db.session.get(Article, seeded[0]), reviewer, actor=admin)


def test_only_admins_assign(app, seeded, reviewer, other_reviewer):
    with pytest.raises(Forbidden):
        assignment_service.assign_article(db.session.get(Article, seeded[0]), other_reviewer, actor=reviewer)


def test_cli_assigns_an_article(app, seeded, reviewer, other_reviewer):
    result = app.test_cli_runner().invoke(
        args=["assign", str(seeded[2]), "rami", "--second", "salma", "--due", "2026-12-24"]
    )
    assert result.exit_code == 0, result.output
    assert "reviewer rami, due 2026-12-24" in result.output
    assert "second reviewer salma" in result.output
    assert [e.action for e in article_events(seeded[2])][-2:] == ["assignment.create", "assignment.create"]


@pytest.mark.parametrize("args, message", [
    (["assign", "999", "rami"], "Article 999 not found."),
    (["assign", "1", "nobody"], "No user named 'nobody'."),
])
def test_cli_assign_explains_what_is_wrong(app, seeded, reviewer, args, message):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalars(select(Assignment)).all() == []


def test_reviewer_sees_only_their_assignments_in_my_work(client, app, seeded, admin, reviewer, other_reviewer):
    articles = [db.session.get(Article, i) for i in seeded]
    assignment_service.assign_article(articles[0], reviewer, actor=admin, due=date(2026, 12, 1))
    assignment_service.assign_article(articles[1], other_reviewer, actor=admin)
    assignment_service.assign_article(articles[2], other_reviewer, actor=admin)
    assignment_service.assign_article(articles[2], reviewer, "second_reviewer", actor=admin)
    log_in(client, "rami")
    html = client.get("/my-work").get_data(as_text=True)
    links = re.findall(r'href="/articles/(\d+)"', html)
    assert sorted(map(int, links)) == sorted([seeded[0], seeded[2]])
    assert "second reviewer" in html and "2026-12-01" in html
    assert articles[1].title not in html


def test_reviewer_cannot_open_unassigned_article(client, app, seeded, admin, reviewer, other_reviewer):
    assignment_service.assign_article(db.session.get(Article, seeded[0]), other_reviewer, actor=admin)
    log_in(client, "rami")
    unassigned = client.get(f"/articles/{seeded[0]}")
    missing = client.get("/articles/424242")
    assert unassigned.status_code == missing.status_code == 404
    # The same page, but for the CSRF token: it carries a timestamp, so two requests a second apart differ.
    token = csrf_token_from(missing.get_data(as_text=True))
    assert unassigned.get_data(as_text=True).replace(csrf_token_from(unassigned.get_data(as_text=True)), token) \
        == missing.get_data(as_text=True)


def test_reviewer_cannot_open_admin_pages(reviewer_client, seeded):
    for url in ("/admin/", f"/admin/articles/{seeded[0]}", "/admin/users", "/admin/import"):
        assert reviewer_client.get(url).status_code == 403, url


def test_article_page_shows_every_arabic_paragraph_right_to_left(client, app, seeded, admin, reviewer):
    article = db.session.get(Article, seeded[3])
    assignment_service.assign_article(article, reviewer, actor=admin)
    log_in(client, "rami")
    html = client.get(f"/articles/{article.id}").get_data(as_text=True)
    cells = re.findall(r'<p class="ar" dir="rtl" lang="ar">([^<]*)</p>', html)
    assert len(cells) == len(article.paragraphs) == 18
    from markupsafe import escape

    assert cells == [str(escape(p.ar)) for p in article.paragraphs]
    english = re.findall(r'<p class="en placeholder" dir="ltr" lang="en" data-en-text data-empty>', html)
    assert len(english) == 18
    assert '<html lang="en" dir="ltr">' in html


def test_admin_article_list_filters_by_status_and_assignee(admin_client, app, seeded, admin, reviewer):
    assignment_service.assign_article(db.session.get(Article, seeded[4]), reviewer, actor=admin)
    html = admin_client.get("/admin/?assignee=rami").get_data(as_text=True)
    assert re.findall(r'href="/admin/articles/(\d+)"', html) == [str(seeded[4])]
    html = admin_client.get("/admin/?status=new").get_data(as_text=True)
    assert len(re.findall(r'href="/admin/articles/(\d+)"', html)) == 4
    html = admin_client.get("/admin/?assignee=-").get_data(as_text=True)
    assert len(re.findall(r'href="/admin/articles/(\d+)"', html)) == 4
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "Articles <span class=\"count\">(5)</span>" in html


def test_user_text_is_escaped_in_pages(admin_client, app, admin, seeded):
    from app.services import users as user_service

    user_service.create_user("mallory", "long enough password", display_name="<script>alert('x')</script>")
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    article = db.session.get(Article, seeded[0])
    article.title = 'عنوان <img src=x onerror="alert(1)">'
    db.session.commit()
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_overdue_is_past_the_due_date_while_the_assignees_part_is_not_done(app, seeded, reviewer, other_reviewer):
    from datetime import timedelta

    article = db.session.get(Article, seeded[0])
    today = assignment_service.today_utc()
    first = assignment_service.assign_article(article, reviewer, actor=None, due=today - timedelta(days=1))
    second = assignment_service.assign_article(article, other_reviewer, "second_reviewer", actor=None,
                                               due=today - timedelta(days=1))
    assert assignment_service.is_overdue(first, "in_review", today)
    assert not assignment_service.is_overdue(first, "submitted", today)  # the reviewer's part is done
    assert assignment_service.is_overdue(second, "submitted", today)  # the second reviewer's is not
    assert not assignment_service.is_overdue(second, "approved", today)
    assert not assignment_service.is_overdue(first, "in_review", today - timedelta(days=1))  # due today: not yet
    first.due = None
    assert not assignment_service.is_overdue(first, "in_review", today)


def test_the_last_send_back_is_shown_while_the_work_is_with_its_reviewer(app, seeded, admin, reviewer):
    from app.services import workflow

    article = db.session.get(Article, seeded[0])
    assignment_service.assign_article(article, reviewer, actor=None)
    assert workflow.open_send_backs([article]) == {}
    for comment in ("First: check the numbers.", "Second: الفقرة ٢ still reads thousand."):
        article.status = "submitted"
        db.session.commit()
        workflow.request_changes(article, admin, comment)
    shown = workflow.open_send_backs([article])[article.id]
    assert (shown.by.id, shown.comment) == (admin.id, "Second: الفقرة ٢ still reads thousand.")
    workflow.start_review(article, reviewer)
    assert workflow.open_send_backs([article])[article.id].comment.startswith("Second")
    article.status = "submitted"
    db.session.commit()
    assert workflow.open_send_backs([article]) == {}  # resubmitted: no longer the reviewer's to act on
