"""Issue 14, sessions and logins: what ends a session, how long one lasts, which cookies are Secure, and how
failed logins are throttled per account and per address without one attacker locking everyone out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import AuditEvent
from app.services import users as user_service
from tests.conftest import PASSWORD, csrf_token_from, log_in
from tests.support.fixtures import API, first_paragraph, save

NEW_PASSWORD = "violet tractor umbrella 77"


def log_in_remembered(client, username: str, password: str = PASSWORD, headers=None, base_url=None):
    extra = {"base_url": base_url} if base_url else {}
    token = csrf_token_from(client.get("/login", headers=headers, **extra).get_data(as_text=True))
    https = base_url or (headers or {}).get("X-Forwarded-Proto") == "https"
    # Over HTTPS a browser sends the Referer, which Flask-WTF checks there.
    headers = {**(headers or {}), **({"Referer": "https://localhost/login"} if https else {})}
    return client.post("/login", headers=headers, **extra,
                       data={"username": username, "password": password, "remember": "y", "csrf_token": token})


def log_out(client):
    token = csrf_token_from(client.get("/my-work").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def cookie_value(client, name: str) -> str:
    return client.get_cookie(name).value


@pytest.fixture
def another_app(instance_path):
    """Another app on this test's database (another web process, or other settings); engines disposed after."""
    from app import create_app
    from tests.conftest import make_config

    apps = []

    def make(**overrides):
        apps.append(create_app(make_config(instance_path, **overrides)))
        return apps[-1]

    yield make
    for made in apps:
        with made.app_context():
            db.engine.dispose()


# --- sessions end server-side ---------------------------------------------------------------------

def test_logout_ends_every_session_of_the_user(app, reviewer):
    laptop, desktop = app.test_client(), app.test_client()
    assert log_in(laptop, "rami").status_code == 302
    assert log_in(desktop, "rami").status_code == 302
    log_out(laptop)
    assert desktop.get("/my-work").status_code == 302  # sent to the login page
    assert log_in(desktop, "rami").status_code == 302  # and may log in again


def test_a_replayed_session_cookie_and_csrf_token_open_nothing_after_logout(app, assigned, reviewer):
    client = app.test_client()
    assert log_in(client, "rami").status_code == 302
    page = client.get(f"/articles/{assigned.id}").get_data(as_text=True)
    old_session, old_token = cookie_value(client, "session"), csrf_token_from(page)
    paragraph = first_paragraph(assigned)
    log_out(client)

    thief = app.test_client()
    thief.set_cookie("session", old_session)
    assert thief.get("/my-work").status_code == 302
    response = save(thief, {"X-CSRFToken": old_token}, paragraph.id, "Written by a thief.", paragraph.version)
    assert response.status_code in (401, 403), response.get_json()
    db.session.expire_all()
    assert first_paragraph(assigned).version == paragraph.version  # nothing saved


def test_a_replayed_remember_cookie_opens_nothing_after_logout(app, reviewer):
    client = app.test_client()
    assert log_in_remembered(client, "rami").status_code == 302
    remembered = cookie_value(client, "remember_token")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered)
    assert fresh.get("/my-work").status_code == 200  # the cookie works while the user is logged in
    log_out(client)

    replay = app.test_client()
    replay.set_cookie("remember_token", remembered)
    assert replay.get("/my-work").status_code == 302


def test_deactivation_ends_remember_cookies_too(app, admin, reviewer):
    client = app.test_client()
    log_in_remembered(client, "rami")
    remembered = cookie_value(client, "remember_token")
    user_service.set_active(reviewer, False, actor=admin)
    user_service.set_active(reviewer, True, actor=admin)
    replay = app.test_client()
    replay.set_cookie("remember_token", remembered)
    assert replay.get("/my-work").status_code == 302


def test_a_password_reset_revokes_the_users_api_tokens(app, client, admin, reviewer):
    token = user_service.issue_api_token(reviewer)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/articles", headers=headers).status_code == 200
    user_service.set_password(reviewer, NEW_PASSWORD, actor=admin)
    assert client.get(f"{API}/articles", headers=headers).status_code == 401
    new_token = user_service.issue_api_token(reviewer, actor=admin)  # the admin may issue a new one
    assert client.get(f"{API}/articles", headers={"Authorization": f"Bearer {new_token}"}).status_code == 200
    reset = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
    assert reset.after == {"tokens_revoked": 1}


