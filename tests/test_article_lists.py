"""The lists people work from: the admin's Articles list and My work, filtered, sorted and paged in SQL
(app/services/article_lists.py), and the admin list's bulk assign and translate. Run on both engines."""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Article, AuditEvent, Paragraph, TranslationJob
from app.services import article_lists, mt_packages
from app.services import assignment as assignment_service
from app.services.article_lists import ADMIN_SORTS, MY_WORK_SORTS, ListQuery, parse_list_query
from tests.conftest import csrf_token_from, log_in
from tests.support.tiny_argos import build_argos_package


def add_article(title: str, *, source: str | None = None, published: date | None = None,
                statuses: tuple[str, ...] = ("draft",), status: str = "new") -> Article:
    """An article whose paragraphs have these statuses."""
    article = Article(title=title, source=source, published=published, original_filename=f"{title}.txt",
                      raw_bytes=title.encode(), checksum=hashlib.sha256(title.encode()).hexdigest(), status=status)
    db.session.add(article)
    db.session.flush()
    db.session.add_all(Paragraph(article_id=article.id, position=i, kind="body", ar=f"فقرة {i}", status=s)
                       for i, s in enumerate(statuses))
    db.session.commit()
    return article


@pytest.fixture
def newsroom(app, admin, reviewer, other_reviewer):
    """Four articles: titles, sources, dates, progress and assignments that each filter and sort tells apart."""
    today = assignment_service.today_utc()
    a = add_article("Alpha report", source="SANA", published=date(2025, 1, 10),
                    statuses=("approved", "approved", "edited", "draft"))
    b = add_article("Beta bulletin", source="Reuters", published=date(2025, 3, 5), statuses=("draft", "draft"))
    c = add_article("Gamma digest", source="SANA", published=None, statuses=("approved", "approved"))
    d = add_article("Delta note", source=None, published=date(2024, 12, 31), statuses=("edited",))
    assignment_service.assign_article(a, reviewer, actor=admin, due=today - timedelta(days=2))  # overdue
    assignment_service.assign_article(b, other_reviewer, actor=admin, due=today + timedelta(days=5))
    assignment_service.assign_article(c, reviewer, actor=admin, due=today - timedelta(days=1))
    c.status = "submitted"  # the reviewer's part is done: not overdue
    db.session.commit()
    assignment_service.assign_article(b, reviewer, "second_reviewer", actor=admin)
    return {"a": a.id, "b": b.id, "c": c.id, "d": d.id, "today": today}


def ids(page) -> list[int]:
    return [row.article.id for row in page.rows]


def admin_ids(**args) -> list[int]:
    query, problems = parse_list_query(args, ADMIN_SORTS)
    assert problems == []
    return ids(article_lists.admin_list(query))


def test_admin_filters_articles_by_status_reviewer_source_dates_overdue_and_title(newsroom):
    n = newsroom
    assert admin_ids() == [n["a"], n["b"], n["c"], n["d"]]
    assert admin_ids(status="submitted") == [n["c"]]
    assert admin_ids(reviewer="rami") == [n["a"], n["b"], n["c"]]  # b as its second reviewer
    assert admin_ids(reviewer="salma") == [n["b"]]
    assert admin_ids(reviewer="-") == [n["d"]]
    assert admin_ids(assignee="-") == [n["d"]]  # the old name of the parameter still works
    assert admin_ids(source="SANA") == [n["a"], n["c"]]
    assert admin_ids(published_from="2025-01-01", published_to="2025-02-01") == [n["a"]]
    assert admin_ids(published_to="2025-01-10") == [n["a"], n["d"]]
    assert admin_ids(due_from=(n["today"] + timedelta(days=1)).isoformat()) == [n["b"]]
    assert admin_ids(due_to=n["today"].isoformat()) == [n["a"], n["c"]]
    assert admin_ids(overdue="1") == [n["a"]]  # c is past due, but submitted: its reviewer's part is done
    assert admin_ids(q="bulletin") == [n["b"]]
    assert admin_ids(q="BETA") == [n["b"]]  # whatever the case
    assert admin_ids(q="100%") == []  # a LIKE wildcard is only a character
    assert admin_ids(source="SANA", status="new") == []


