"""The JSON API under /api/v1: listing and reading articles, assigning them, authentication, errors, docs."""
import hashlib
import json
import re
import unicodedata
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import PARAGRAPH_KINDS, ApiToken, Article, Assignment, AuditEvent, Paragraph, utcnow
from app.services import assignment as assignment_service
from app.services import users as user_service
from tests.conftest import bearer, log_in

API = "/api/v1"
SUMMARY_FIELDS = {"id", "title", "published", "source", "status", "paragraph_count"}
PARAGRAPH_FIELDS = {"id", "position", "kind", "ar", "version", "status", "approved_revision_id", "machine", "translation",
                    "entities", "links", "qa"}
SEED_000_TITLE = 'روسيا وتركمانستان تعملان على تطوير التعاون باستخدام إمكانات "الاتحاد الاقتصادي الأوراسي"'
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
MISSING_ID = 987654


# Helpers ---------------------------------------------------------------------


def token_for(user) -> dict:
    return bearer(user_service.issue_api_token(user))


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is `{"error": {"code", "message"[, "details"]}}` with this status; returns the error."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", "details"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def assign(client, headers, article_id, username, role=None, **extra):
    body = {"username": username, **extra}
    if role is not None:
        body["role"] = role
    return client.post(f"{API}/articles/{article_id}/assignments", json=body, headers=headers)


def listed_ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [article["id"] for article in response.get_json()["articles"]]


def assignment_rows() -> list[tuple[int, str, str]]:
    from app.models import User

    rows = db.session.execute(
        select(Assignment.article_id, Assignment.role, User.username)
        .join(User, Assignment.user_id == User.id)
        .order_by(Assignment.article_id, Assignment.role)
    )
    return [tuple(row) for row in rows]


def assignment_events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("assignment.%")).order_by(AuditEvent.id))
    )


def article_status(article_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Article, article_id).status


def add_articles(count: int) -> list[int]:
    """Bare articles without paragraphs, for paging past the default page size."""
    articles = []
    for n in range(count):
        raw = f"article {n}".encode()
        articles.append(Article(
            title=f"مقال {n}", original_filename=f"extra_{n}.txt", raw_bytes=raw,
            checksum=hashlib.sha256(raw).hexdigest(),
        ))
    db.session.add_all(articles)
    db.session.commit()
    return [a.id for a in articles]


@pytest.fixture
def admin_token(admin):
    return token_for(admin)


@pytest.fixture
def reviewer_token(reviewer):
    return token_for(reviewer)


def page_csrf_token(client) -> str:
    match = META_CSRF.search(client.get("/my-work").get_data(as_text=True))
    assert match, "no <meta name=csrf-token> on the page"
    return match.group(1)


# Listing articles -------------------------------------------------------------


def test_admin_lists_all_articles_in_id_order_with_paragraph_counts(client, admin_token, seeded):
    response = client.get(f"{API}/articles", headers=admin_token)

    body = response.get_json()
    assert listed_ids(response) == sorted(seeded)
    assert body["total"] == len(seeded)
    counts = dict(db.session.execute(select(Paragraph.article_id, func.count()).group_by(Paragraph.article_id)).all())
    for article in body["articles"]:
        assert set(article) == SUMMARY_FIELDS
        assert article["paragraph_count"] == counts[article["id"]] > 0
        assert article["status"] == "new"
        assert article["title"] and unicodedata.is_normalized("NFC", article["title"])
        if article["published"] is not None:
            assert date.fromisoformat(article["published"]).isoformat() == article["published"]
    assert None in [a["published"] for a in body["articles"]]  # a seed without a date says null
    assert "Set-Cookie" not in response.headers  # a Bearer call opens no session


def test_reviewer_lists_only_assigned_articles(client, admin, reviewer, other_reviewer, reviewer_token, seeded):
    for article_id, user, role in [
        (seeded[3], reviewer, "reviewer"),
        (seeded[1], reviewer, "reviewer"),
        (seeded[2], other_reviewer, "reviewer"),
        (seeded[2], reviewer, "second_reviewer"),
    ]:
        article = assignment_service.get_visible_article(admin, article_id)
        assignment_service.assign_article(article, user, role, actor=admin)

    response = client.get(f"{API}/articles", headers=reviewer_token)

    assert listed_ids(response) == [seeded[1], seeded[2], seeded[3]]
    assert response.get_json()["total"] == 3
    assert listed_ids(client.get(f"{API}/articles", headers=token_for(other_reviewer))) == [seeded[2]]