def _expires_in_days(set_cookie: str) -> float:
    expires = next(part.split("=", 1)[1] for part in set_cookie.split("; ") if part.lower().startswith("expires="))
    return (parsedate_to_datetime(expires) - datetime.now(timezone.utc)).total_seconds() / 86400


def test_remember_me_lasts_thirty_days_at_most(app, reviewer):
    response = log_in_remembered(app.test_client(), "rami")
    assert 29.9 < _expires_in_days(set_cookies(response)["remember_token"]) <= 30


def test_remember_me_days_are_configurable_from_one_to_thirty(another_app, reviewer, monkeypatch, tmp_path):
    from app.config import settings_from_env

    response = log_in_remembered(another_app(REMEMBER_DAYS=7).test_client(), "rami")
    assert 6.9 < _expires_in_days(set_cookies(response)["remember_token"]) <= 7
    with pytest.raises(RuntimeError, match="MIZAN_REMEMBER_DAYS must be from 1 to 30"):
        another_app(REMEMBER_DAYS=365)
    monkeypatch.setenv("MIZAN_REMEMBER_DAYS", "14")
    assert settings_from_env(tmp_path)["REMEMBER_DAYS"] == 14


def _all_secure(response) -> bool:
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert set(set_cookies(response)) >= {"session", "remember_token", "mizan_device"}
    return all("; secure" in cookie.lower() for cookie in cookies)


def test_cookies_are_secure_when_the_request_is_https(app, reviewer):
    assert not _all_secure(log_in_remembered(app.test_client(), "rami"))  # plain HTTP (make run): not Secure
    assert _all_secure(log_in_remembered(app.test_client(), "rami", base_url="https://localhost"))


def test_behind_a_trusted_https_proxy_cookies_are_secure(another_app, reviewer):
    https = {"X-Forwarded-Proto": "https"}
    assert _all_secure(log_in_remembered(another_app(TRUSTED_PROXIES=1).test_client(), "rami", headers=https))
    # Without MIZAN_TRUSTED_PROXIES the header is anyone's to forge, and ignored.
    assert not _all_secure(log_in_remembered(another_app().test_client(), "rami", headers=https))


def test_mizan_secure_cookies_makes_them_secure_always(another_app, reviewer, monkeypatch, tmp_path):
    from app.config import settings_from_env

    monkeypatch.setenv("MIZAN_SECURE_COOKIES", "1")
    assert settings_from_env(tmp_path)["SECURE_COOKIES"] is True
    assert _all_secure(log_in_remembered(another_app(SECURE_COOKIES=True).test_client(), "rami"))


def test_the_lockout_table_comes_and_goes_with_migration_0010(app, reviewer):
    from app.services import login_throttle

    login_throttle.record_failure("rami", login_throttle.LockoutPolicy(), user_id=reviewer.id, address="192.0.2.1")
    db.session.remove()
    downgrade(revision="0009")
    assert "login_throttles" not in inspect(db.engine).get_table_names()
    upgrade()
    assert "login_throttles" in inspect(db.engine).get_table_names()
    assert login_throttle.seconds_locked("rami") == 0


# --- logins throttled per account and per address --------------------------------------------------

def _attempt(client, username: str, password: str, address: str | None = None):
    headers = {"X-Forwarded-For": address} if address else {}
    token = csrf_token_from(client.get("/login", headers=headers).get_data(as_text=True))
    return client.post("/login", headers=headers,
                       data={"username": username, "password": password, "csrf_token": token})


def test_a_locked_account_refuses_the_right_password_from_another_address(another_app, reviewer):
    client = another_app(TRUSTED_PROXIES=1).test_client()
    statuses = [_attempt(client, "rami", "not the password", "203.0.113.7").status_code for _ in range(5)]
    assert statuses == [200] * 5
    locked = _attempt(client, "rami", PASSWORD, "198.51.100.2")
    assert locked.status_code == 429
    assert "Please wait 1 minute before trying again." in locked.get_data(as_text=True)
    assert 55 <= int(locked.headers["Retry-After"]) <= 60
    assert client.get("/my-work").status_code == 302


