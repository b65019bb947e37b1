"""Logging in and out: sessions, roles, throttling, safe redirects, CSRF."""
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


@pytest.fixture
def another_app(instance_path):
    """Another app on this test's database, as another web process would be (its engine disposed after)."""
    from app import create_app
    from tests.conftest import make_config

    apps = []

    def make(**overrides):
        apps.append(create_app(make_config(instance_path, **overrides)))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _logins_from(client, address: str | None, password: str, times: int = 1) -> list[int]:
    headers = {"X-Forwarded-For": address} if address else {}
    statuses = []
    for _ in range(times):
        token = csrf_token_from(client.get("/login", headers=headers).get_data(as_text=True))
        statuses.append(client.post("/login", headers=headers,
                                    data={"username": "rami", "password": password, "csrf_token": token}).status_code)
    return statuses


@pytest.mark.parametrize("trusted, other_address_status", [(1, 302), (0, 429)])
def test_behind_a_trusted_proxy_failed_logins_count_per_client_address(another_app, reviewer, trusted,
                                                                      other_address_status):
    """With MIZAN_TRUSTED_PROXIES=1 the address the proxy saw is the client's; without, the header is ignored
    (a client could forge it), so every attempt counts against the proxy's address."""
    client = another_app(TRUSTED_PROXIES=trusted).test_client()
    assert _logins_from(client, "203.0.113.7", "not the password", times=5) == [200] * 5
    assert _logins_from(client, "203.0.113.7", PASSWORD) == [429]
    assert _logins_from(client, "198.51.100.2", PASSWORD) == [other_address_status]


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


# One web process: its own app, logging in as rami `failures` times with a wrong password, then once with the
# right one; prints the last status.
WEB_PROCESS_LOGINS = """
import re, sys
from app import create_app
url, instance, storage, prefix, failures = sys.argv[1:6]
app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                  "RATELIMIT_STORAGE_URI": storage, "RATELIMIT_KEY_PREFIX": prefix})
client = app.test_client()
status = None
for password in ["not the password"] * int(failures) + ["correct horse battery"]:
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    status = client.post("/login", data={"username": "rami", "password": password, "csrf_token": token}).status_code
print(status)
"""


@pytest.mark.only_on("postgresql", why="make test-postgres runs Redis beside PostgreSQL")
@pytest.mark.parametrize("storage, last_status", [("redis", 429), ("memory://", 302)])
def test_web_processes_sharing_redis_share_the_login_throttle(instance_path, reviewer, storage, last_status):
    """Three failed logins in one web process and two in another: with Redis the fifth failure across both
    throttles the next attempt; with per-process memory each process has counted fewer than five."""
    import subprocess
    import sys
    import uuid

    from app.config import PROJECT_ROOT, limiter_storage_for
    from tests.support.databases import QUEUE_URL, database_url

    uri = limiter_storage_for(QUEUE_URL) if storage == "redis" else storage
    prefix = uuid.uuid4().hex
    statuses = [subprocess.run([sys.executable, "-c", WEB_PROCESS_LOGINS, database_url(instance_path),
                                str(instance_path), uri, prefix, str(failures)],
                               cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
                for failures in (3, 2)]
    assert [s.returncode for s in statuses] == [0, 0], statuses[-1].stderr
    # The first process logged in after its three failures; the second, after two more, is throttled.
    assert [s.stdout.split()[-1] for s in statuses] == ["302", str(last_status)]
