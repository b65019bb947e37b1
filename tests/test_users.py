"""Admins manage accounts from the command line and the web; API tokens are shown once, stored hashed."""
import hashlib

import pytest

from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, AuditEvent, User
from app.services import users as user_service
from tests.conftest import bearer, csrf_token_from, log_in


def cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_cli_creates_a_reviewer_reading_the_password_from_stdin(app):
    result = cli(app, "users", "create", "Layla", "--role", "reviewer", "--password-stdin",
                 input="a good long password\n")
    assert result.exit_code == 0, result.output
    assert "Created reviewer layla." in result.output
    assert user_service.authenticate("layla", "a good long password").role == "reviewer"


def test_cli_prompts_for_the_password_twice(app):
    result = cli(app, "users", "create", "omar", "--role", "admin", input="a good long password\na good long password\n")
    assert result.exit_code == 0, result.output
    assert user_service.authenticate("omar", "a good long password").role == "admin"


def test_cli_refuses_a_short_password_a_duplicate_and_a_bad_role(app, reviewer):
    short = cli(app, "users", "create", "nadia", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    duplicate = cli(app, "users", "create", "RAMI", "--password-stdin", input="a good long password\n")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    bad_role = cli(app, "users", "create", "nadia", "--role", "owner", "--password-stdin", input="a good long password\n")
    assert bad_role.exit_code == 2
    assert db.session.scalar(select(User).where(User.username == "nadia")) is None


def test_cli_refuses_a_display_name_longer_than_its_column_before_the_database_does(app):
    result = cli(app, "users", "create", "nadia", "--display-name", "ن" * 121, "--password-stdin",
                 input="a good long password\n")
    assert result.exit_code == 1 and "The display name can be at most 120 characters." in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(User).where(User.username == "nadia")) is None
    fits = cli(app, "users", "create", "nadia", "--display-name", "ن" * 120, "--password-stdin",
               input="a good long password\n")
    assert fits.exit_code == 0, fits.output

def test_cli_lists_and_deactivates_users(app, admin, reviewer):
    listing = cli(app, "users", "list")
    assert listing.output.splitlines() == [
        "amina\tadmin\tactive\tAmina Admin",
        "rami\treviewer\tactive\tRami Reviewer",
    ]
    assert cli(app, "users", "deactivate", "rami").exit_code == 0
    assert "rami\treviewer\tdeactivated" in cli(app, "users", "list").output
    assert user_service.authenticate("rami", "correct horse battery") is None
    missing = cli(app, "users", "deactivate", "nobody")
    assert missing.exit_code == 1 and "No user named 'nobody'." in missing.output


def test_the_last_admin_cannot_be_deactivated(app, admin):
    result = cli(app, "users", "deactivate", "amina")
    assert result.exit_code == 1 and "last active admin" in result.output


def test_cli_token_prints_only_the_token_and_stores_only_its_hash(app, client, reviewer):
    result = cli(app, "users", "token", "rami")
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    assert token.startswith("mzn_") and len(token) > 40
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert client.get("/api/v1/articles", headers=bearer(token)).status_code == 200


def test_a_corpus_user_rotates_a_token_and_the_old_one_stops_working(app, client, reviewer):
    old = cli(app, "users", "token", "rami").stdout.strip()
    new = cli(app, "users", "token", "rami", "--revoke-others").stdout.strip()
    assert client.get("/api/v1/articles", headers=bearer(old)).status_code == 401
    assert client.get("/api/v1/articles", headers=bearer(new)).status_code == 200


def test_an_admin_revokes_every_token_of_a_user_from_the_cli(app, client, reviewer):
    tokens = [cli(app, "users", "token", "rami").stdout.strip() for _ in range(2)]
    result = cli(app, "users", "revoke-tokens", "rami")
    assert result.exit_code == 0 and "Revoked 2 API tokens of rami." in result.stderr
    assert [client.get("/api/v1/articles", headers=bearer(t)).status_code for t in tokens] == [401, 401]
    assert cli(app, "users", "revoke-tokens", "nobody").exit_code != 0


def test_tokens_stop_working_when_the_user_is_deactivated(app, client, admin, reviewer):
    token = cli(app, "users", "token", "rami").stdout.strip()
    cli(app, "users", "deactivate", "rami")
    response = client.get("/api/v1/articles", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def submit(client, url, **fields):
    """Post a form the way a browser does: with the CSRF token of the page it came from."""
    page = url.rsplit("/", 1)[0] if url.endswith(("/password", "/deactivate", "/activate")) else url
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **fields})


def test_admin_creates_a_user_on_the_web(admin_client):
    response = submit(admin_client, "/admin/users", username="Huda", display_name="هدى", role="reviewer",
                      password="a good long password", confirm="a good long password")
    assert response.status_code == 302
    db.session.expire_all()
    huda = user_service.get_user_by_username("huda")
    assert huda.display_name == "هدى" and huda.role == "reviewer"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create",
                                                      AuditEvent.object_id == huda.id)).actor_id is not None