def test_the_fifth_failure_says_how_long_the_account_now_waits(client, reviewer):
    for _ in range(4):
        assert "please wait" not in log_in(client, "rami", "not the password").get_data(as_text=True)
    page = log_in(client, "rami", "not the password").get_data(as_text=True)
    assert "Invalid username or password. Too many attempts for this account: please wait 1 minute" in page


def test_lockout_doubles_with_each_further_failure_up_to_fifteen_minutes(app, reviewer):
    from app.services import login_throttle

    policy = login_throttle.LockoutPolicy.from_config(app.config)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    waits = []
    now = start
    for _ in range(11):
        waits.append(login_throttle.record_failure("rami", policy, user_id=reviewer.id, address="192.0.2.1",
                                                   now=now))
        now += timedelta(seconds=waits[-1] + 1)  # the attacker tries again as soon as the lock ends
    assert waits == [0, 0, 0, 0, 60, 120, 240, 480, 900, 900, 900]
    # A day without failures: the count starts again.
    assert login_throttle.record_failure("rami", policy, user_id=reviewer.id, address="192.0.2.1",
                                         now=now + timedelta(days=1, seconds=1)) == 0


def test_a_successful_login_forgets_the_failures(client, reviewer):
    for _ in range(4):
        log_in(client, "rami", "not the password")
    assert log_in(client, "rami").status_code == 302
    log_out(client)
    for _ in range(4):
        assert log_in(client, "rami", "not the password").status_code == 200
    assert log_in(client, "rami").status_code == 302


def test_an_unknown_username_is_locked_like_a_real_one(client, reviewer):
    """The lockout must not tell an attacker which accounts exist."""
    for username in ("rami", "nobody"):
        for _ in range(5):
            log_in(client, username, "not the password")
        assert log_in(client, username, "anything at all").status_code == 429


def test_one_attacker_failing_with_many_usernames_does_not_lock_out_the_office(another_app, admin, reviewer):
    """Everyone comes through the office's proxy (one address). The attacker's failures across usernames
    stop the attacker; the admin, whose browser logged in before, still gets in with the right password."""
    office = another_app(LOGIN_RATE_LIMIT_PER_ADDRESS="10 per hour")
    admins_browser, attackers_browser = office.test_client(), office.test_client()
    assert log_in(admins_browser, "amina").status_code == 302
    log_out(admins_browser)
    for number in range(10):
        assert _attempt(attackers_browser, f"user{number}", "Spring2026!").status_code == 200
    sprayed = _attempt(attackers_browser, "user10", "Spring2026!")
    assert sprayed.status_code == 429
    assert "Too many attempts from your network address. Please wait" in sprayed.get_data(as_text=True)
    assert int(sprayed.headers["Retry-After"]) > 0
    assert _attempt(attackers_browser, "amina", PASSWORD).status_code == 429  # the attacker's browser: held
    assert log_in(admins_browser, "amina").status_code == 302


@pytest.mark.parametrize("trusted, other_address_status", [(1, 302), (0, 429)])
def test_behind_a_trusted_proxy_failed_logins_count_per_client_address(another_app, reviewer, trusted,
                                                                      other_address_status):
    """With MIZAN_TRUSTED_PROXIES=1 the address the proxy saw is the client's; without, the header is ignored
    (a client could forge it), so every attempt counts against the proxy's address."""
    client = another_app(TRUSTED_PROXIES=trusted, LOGIN_RATE_LIMIT_PER_ADDRESS="5 per hour").test_client()
    for number in range(5):
        assert _attempt(client, f"user{number}", "not the password", "203.0.113.7").status_code == 200
    assert _attempt(client, "rami", PASSWORD, "203.0.113.7").status_code == 429
    assert _attempt(client, "rami", PASSWORD, "198.51.100.2").status_code == other_address_status