def test_admin_sorts_by_each_column_both_ways_with_empty_values_last(newsroom):
    n = newsroom
    assert admin_ids(sort="id", dir="desc") == [n["d"], n["c"], n["b"], n["a"]]
    assert admin_ids(sort="title") == [n["a"], n["b"], n["d"], n["c"]]
    assert admin_ids(sort="title", dir="desc") == [n["c"], n["d"], n["b"], n["a"]]
    assert admin_ids(sort="published") == [n["d"], n["a"], n["b"], n["c"]]  # c has no date: last
    assert admin_ids(sort="published", dir="desc") == [n["b"], n["a"], n["d"], n["c"]]  # still last
    assert admin_ids(sort="source") == [n["b"], n["a"], n["c"], n["d"]]
    # progress: the share approved (c 2/2, a 2/4, then d and b none approved; d's edit counts a little)
    assert admin_ids(sort="progress", dir="desc") == [n["c"], n["a"], n["d"], n["b"]]
    assert admin_ids(sort="progress") == [n["b"], n["d"], n["a"], n["c"]]
    assert admin_ids(sort="due") == [n["a"], n["c"], n["b"], n["d"]]  # the earliest due date; none last
    assert admin_ids(sort="status", status="assigned") == [n["a"], n["b"]]


def test_progress_counts_approved_edited_and_draft_paragraphs(newsroom):
    rows = {row.article.id: row for row in article_lists.admin_list(ListQuery()).rows}
    progress = rows[newsroom["a"]].progress
    assert (progress.total, progress.approved, progress.edited, progress.draft) == (4, 2, 1, 1)
    assert progress.percent(progress.approved) == 50.0
    assert [asg.user.username for asg in rows[newsroom["a"]].overdue] == ["rami"]
    assert rows[newsroom["c"]].overdue == []


def test_admin_list_pages_in_sql_and_counts_every_match(app):
    for i in range(7):
        add_article(f"Article {i:02d}", source="SANA" if i % 2 else "Reuters")
    first = article_lists.admin_list(ListQuery(per_page=3, source="SANA"))
    assert first.total == 3 and len(first.rows) == 3 and first.last_page == 1
    page = article_lists.admin_list(ListQuery(per_page=3, page=3, sort="title", direction="desc"))
    assert page.total == 7 and page.last_page == 3
    assert [row.article.title for row in page.rows] == ["Article 00"]
    assert article_lists.admin_list(ListQuery(per_page=3, page=9)).rows == []  # past the end: empty, no error


def test_links_keep_the_filters_and_sort_and_a_header_turns_the_order_around():
    query, _ = parse_list_query({"status": "new", "q": "x", "sort": "title", "dir": "asc", "page": "2"}, ADMIN_SORTS)
    assert query.args(page=3) == {"status": "new", "q": "x", "sort": "title", "dir": "asc", "page": 3}
    assert query.sorted_by("title") == {"status": "new", "q": "x", "sort": "title", "dir": "desc"}  # page 1
    assert query.sorted_by("published") == {"status": "new", "q": "x", "sort": "published", "dir": "asc"}
    assert (query.aria_sort("title"), query.aria_sort("published")) == ("ascending", "none")


def test_bad_sort_keys_directions_dates_and_pages_are_named_and_left_out():
    query, problems = parse_list_query(
        {"sort": "password", "dir": "sideways", "due_from": "2026-13-01", "published_to": "yesterday",
         "page": "two", "status": "lost", "q": "ok"}, MY_WORK_SORTS)
    assert query == ListQuery(q="ok")
    text = " ".join(problems)
    for named in ("'password'", "'sideways'", "'2026-13-01'", "'yesterday'", "'two'", "'lost'"):
        assert named in text
    assert "YYYY-MM-DD" in text and "title, published, role, due, status, progress" in text