def test_web_user_creation_explains_mistakes_and_writes_nothing(admin_client):
    response = submit(admin_client, "/admin/users", username="huda", role="reviewer",
                      password="a good long password", confirm="another long password")
    assert response.status_code == 422
    assert "Passwords do not match." in response.get_data(as_text=True)
    forged_role = submit(admin_client, "/admin/users", username="huda", role="superuser",
                         password="a good long password", confirm="a good long password")
    assert forged_role.status_code == 422
    assert user_service.get_user_by_username("huda") is None


def test_admin_resets_a_password_on_the_web(admin_client, client, reviewer):
    response = submit(admin_client, f"/admin/users/{reviewer.id}/password",
                      password="the new long password", confirm="the new long password")
    assert response.status_code == 302
    db.session.expire_all()
    assert user_service.authenticate("rami", "the new long password") is not None


def test_admin_deactivates_and_reactivates_a_user_on_the_web(admin_client, app, reviewer):
    assert submit(admin_client, f"/admin/users/{reviewer.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, reviewer.id).active
    assert submit(admin_client, f"/admin/users/{reviewer.id}/activate").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, reviewer.id).active


def test_forged_admin_forms_without_csrf_change_nothing(admin_client, reviewer):
    for url, data in [
        (f"/admin/users/{reviewer.id}/deactivate", {}),
        (f"/admin/users/{reviewer.id}/password", {"password": "x" * 12, "confirm": "x" * 12}),
        ("/admin/users", {"username": "eve", "role": "admin", "password": "x" * 12, "confirm": "x" * 12}),
    ]:
        assert admin_client.post(url, data=data).status_code == 400, url
    db.session.expire_all()
    assert db.session.get(User, reviewer.id).active
    assert user_service.authenticate("rami", "x" * 12) is None
    assert user_service.get_user_by_username("eve") is None


def test_reviewer_cannot_manage_users(client, reviewer, other_reviewer):
    log_in(client, "rami")
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{other_reviewer.id}/deactivate", data={}).status_code in (400, 403)
    db.session.expire_all()
    assert db.session.get(User, other_reviewer.id).active


def test_an_api_token_does_not_open_web_pages(app, client, reviewer):
    token = cli(app, "users", "token", "rami").stdout.strip()
    response = client.get("/my-work", headers=bearer(token))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_an_admin_cannot_deactivate_their_own_account_on_the_web(admin_client, admin, app):
    other = user_service.create_user("badr", "correct horse battery", "admin")
    page = admin_client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "You cannot deactivate your own account" in page and "Deactivate amina</button>" not in page
    response = submit(admin_client, f"/admin/users/{admin.id}/deactivate")  # a forged or stale form
    assert "You cannot deactivate your own account" in admin_client.get(response.headers["Location"]).get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active and db.session.get(User, other.id).active
    assert admin_client.get("/admin/users").status_code == 200  # still logged in
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.deactivate")).all()


def test_the_last_active_admin_cannot_be_deactivated_from_the_page(admin_client, admin, app):
    other = user_service.create_user("badr", "correct horse battery", "admin")
    assert submit(admin_client, f"/admin/users/{other.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, other.id).active
    # amina is now the only active admin: neither she nor anyone on the page can take that away
    with pytest.raises(user_service.UserError, match="last active admin"):
        user_service.set_active(db.session.get(User, admin.id), False, actor=db.session.get(User, other.id))
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_cli_reactivates_a_deactivated_user(app, client, reviewer):
    assert cli(app, "users", "deactivate", "rami").exit_code == 0
    result = cli(app, "users", "activate", "rami")
    assert result.exit_code == 0 and "Activated rami." in result.output
    db.session.expire_all()
    assert "rami\treviewer\tactive" in cli(app, "users", "list").output
    assert log_in(client, "rami").status_code == 302
    assert [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "user", AuditEvent.object_id == reviewer.id)
        .order_by(AuditEvent.id))][-2:] == ["user.deactivate", "user.activate"]
    missing = cli(app, "users", "activate", "nobody")
    assert missing.exit_code == 1 and "No user named 'nobody'." in missing.output


def test_every_problem_of_a_new_account_is_reported_at_once_by_field(app, reviewer):
    problems = user_service.new_user_problems("Bad Name!", "short", "boss", "x" * 500)
    assert set(problems) == {"username", "role", "password", "display_name"}
    assert problems["username"].startswith("Username must be 2-64 characters")
    assert problems["password"] == "Password must be at least 12 characters long."
    assert user_service.new_user_problems(reviewer.username, "copper lantern orbit meadow") == {
        "username": f"A user named {reviewer.username!r} already exists."}
    assert user_service.new_user_problems("nadia", "copper lantern orbit meadow") == {}
    with pytest.raises(user_service.UserError, match="Username must be"):  # the service refuses with the first
        user_service.create_user("Bad Name!", "short")


def test_the_admins_new_user_form_shows_the_username_and_password_problems_together(admin_client):
    page = admin_client.get("/admin/users").get_data(as_text=True)
    response = admin_client.post("/admin/users", data={
        "csrf_token": csrf_token_from(page), "username": "Bad Name!", "role": "reviewer",
        "password": "short", "confirm": "other"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="username-errors"' in html and "Username must be 2-64 characters" in html
    assert 'id="password-errors"' in html and "at least 12 characters" in html
    assert 'id="confirm-errors"' in html and "Passwords do not match" in html
    assert db.session.scalar(select(User).where(User.username == "bad name!")) is None
