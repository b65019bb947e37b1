"""Logging in and out: sessions, roles, throttling, safe redirects, CSRF."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import users as user_service
from tests.conftest import PASSWORD, csrf_token_from, log_in


def test_user_logs_in_and_lands_on_their_home(client, reviewer):
    response = log_in(client, "rami")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/", follow_redirects=False).headers["Location"] == "/my-work"


def test_username_is_case_insensitive_at_login(client, reviewer):
    assert log_in(client, "  RAMI ").status_code == 302


@pytest.mark.parametrize("username, password", [("rami", "wrong password!"), ("nobody", PASSWORD)])
def test_failed_login_does_not_say_which_part_was_wrong(client, reviewer, username, password):
    response = log_in(client, username, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Invalid username or password." in page
    assert "unknown user" not in page.lower() and "wrong password" not in page.lower()
    assert client.get("/my-work").status_code == 302  # still logged out


def test_deactivated_user_cannot_log_in(client, reviewer):
    user_service.set_active(reviewer, False)
    response = log_in(client, "rami")
    assert response.status_code == 200
    assert "Invalid username or password." in response.get_data(as_text=True)


def test_deactivation_ends_an_open_session(client, reviewer):
    log_in(client, "rami")
    assert client.get("/my-work").status_code == 200
    user_service.set_active(reviewer, False)
    assert client.get("/my-work").status_code == 302


def test_password_reset_ends_open_sessions(client, reviewer):
    log_in(client, "rami")
    user_service.set_password(reviewer, "a brand new password")
    assert client.get("/my-work").status_code == 302
    assert log_in(client, "rami", "a brand new password").status_code == 302


def test_passwords_are_stored_hashed(app, reviewer):
    stored = db.session.scalar(select(User.password_hash).where(User.username == "rami"))
    assert PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_next_parameter_redirects_within_the_site(client, reviewer):
    response = log_in(client, "rami", next_url="/articles/1")
    assert response.headers["Location"] == "/articles/1"


@pytest.mark.parametrize("evil", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "http:/evil.example", "/\r\nLocation: https://evil.example",
])
def test_next_parameter_never_leaves_the_site(client, reviewer, evil):
    from urllib.parse import quote

    response = log_in(client, "rami", next_url=quote(evil, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_without_csrf_token_is_refused(client, reviewer):
    response = client.post("/login", data={"username": "rami", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/my-work").status_code == 302


def test_repeated_failed_logins_are_throttled(client, reviewer):
    for _ in range(5):
        assert log_in(client, "rami", "not the password").status_code == 200
    throttled = log_in(client, "rami", PASSWORD)
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.get_data(as_text=True)
    assert client.get("/my-work").status_code == 302


def test_successful_logins_are_not_throttled(client, reviewer):
    for _ in range(8):
        assert log_in(client, "rami").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/my-work").get_data(as_text=True))})


def test_logout_needs_a_post_with_csrf_token(client, reviewer):
    log_in(client, "rami")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    token = csrf_token_from(client.get("/my-work").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/my-work").status_code == 302


def test_pages_ask_anonymous_visitors_to_log_in(client):
    for url in ("/", "/my-work", "/articles/1", "/admin/", "/admin/users", "/admin/import"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


def test_a_redis_queue_also_keeps_the_login_throttle(monkeypatch, tmp_path):
    from app.config import settings_from_env

    monkeypatch.delenv("MIZAN_RATELIMIT_STORAGE_URI", raising=False)
    for queue, storage in [("redis://cache:6379/0", "redis://cache:6379/0"),
                           ("unix:///run/redis/redis.sock?db=2", "redis+unix:///run/redis/redis.sock?db=2"),
                           ("", "memory://")]:
        monkeypatch.setenv("MIZAN_QUEUE_URL", queue)
        assert settings_from_env(tmp_path).get("RATELIMIT_STORAGE_URI", "memory://") == storage
    monkeypatch.setenv("MIZAN_RATELIMIT_STORAGE_URI", "memcached://cache:11211")
    assert settings_from_env(tmp_path)["RATELIMIT_STORAGE_URI"] == "memcached://cache:11211"


def test_the_browser_finds_mizans_icon_on_every_page_and_at_favicon_ico(client, reviewer):
    for logged_in in (False, True):
        if logged_in:
            log_in(client, "rami")
        page = client.get("/login" if not logged_in else "/", follow_redirects=True).get_data(as_text=True)
        icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
        assert icon, "no icon linked"
        with client.get(icon.group(1)) as linked, client.get("/favicon.ico") as root:  # root: what a browser
            assert linked.status_code == root.status_code == 200                    # asks for unless told
            assert root.mimetype == "image/vnd.microsoft.icon" and root.data[:4] == b"\x00\x00\x01\x00"
            assert linked.data == root.data


def test_after_a_wrong_password_the_cursor_waits_in_the_password_field(client, reviewer):
    refused = log_in(client, "rami", "not the password at all").get_data(as_text=True)
    password = re.search(r'<input[^>]*name="password"[^>]*>', refused).group(0)
    username = re.search(r'<input[^>]*name="username"[^>]*>', refused).group(0)
    assert "autofocus" in password and "autofocus" not in username
    assert 'value="rami"' in username
    fresh = client.get("/login").get_data(as_text=True)  # a new visit starts at the username again
    assert "autofocus" in re.search(r'<input[^>]*name="username"[^>]*>', fresh).group(0)
    assert "autofocus" not in re.search(r'<input[^>]*name="password"[^>]*>', fresh).group(0)