def test_reviewer_without_assignments_sees_an_empty_list(client, reviewer_token, seeded):
    response = client.get(f"{API}/articles", headers=reviewer_token)
    assert response.get_json() == {"articles": [], "total": 0, "page": 1, "per_page": 50}


# Reading one article ------------------------------------------------------------


def test_article_detail_has_paragraphs_in_order_with_arabic_nfc(client, admin_token, seeded):
    article_id = db.session.scalar(select(Article.id).where(Article.original_filename.startswith("000_")))

    response = client.get(f"{API}/articles/{article_id}", headers=admin_token)

    assert response.status_code == 200
    article = response.get_json()
    assert set(article) == SUMMARY_FIELDS | {"paragraphs"}
    assert article["id"] == article_id
    assert article["title"] == SEED_000_TITLE
    assert article["published"] == "2022-06-10"
    assert article["source"] == "تاس"
    assert article["status"] == "new"
    paragraphs = article["paragraphs"]
    assert article["paragraph_count"] == len(paragraphs) > 1
    assert [p["position"] for p in paragraphs] == list(range(len(paragraphs)))
    assert len({p["id"] for p in paragraphs}) == len(paragraphs)
    assert paragraphs[0]["kind"] == "title" and paragraphs[0]["ar"] == SEED_000_TITLE
    for paragraph in paragraphs:
        assert set(paragraph) == PARAGRAPH_FIELDS
        assert paragraph["kind"] in PARAGRAPH_KINDS
        assert paragraph["ar"].strip() and unicodedata.is_normalized("NFC", paragraph["ar"])
        assert paragraph["version"] == 1 and paragraph["status"] == "draft"
        assert paragraph["machine"] is None and paragraph["translation"] is None  # not translated yet


def test_list_and_detail_agree_on_the_summary_fields(client, admin_token, seeded):
    listed = client.get(f"{API}/articles", headers=admin_token).get_json()["articles"]
    for summary in listed:
        detail = client.get(f"{API}/articles/{summary['id']}", headers=admin_token).get_json()
        assert {key: detail[key] for key in SUMMARY_FIELDS} == summary


def test_reviewer_reads_an_assigned_article(client, admin, reviewer, reviewer_token, seeded):
    assignment_service.assign_article(assignment_service.get_visible_article(admin, seeded[2]), reviewer, actor=admin)

    response = client.get(f"{API}/articles/{seeded[2]}", headers=reviewer_token)

    assert response.status_code == 200
    assert response.get_json()["status"] == "assigned"


def test_reviewer_gets_404_for_unassigned_article_like_for_a_missing_one(
    client, admin, reviewer, reviewer_token, seeded
):
    assignment_service.assign_article(assignment_service.get_visible_article(admin, seeded[0]), reviewer, actor=admin)
    unassigned = seeded[2]

    hidden = client.get(f"{API}/articles/{unassigned}", headers=reviewer_token)
    missing = client.get(f"{API}/articles/{MISSING_ID}", headers=reviewer_token)

    assert_error(hidden, 404, "not_found")
    assert_error(missing, 404, "not_found")
    assert hidden.get_data(as_text=True).replace(str(unassigned), "<id>") == (
        missing.get_data(as_text=True).replace(str(MISSING_ID), "<id>")
    )
    assert hidden.headers["Content-Type"] == missing.headers["Content-Type"]


@pytest.mark.parametrize(
    "article_id", ["99999999999999999999", "9223372036854775808", "9223372036854775807", "0", "-1"]
)
def test_huge_or_odd_article_ids_are_404_not_500(client, admin_token, seeded, article_id):
    assert_error(client.get(f"{API}/articles/{article_id}", headers=admin_token), 404, "not_found")
    assert_error(assign(client, admin_token, article_id, "amina"), 404, "not_found")


# Paging -------------------------------------------------------------------------