def test_admin_sees_a_clear_message_for_a_bad_query_string_never_a_500(admin_client, newsroom):
    response = admin_client.get("/admin/?sort=nonsense&due_to=31/12/2026&status=assigned")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be sorted by &#39;nonsense&#39;" in html and "is not a date" in html
    assert len(re.findall(r'name="articles" value="(\d+)"', html)) == 2  # the status filter still applies
    assert admin_client.get("/admin/?page=999999999999999999999").status_code == 200


def test_reviewer_sees_only_their_work_overdue_first_and_can_filter_and_sort_it(client, newsroom, reviewer):
    n = newsroom
    page = article_lists.my_work_list(reviewer, ListQuery())
    # a overdue first; then by due date (c), then b without a due date (rami is its second reviewer)
    assert [(row.article.id, row.assignment.role) for row in page.rows] == [
        (n["a"], "reviewer"), (n["c"], "reviewer"), (n["b"], "second_reviewer")]
    assert [bool(row.overdue) for row in page.rows] == [True, False, False]
    assert ids(article_lists.my_work_list(reviewer, ListQuery(overdue=True))) == [n["a"]]
    assert ids(article_lists.my_work_list(reviewer, ListQuery(source="SANA", sort="title", direction="desc"))) \
        == [n["c"], n["a"]]
    assert ids(article_lists.my_work_list(reviewer, ListQuery(sort="role"))) == [n["a"], n["c"], n["b"]]
    assert ids(article_lists.my_work_list(reviewer, ListQuery(sort="progress", direction="desc"))) \
        == [n["c"], n["a"], n["b"]]
    log_in(client, "rami")
    html = client.get("/my-work?sort=title").get_data(as_text=True)
    assert re.findall(r'href="/articles/(\d+)"', html) == [str(n["a"]), str(n["b"]), str(n["c"])]
    assert "Delta note" not in html  # not theirs
    assert 'aria-sort="ascending"' in html and "2 approved · 1 edited · 1 draft" in html
    assert html.count('<strong class="overdue-mark">Overdue</strong>') == 1
    response = client.get("/my-work?sort=assignee")
    assert response.status_code == 400 and "cannot be sorted by" in response.get_data(as_text=True)


def test_admin_assigns_selected_articles_in_bulk_each_audited_and_refusals_named(admin, reviewer, other_reviewer,
                                                                                 newsroom):
    n = newsroom
    due = date(2031, 5, 1)
    # b's second reviewer is rami: he cannot also be its reviewer; 999999 does not exist
    outcome = article_lists.bulk_assign([n["b"], n["d"], n["a"], 999999], reviewer, None, actor=admin, due=due)
    assert outcome.done == [n["d"], n["a"]]
    assert dict(outcome.refused)[999999] == "no such article"
    assert "already the second reviewer" in dict(outcome.refused)[n["b"]] and len(outcome.refused) == 2
    summary = outcome.summary("Assigned")
    assert summary.startswith("Assigned 2 article(s). Refused 2: ")
    d = db.session.get(Article, n["d"])
    assert d.status == "assigned" and assignment_service.assignments_of(d)["reviewer"].due == due
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id.in_([n["a"], n["d"]]),
                                                         AuditEvent.action == "assignment.change")).all()
    assert [e.object_id for e in events] == [n["a"]]  # a's reviewer changed (its due date); d's was created
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_id == n["d"], AuditEvent.action == "assignment.create")) == 1
    # with a second reviewer: both roles, as the article page's form
    outcome = article_lists.bulk_assign([n["d"]], other_reviewer, reviewer, actor=admin)
    assert outcome.done == [n["d"]] and not outcome.refused
    assert {role: a.user.username for role, a in assignment_service.assignments_of(d).items()} == {
        "reviewer": "salma", "second_reviewer": "rami"}