def test_every_failed_and_throttled_login_is_in_the_audit_log(another_app, reviewer):
    client = another_app(TRUSTED_PROXIES=1).test_client()
    for _ in range(5):
        _attempt(client, "RAMI", "not the password", "203.0.113.7")
    _attempt(client, "rami", PASSWORD, "198.51.100.2")
    _attempt(client, "nobody", "not the password", "203.0.113.7")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("login.%"))
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["login.failed"] * 5 + ["login.throttled", "login.failed"]
    assert all(e.object_type == "user" for e in events)
    assert [e.object_id for e in events] == [reviewer.id] * 6 + [None]
    assert events[4].after == {"username": "rami", "address": "203.0.113.7", "failures": 5, "locked_seconds": 60}
    assert events[5].after["address"] == "198.51.100.2" and events[5].after["reason"] == "account"
    assert 55 <= events[5].after["wait_seconds"] <= 60
    assert events[6].after["username"] == "nobody"


def test_a_locked_address_is_in_the_audit_log_too(another_app, reviewer):
    client = another_app(LOGIN_RATE_LIMIT_PER_ADDRESS="2 per hour").test_client()
    for number in range(3):
        _attempt(client, f"user{number}", "not the password")
    throttled = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.throttled"))
    assert throttled.after["reason"] == "address" and throttled.after["username"] == "user2"


# One web process: its own app, trying to log in with each "username:password" given; prints each status.
WEB_PROCESS_LOGINS = """
import re, sys
from app import create_app
url, instance, storage, prefix, *attempts = sys.argv[1:]
app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                  "RATELIMIT_STORAGE_URI": storage, "RATELIMIT_KEY_PREFIX": prefix,
                  "LOGIN_RATE_LIMIT_PER_ADDRESS": "5 per hour"})
client = app.test_client()
for attempt in attempts:
    username, password = attempt.split(":")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    print(client.post("/login", data={"username": username, "password": password, "csrf_token": token}).status_code)
"""


def _in_two_processes(instance_path, storage: str, first: list[str], second: list[str]) -> list[list[str]]:
    import subprocess
    import sys
    import uuid

    from app.config import PROJECT_ROOT, limiter_storage_for
    from tests.support.databases import QUEUE_URL, database_url

    uri = limiter_storage_for(QUEUE_URL) if storage == "redis" else storage
    prefix = uuid.uuid4().hex
    runs = [subprocess.run([sys.executable, "-c", WEB_PROCESS_LOGINS, database_url(instance_path),
                            str(instance_path), uri, prefix, *attempts],
                           cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
            for attempts in (first, second)]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr
    return [run.stdout.split() for run in runs]


@pytest.mark.only_on("postgresql", why="make test-postgres runs Redis beside PostgreSQL")
@pytest.mark.parametrize("storage, last_status", [("redis", "429"), ("memory://", "200")])
def test_web_processes_sharing_redis_share_the_address_limit(instance_path, reviewer, storage, last_status):
    """Three usernames fail in one web process and two in another: with Redis the address has used its five
    failures across both, and the next username is held; with per-process memory each counted fewer."""
    first, second = _in_two_processes(instance_path, storage, [f"user{n}:wrong password" for n in range(3)],
                                      [f"user{n}:wrong password" for n in range(3, 6)])
    assert first == ["200"] * 3
    assert second == ["200", "200", last_status]


def test_web_processes_share_the_account_lockout(instance_path, reviewer):
    """Three failures in one process, two in another: the account is locked for both, whatever the storage
    of the address limit (the lockout lives in the database)."""
    first, second = _in_two_processes(instance_path, "memory://", ["rami:wrong password"] * 3,
                                      ["rami:wrong password"] * 2 + [f"rami:{PASSWORD}"])
    assert first == ["200"] * 3
    assert second == ["200", "200", "429"]


def test_an_admins_reset_on_the_web_ends_the_users_sessions_and_revokes_their_tokens(app, admin_client, reviewer):
    token = user_service.issue_api_token(reviewer)
    ramis_browser = app.test_client()
    log_in(ramis_browser, "rami")
    page = csrf_token_from(admin_client.get(f"/admin/users/{reviewer.id}").get_data(as_text=True))
    response = admin_client.post(f"/admin/users/{reviewer.id}/password", follow_redirects=True,
                                 data={"csrf_token": page, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "their open sessions were ended and their API tokens revoked" in response.get_data(as_text=True)
    assert ramis_browser.get("/my-work").status_code == 302
    assert ramis_browser.get(f"{API}/articles", headers={"Authorization": f"Bearer {token}"}).status_code == 401