def test_articles_are_paged_with_the_total_on_every_page(client, admin_token, seeded):
    pages = [client.get(f"{API}/articles?page={n}&per_page=2", headers=admin_token) for n in (1, 2, 3, 4)]

    assert [listed_ids(page) for page in pages] == [seeded[0:2], seeded[2:4], seeded[4:5], []]
    assert {page.get_json()["total"] for page in pages} == {len(seeded)}
    assert pages[1].get_json()["page"] == 2 and pages[1].get_json()["per_page"] == 2


def test_page_size_defaults_to_50_and_goes_up_to_500(client, admin_token, seeded):
    extra = add_articles(60)
    all_ids = sorted(seeded + extra)

    default = client.get(f"{API}/articles", headers=admin_token)
    second = client.get(f"{API}/articles?page=2", headers=admin_token)
    largest = client.get(f"{API}/articles?per_page=500", headers=admin_token)

    assert listed_ids(default) == all_ids[:50]
    assert listed_ids(second) == all_ids[50:]
    assert listed_ids(largest) == all_ids
    assert default.get_json()["total"] == largest.get_json()["total"] == 65


def test_per_page_above_500_is_refused_with_details(client, admin_token, seeded):
    error = assert_error(client.get(f"{API}/articles?per_page=501", headers=admin_token), 422, "unprocessable_entity")
    assert list(error["details"]) == ["query"]
    assert list(error["details"]["query"]) == ["per_page"]
    assert "500" in error["details"]["query"]["per_page"][0]


@pytest.mark.parametrize("query, field", [
    ("page=0", "page"), ("page=-3", "page"), ("page=abc", "page"), ("page=", "page"), ("page=1.5", "page"),
    ("per_page=0", "per_page"), ("per_page=many", "per_page"),
])
def test_bad_paging_parameters_are_422(client, admin_token, seeded, query, field):
    error = assert_error(client.get(f"{API}/articles?{query}", headers=admin_token), 422, "unprocessable_entity")
    assert field in error["details"]["query"]