def test_bulk_assign_refuses_the_same_person_twice_and_a_reviewer_who_cannot_review(admin, reviewer, newsroom):
    from app.services import ServiceError
    from app.services import users as user_service

    with pytest.raises(ServiceError, match="both the reviewer and the second reviewer"):
        article_lists.bulk_assign([newsroom["d"]], reviewer, reviewer, actor=admin)
    user_service.set_active(reviewer, False, actor=admin)
    with pytest.raises(ServiceError, match="cannot review"):
        article_lists.bulk_assign([newsroom["d"]], reviewer, None, actor=admin)
    with pytest.raises(ServiceError, match="at least one"):
        article_lists.bulk_assign([], admin, None, actor=admin)


@pytest.fixture(scope="session")
def tiny_package_file(tmp_path_factory):
    return build_argos_package(tmp_path_factory.mktemp("tiny-model"))


def test_admin_translates_selected_articles_in_bulk_skipping_approved_and_those_being_translated(
        app, admin, newsroom, tiny_package_file):
    n = newsroom
    from app.services import ServiceError

    with pytest.raises(ServiceError, match="model"):  # nothing installed yet
        article_lists.bulk_translate([n["a"]], app.instance_path, actor=admin)
    mt_packages.install_package(tiny_package_file, app.instance_path)
    approved = db.session.get(Article, n["d"])
    approved.status = "approved"
    db.session.commit()
    first = article_lists.bulk_translate([n["a"], n["d"]], app.instance_path, actor=admin)
    assert first.done == [n["a"]] and first.refused == [(n["d"], "approved, its English is final")]
    again = article_lists.bulk_translate([n["a"], n["b"]], app.instance_path, actor=admin)
    assert again.done == [n["b"]]
    assert again.refused[0][0] == n["a"] and again.refused[0][1].startswith("already being translated (job ")
    assert sorted(db.session.scalars(select(TranslationJob.article_id))) == sorted([n["a"], n["b"]])


def test_admin_bulk_form_needs_csrf_and_comes_back_to_the_same_list_with_a_summary(admin_client, newsroom):
    n = newsroom
    listing = admin_client.get("/admin/?source=SANA&sort=title").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)" class="bulk"', listing).group(1)
    assert action.startswith("/admin/articles/bulk?") and "source=SANA" in action and "sort=title" in action
    forged = admin_client.post(action.replace("&amp;", "&"), data={"articles": [n["d"]], "action": "assign",
                                                                   "reviewer": "salma"})
    assert forged.status_code == 400
    response = admin_client.post(action.replace("&amp;", "&"), data={
        "csrf_token": csrf_token_from(listing), "articles": [n["d"], n["c"]], "action": "assign",
        "reviewer": "salma", "due": "2031-01-31"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/admin/?") and "source=SANA" in location and "sort=title" in location
    page = admin_client.get(location).get_data(as_text=True)
    assert "Assigned 2 article(s)." in page
    assert assignment_service.assignments_of(db.session.get(Article, n["d"]))["reviewer"].user.username == "salma"
    nothing = admin_client.post("/admin/articles/bulk", data={
        "csrf_token": csrf_token_from(listing), "action": "assign", "reviewer": "salma"}, follow_redirects=True)
    assert "Select at least one article." in nothing.get_data(as_text=True)
    no_reviewer = admin_client.post("/admin/articles/bulk", data={
        "csrf_token": csrf_token_from(listing), "action": "assign", "articles": [n["d"]]}, follow_redirects=True)
    assert "Choose a reviewer" in no_reviewer.get_data(as_text=True)
    bad_id = admin_client.post("/admin/articles/bulk", data={
        "csrf_token": csrf_token_from(listing), "action": "assign", "articles": ["x"], "reviewer": "salma"})
    assert bad_id.status_code == 302  # the form's message, never a 500
