"""Issue 14, passwords: one rule (at least 12 characters, not only spaces, not common or guessable) for the
command line, the admin's forms and a user's own change; users change their own password, admins reset."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from app.services import users as user_service
from tests.conftest import PASSWORD, csrf_token_from, log_in

NEW_PASSWORD = "violet tractor umbrella 77"
# Refused, each with what the person is told.
WEAK = [
    ("aaaaaaaaaaaa", "too easy to guess"),
    ("password1234", "too easy to guess"),
    ("password12", "at least 12 characters"),
    (" " * 12, "cannot be only spaces"),
    ("qwertyuiop12", "too easy to guess"),
    ("nadia nadia nadia", "too easy to guess"),  # the username, three times
]


def cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def submit(client, page, url, **fields):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **fields})


@pytest.mark.parametrize("password, told", WEAK)
def test_the_cli_refuses_short_common_guessable_and_blank_passwords(app, password, told):
    result = cli(app, "users", "create", "nadia", "--password-stdin", input=password + "\n")
    assert result.exit_code == 1 and told in result.output, result.output
    assert db.session.scalar(select(User).where(User.username == "nadia")) is None


@pytest.mark.parametrize("password, told", WEAK)
def test_the_admins_user_form_refuses_them_too(admin_client, password, told):
    response = submit(admin_client, "/admin/users", "/admin/users", username="nadia", role="reviewer",
                      password=password, confirm=password)
    assert response.status_code == 422
    assert told in response.get_data(as_text=True)
    assert user_service.get_user_by_username("nadia") is None


def test_the_admins_reset_refuses_a_guessable_password_and_changes_nothing(admin_client, reviewer):
    response = submit(admin_client, f"/admin/users/{reviewer.id}", f"/admin/users/{reviewer.id}/password",
                      password="rami reviewer", confirm="rami reviewer")
    assert response.status_code == 422
    assert "too easy to guess" in response.get_data(as_text=True)
    db.session.expire_all()
    assert user_service.authenticate("rami", PASSWORD) is not None


def test_a_strong_password_is_accepted_everywhere(app, admin_client, reviewer):
    assert cli(app, "users", "create", "nadia", "--password-stdin", input=NEW_PASSWORD + "\n").exit_code == 0
    assert submit(admin_client, "/admin/users", "/admin/users", username="huda", role="reviewer",
                  password=NEW_PASSWORD, confirm=NEW_PASSWORD).status_code == 302


def test_the_header_links_to_the_users_own_password_page(reviewer_client):
    page = reviewer_client.get("/my-work").get_data(as_text=True)
    assert 'href="/account/password"' in page
    assert reviewer_client.get("/account/password").status_code == 200


def test_the_password_page_is_for_logged_in_users(client):
    assert client.get("/account/password").headers["Location"].startswith("/login?next=")


def change(client, current: str, new: str, confirm: str | None = None):
    return submit(client, "/account/password", "/account/password",
                  current_password=current, password=new, confirm=new if confirm is None else confirm)


def test_user_changes_their_own_password_and_their_other_sessions_end(app, reviewer):
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here, "rami")
    log_in(elsewhere, "rami")
    response = change(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert "Your password is changed" in here.get(response.headers["Location"]).get_data(as_text=True)
    assert here.get("/my-work").status_code == 200  # this session goes on
    assert elsewhere.get("/my-work").status_code == 302  # the other one ended
    assert log_in(elsewhere, "rami", PASSWORD).status_code == 200  # the old password is gone
    assert log_in(elsewhere, "rami", NEW_PASSWORD).status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_change")).actor_id == \
        reviewer.id


def test_changing_ones_password_keeps_this_browsers_remember_cookie_working(app, reviewer):
    here = app.test_client()
    token = csrf_token_from(here.get("/login").get_data(as_text=True))
    here.post("/login", data={"username": "rami", "password": PASSWORD, "remember": "y", "csrf_token": token})
    old_remember = here.get_cookie("remember_token").value
    assert change(here, PASSWORD, NEW_PASSWORD).status_code == 302
    new_remember = here.get_cookie("remember_token").value
    assert new_remember != old_remember
    for cookie, status in [(new_remember, 200), (old_remember, 302)]:
        browser = app.test_client()
        browser.set_cookie("remember_token", cookie)
        assert browser.get("/my-work").status_code == status


@pytest.mark.parametrize("current, new, confirm, told", [
    ("not my password", NEW_PASSWORD, None, "Your current password is not right."),
    (PASSWORD, "password1234", None, "too easy to guess"),
    (PASSWORD, " " * 14, None, "cannot be only spaces"),
    (PASSWORD, NEW_PASSWORD, "something else entirely", "Passwords do not match."),
    (PASSWORD, PASSWORD, None, "must differ from the current one"),
])
def test_a_refused_change_says_why_and_changes_nothing(app, reviewer, current, new, confirm, told):
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here, "rami")
    log_in(elsewhere, "rami")
    response = change(here, current, new, confirm)
    assert response.status_code == 422
    assert told in response.get_data(as_text=True)
    assert elsewhere.get("/my-work").status_code == 200
    db.session.expire_all()
    assert user_service.authenticate("rami", PASSWORD) is not None


def test_guessing_the_current_password_on_the_change_page_locks_the_account(app, reviewer):
    """A stolen session is no way around the lockout."""
    client = app.test_client()
    log_in(client, "rami")
    for _ in range(5):
        assert change(client, "a wrong guess", NEW_PASSWORD).status_code == 422
    locked = change(client, PASSWORD, NEW_PASSWORD)
    assert locked.status_code == 429
    assert "Please wait 1 minute" in locked.get_data(as_text=True)
    db.session.expire_all()
    assert user_service.authenticate("rami", PASSWORD) is not None


def test_the_cli_resets_a_password_under_the_same_rule(app, client, reviewer):
    token = cli(app, "users", "token", "rami").stdout.strip()
    weak = cli(app, "users", "reset-password", "rami", "--password-stdin", input=" " * 16 + "\n")
    assert weak.exit_code == 1 and "cannot be only spaces" in weak.output
    assert user_service.authenticate("rami", PASSWORD) is not None
    done = cli(app, "users", "reset-password", "rami", "--password-stdin", input=NEW_PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert user_service.authenticate("rami", NEW_PASSWORD) is not None
    assert client.get("/api/v1/articles", headers={"Authorization": f"Bearer {token}"}).status_code == 401