# Authentication -----------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Bearer mzn_" + "x" * 43},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic YW1pbmE6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5"},
    {"Authorization": "mzn_token-without-scheme"},
])
@pytest.mark.parametrize("url", [f"{API}/articles", f"{API}/articles/1"])
def test_missing_or_garbage_credentials_are_401_json(client, admin, seeded, headers, url):
    response = client.get(url, headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_post_is_401_and_writes_nothing(client, reviewer, seeded):
    assert_error(assign(client, {}, seeded[0], "rami"), 401, "unauthorized")
    assert assignment_rows() == [] and assignment_events() == []


def test_bearer_token_is_case_insensitive_about_its_scheme(client, admin, seeded):
    token = user_service.issue_api_token(admin)
    assert client.get(f"{API}/articles", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_revoked_token_is_401_while_other_tokens_still_work(client, admin, seeded):
    revoked, kept = user_service.issue_api_token(admin), user_service.issue_api_token(admin)
    digest = hashlib.sha256(revoked.encode()).hexdigest()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    row.revoked_at = utcnow()
    db.session.commit()

    assert_error(client.get(f"{API}/articles", headers=bearer(revoked)), 401, "unauthorized")
    assert client.get(f"{API}/articles", headers=bearer(kept)).status_code == 200


def test_deactivated_users_token_is_401_even_after_reactivation(client, admin, reviewer, seeded):
    token = user_service.issue_api_token(reviewer)
    assert client.get(f"{API}/articles", headers=bearer(token)).status_code == 200

    user_service.set_active(reviewer, False, actor=admin)
    assert_error(client.get(f"{API}/articles", headers=bearer(token)), 401, "unauthorized")

    user_service.set_active(reviewer, True, actor=admin)  # deactivation revoked the old tokens for good
    assert_error(client.get(f"{API}/articles", headers=bearer(token)), 401, "unauthorized")


def test_session_get_works_without_csrf_header(admin_client, seeded):
    assert listed_ids(admin_client.get(f"{API}/articles")) == sorted(seeded)
    assert admin_client.get(f"{API}/articles/{seeded[0]}").status_code == 200


def test_session_of_a_deactivated_user_is_401(client, admin, reviewer, seeded):
    assert log_in(client, "rami").status_code == 302
    user_service.set_active(reviewer, False, actor=admin)
    assert_error(client.get(f"{API}/articles"), 401, "unauthorized")


def test_session_post_without_csrf_header_is_refused_and_writes_nothing(admin_client, reviewer, seeded):
    response = assign(admin_client, {}, seeded[0], "rami")

    assert_error(response, 403, "csrf_failed")
    assert assignment_rows() == [] and assignment_events() == []
    assert article_status(seeded[0]) == "new"


def test_session_post_with_a_wrong_csrf_token_is_refused(admin_client, reviewer, seeded):
    assert_error(assign(admin_client, {"X-CSRFToken": "forged"}, seeded[0], "rami"), 403, "csrf_failed")
    assert assignment_rows() == []


def test_session_post_with_csrf_header_from_the_page_assigns(admin_client, reviewer, seeded):
    response = assign(admin_client, {"X-CSRFToken": page_csrf_token(admin_client)}, seeded[0], "rami")

    assert response.status_code == 201, response.get_data(as_text=True)
    assert assignment_rows() == [(seeded[0], "reviewer", "rami")]


def test_bearer_post_needs_no_csrf_header(client, admin_token, reviewer, seeded):
    response = assign(client, admin_token, seeded[0], "rami")

    assert response.status_code == 201, response.get_data(as_text=True)
    assert assignment_rows() == [(seeded[0], "reviewer", "rami")]


def test_bearer_header_decides_alone_even_beside_a_session(admin_client, reviewer, reviewer_token, seeded):
    """An admin's session cookie lends nothing to a request that carries a Bearer header."""
    assert_error(admin_client.get(f"{API}/articles", headers=bearer("not-a-token")), 401, "unauthorized")
    assert listed_ids(admin_client.get(f"{API}/articles", headers=reviewer_token)) == []
    assert_error(assign(admin_client, reviewer_token, seeded[0], "rami"), 403, "forbidden")
    assert assignment_rows() == []


# Assigning ---------------------------------------------------------------------


def test_admin_assigns_a_reviewer_audited_and_the_article_becomes_assigned(
    client, admin, admin_token, reviewer, seeded
):
    article_id = seeded[1]
    before = datetime.now().astimezone()

    response = assign(client, admin_token, article_id, "rami", "reviewer", due="2030-01-31")

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert datetime.fromisoformat(body.pop("assigned_at")) >= before.replace(microsecond=0)
    assert body == {
        "article_id": article_id, "username": "rami", "role": "reviewer", "due": "2030-01-31",
        "assigned_by": "amina", "article_status": "assigned",
    }
    assert assignment_rows() == [(article_id, "reviewer", "rami")]
    assert article_status(article_id) == "assigned"
    [event] = assignment_events()
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        "assignment.create", admin.id, "article", article_id,
    )
    assert event.before == {"assignment": None, "status": "new"}
    assert event.after == {
        "assignment": {"role": "reviewer", "username": "rami", "due": "2030-01-31"}, "status": "assigned",
    }
    assert listed_ids(client.get(f"{API}/articles", headers=token_for(reviewer))) == [article_id]


def test_role_defaults_to_reviewer_and_username_is_case_insensitive(client, admin_token, reviewer, seeded):
    response = assign(client, admin_token, seeded[0], "  RAMI ")

    assert response.status_code == 201
    assert (response.get_json()["role"], response.get_json()["username"], response.get_json()["due"]) == (
        "reviewer", "rami", None,
    )


def test_admin_assigns_a_second_reviewer_after_the_reviewer(client, admin_token, reviewer, other_reviewer, seeded):
    assert assign(client, admin_token, seeded[0], "rami", "reviewer").status_code == 201
    response = assign(client, admin_token, seeded[0], "salma", "second_reviewer")

    assert response.status_code == 201
    assert assignment_rows() == [(seeded[0], "reviewer", "rami"), (seeded[0], "second_reviewer", "salma")]
    assert [e.action for e in assignment_events()] == ["assignment.create", "assignment.create"]


def test_reassignment_replaces_the_user(client, admin, admin_token, reviewer, other_reviewer, seeded):
    article_id = seeded[0]
    assert assign(client, admin_token, article_id, "rami").status_code == 201

    response = assign(client, admin_token, article_id, "salma")

    assert response.status_code == 201 and response.get_json()["username"] == "salma"
    assert assignment_rows() == [(article_id, "reviewer", "salma")]
    change = assignment_events()[-1]
    assert change.action == "assignment.change" and change.actor_id == admin.id
    assert change.before["assignment"]["username"] == "rami"
    assert change.after["assignment"]["username"] == "salma"
    assert_error(client.get(f"{API}/articles/{article_id}", headers=token_for(reviewer)), 404)
    assert listed_ids(client.get(f"{API}/articles", headers=token_for(other_reviewer))) == [article_id]


def test_reassignment_is_stamped_with_its_own_time_and_admin(
    client, admin, admin_token, reviewer, other_reviewer, seeded
):
    first = assign(client, admin_token, seeded[0], "rami").get_json()
    second_admin = user_service.create_user("bilal", "another long password", "admin")

    second = assign(client, token_for(second_admin), seeded[0], "salma").get_json()

    assert second["assigned_by"] == "bilal"
    assert datetime.fromisoformat(second["assigned_at"]) > datetime.fromisoformat(first["assigned_at"])


def test_repeating_the_same_assignment_changes_nothing(client, admin_token, reviewer, seeded):
    first = assign(client, admin_token, seeded[0], "rami", due="2030-01-31")
    again = assign(client, admin_token, seeded[0], "rami", due="2030-01-31")

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert len(assignment_events()) == 1


def test_reviewer_cannot_assign_and_nothing_is_written(client, reviewer, reviewer_token, other_reviewer, seeded):
    response = assign(client, reviewer_token, seeded[0], "salma")

    assert_error(response, 403, "forbidden")
    assert assignment_rows() == [] and assignment_events() == []
    assert article_status(seeded[0]) == "new"
    # The same answer whether or not the article exists: nothing leaks.
    assert_error(assign(client, reviewer_token, MISSING_ID, "salma"), 403, "forbidden")


def test_assigning_an_unknown_username_is_422(client, admin_token, seeded):
    error = assert_error(assign(client, admin_token, seeded[0], "nobody"), 422, "unprocessable_entity")

    assert error["details"] == {"json": {"username": ["Unknown user."]}}
    assert "nobody" in error["message"]
    assert assignment_rows() == [] and assignment_events() == []


def test_assigning_a_deactivated_user_is_422(client, admin, admin_token, reviewer, seeded):
    user_service.set_active(reviewer, False, actor=admin)

    error = assert_error(assign(client, admin_token, seeded[0], "rami"), 422)

    assert "deactivated" in error["message"]
    assert assignment_rows() == []


def test_same_user_cannot_be_reviewer_and_second_reviewer(client, admin_token, reviewer, other_reviewer, seeded):
    article_id = seeded[0]
    assert assign(client, admin_token, article_id, "rami", "reviewer").status_code == 201
    assert assign(client, admin_token, article_id, "salma", "second_reviewer").status_code == 201
    events = len(assignment_events())

    as_second = assign(client, admin_token, article_id, "rami", "second_reviewer")
    as_first = assign(client, admin_token, article_id, "salma", "reviewer")

    assert "different people" in assert_error(as_second, 422, "unprocessable_entity")["message"]
    assert "different people" in assert_error(as_first, 422, "unprocessable_entity")["message"]
    assert assignment_rows() == [(article_id, "reviewer", "rami"), (article_id, "second_reviewer", "salma")]
    assert len(assignment_events()) == events


def test_second_reviewer_before_reviewer_is_422(client, admin_token, other_reviewer, seeded):
    error = assert_error(assign(client, admin_token, seeded[0], "salma", "second_reviewer"), 422)

    assert "reviewer before" in error["message"]
    assert assignment_rows() == [] and assignment_events() == []
    assert article_status(seeded[0]) == "new"


def test_admin_assigning_on_a_missing_article_gets_404(client, admin_token, reviewer, seeded):
    assert_error(assign(client, admin_token, MISSING_ID, "rami"), 404, "not_found")
    assert assignment_rows() == []


@pytest.mark.parametrize("body, field", [
    ({}, "username"),
    ({"username": ""}, "username"),
    ({"username": "r" * 65}, "username"),
    ({"username": 7}, "username"),
    ({"username": "rami", "role": "editor"}, "role"),
    ({"username": "rami", "role": None}, "role"),
    ({"username": "rami", "due": "31/01/2030"}, "due"),
    ({"username": "rami", "due": "2030-02-30"}, "due"),
    ({"username": "rami", "unexpected": 1}, "unexpected"),
])
def test_assignment_body_is_validated(client, admin_token, reviewer, seeded, body, field):
    response = client.post(f"{API}/articles/{seeded[0]}/assignments", json=body, headers=admin_token)

    error = assert_error(response, 422, "unprocessable_entity")
    assert field in error["details"]["json"]
    assert assignment_rows() == []


@pytest.mark.parametrize("body", ["[]", '"rami"', "null", "42"])
def test_assignment_body_must_be_a_json_object(client, admin_token, reviewer, seeded, body):
    response = client.post(
        f"{API}/articles/{seeded[0]}/assignments",
        data=body,
        headers={**admin_token, "Content-Type": "application/json"},
    )
    assert_error(response, 422)
    assert assignment_rows() == []


@pytest.mark.parametrize("data, content_type", [
    ('{"username": "rami"', "application/json"),
    ("username=rami", "application/json"),
    (b"\xff\xfe{}", "application/json"),
    ("username=rami", "application/x-www-form-urlencoded"),
    ("", "application/json"),
])
def test_malformed_body_is_a_json_4xx_not_500(client, admin_token, reviewer, seeded, data, content_type):
    response = client.post(
        f"{API}/articles/{seeded[0]}/assignments", data=data, headers={**admin_token, "Content-Type": content_type}
    )
    error = assert_error(response, response.status_code)
    assert 400 <= response.status_code < 500, error
    assert assignment_rows() == []


# Errors elsewhere under /api ---------------------------------------------------


def test_unknown_api_path_is_404_json(client, admin_token):
    assert_error(client.get(f"{API}/nothing-here", headers=admin_token), 404, "not_found")


@pytest.mark.parametrize("method, url, allowed", [
    ("DELETE", f"{API}/articles", {"GET", "HEAD", "OPTIONS"}),
    ("PUT", f"{API}/articles/1", {"GET", "HEAD", "OPTIONS"}),
    ("GET", f"{API}/articles/1/assignments", {"POST", "OPTIONS"}),
])
def test_undeclared_method_is_405_json_with_allow_header(client, admin_token, seeded, method, url, allowed):
    response = client.open(url, method=method, headers=admin_token)

    assert_error(response, 405, "method_not_allowed")
    assert {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()} == allowed


# The document and its browsable docs -------------------------------------------


def test_openapi_json_is_openapi_3_with_the_three_paths_and_a_bearer_scheme(client):
    response = client.get(f"{API}/openapi.json")

    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"get"} <= set(paths[f"{API}/articles"])
    assert {"get"} <= set(paths[f"{API}/articles/{{article_id}}"])
    assert {"post"} <= set(paths[f"{API}/articles/{{article_id}}/assignments"])
    schemes = document["components"]["securitySchemes"]
    bearer_schemes = [name for name, s in schemes.items() if s["type"] == "http" and s["scheme"].lower() == "bearer"]
    assert bearer_schemes
    assert any(set(requirement) & set(bearer_schemes) for requirement in document["security"])
    page_args = {p["name"]: p["schema"] for p in paths[f"{API}/articles"]["get"]["parameters"]}
    assert page_args["per_page"]["maximum"] == 500 and page_args["per_page"]["default"] == 50
    assert page_args["page"]["minimum"] == 1


def test_docs_page_uses_only_local_assets(client):
    response = client.get(f"{API}/docs")

    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "http://" not in page and "https://" not in page and "cdn" not in page.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        with client.get(asset) as served:
            assert served.status_code == 200, asset
            assert served.mimetype in ("text/javascript", "application/javascript", "text/css"), served.mimetype
            assert served.get_data(), asset
    # The settings travel as JSON data (no inline script under the Content-Security-Policy).
    settings = re.search(r'<script type="application/json" id="swagger-ui-config">(.*?)</script>', page, re.S)
    assert settings and json.loads(settings.group(1))["url"] == f"{API}/openapi.json"
