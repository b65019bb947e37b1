"""Notification e-mail (issue 16): with MIZAN_SMTP_URL set, the request only queues the mail after its commit, and
a real Huey consumer sends it, plain text with a link to the article, to a real SMTP server (aiosmtpd) on
loopback, logging in when the URL names a user. Both engines (SQLite queue, or Redis)."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from app.config import PROJECT_ROOT
from app.extensions import db
from app.services.mail import SUBJECTS, SmtpSettings
from tests.support.databases import server_env
from tests.support.fixtures import API

BIN = Path(sys.executable).parent
BASE_URL = "https://mizan.example.org"
LOGIN, SECRET = "mizan", "s3cret pass"


class Inbox:
    """What the SMTP server received, and who logged in to send it."""

    def __init__(self):
        self.messages: list[tuple[list[str], Message]] = []
        self.logins: list[str] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        self.arrived.set()
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == LOGIN and auth_data.password.decode() == SECRET
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def start_worker(instance_path: Path, smtp_url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "huey_consumer"), "app.tasks.huey", "--workers", "1"],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=server_env(instance_path, MIZAN_SECRET_KEY="worker-test-key", MIZAN_SMTP_URL=smtp_url,
                       MIZAN_BASE_URL=BASE_URL, MIZAN_MAIL_FROM="Mizan <mizan@example.org>"))


def test_a_mention_is_mailed_by_the_worker_never_by_the_request(client, app, instance_path, assigned, reviewer,
                                                                 other_reviewer, rami, smtp_server):
    inbox, port = smtp_server
    smtp_url = f"smtp://{LOGIN}:s3cret%20pass@127.0.0.1:{port}"
    app.config["SMTP_URL"] = smtp_url
    other_reviewer.email = "salma@example.org"
    db.session.commit()

    started = time.monotonic()
    response = client.post(f"{API}/articles/{assigned.id}/comments", headers=rami,
                           json={"body": "@salma the date in the second paragraph is wrong."})
    assert response.status_code == 201
    assert time.monotonic() - started < 5
    time.sleep(0.5)
    assert inbox.messages == []  # queued only: no worker yet, and the request did not talk to SMTP

    worker = start_worker(instance_path, smtp_url)
    try:
        arrived = inbox.arrived.wait(timeout=60)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert arrived, output
    [(recipients, message)] = inbox.messages
    assert recipients == ["salma@example.org"]
    assert message["To"] == "salma@example.org" and message["From"] == "Mizan <mizan@example.org>"
    assert message["Subject"] == "Mizan: You were mentioned in a comment"
    assert message.get_content_type() == "text/plain"
    body = message.get_payload(decode=True).decode("utf-8")
    assert "mentioned you in a comment" in body
    assert f"{BASE_URL}/articles/{assigned.id}#comments" in body
    assert assigned.title in body
    assert inbox.logins == [LOGIN]


def test_without_smtp_settings_nothing_is_queued(client, app, assigned, other_reviewer, rami):
    from app.tasks import huey

    other_reviewer.email = "salma@example.org"
    db.session.commit()
    before = huey.pending_count()
    response = client.post(f"{API}/articles/{assigned.id}/comments", headers=rami, json={"body": "@salma look."})
    assert response.status_code == 201
    assert huey.pending_count() == before


def test_the_smtp_url_says_how_to_connect():
    assert SmtpSettings.from_url("smtp://mail.example.org") == SmtpSettings("mail.example.org", 25)
    assert SmtpSettings.from_url("smtp://u%40x:p%3Aw@mail.example.org:587?starttls=1") == SmtpSettings(
        "mail.example.org", 587, starttls=True, username="u@x", password="p:w")
    assert SmtpSettings.from_url("smtps://mail.example.org") == SmtpSettings("mail.example.org", 465, ssl=True)
    with pytest.raises(ValueError):
        SmtpSettings.from_url("http://mail.example.org")


def test_the_operator_sets_and_removes_a_users_address_with_the_cli(app, reviewer):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "email", "rami", "rami@example.org"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert reviewer.email == "rami@example.org"
    refused = runner.invoke(args=["users", "email", "rami", "not an address"])
    assert refused.exit_code == 1 and "is not an e-mail address" in refused.output
    assert runner.invoke(args=["users", "email", "rami"]).exit_code == 0
    db.session.expire_all()
    assert reviewer.email is None


def test_every_kind_of_notification_is_mailed_to_its_recipient(client, app, instance_path, admin, reviewer,
                                                                other_reviewer, rami, salma, smtp_server):
    from app.services import assignment as assignment_service
    from tests.support.fixtures import make_article
    from tests.test_notifications import approve_all, move

    inbox, port = smtp_server
    smtp_url = f"smtp://{LOGIN}:s3cret%20pass@127.0.0.1:{port}"
    app.config["SMTP_URL"] = smtp_url
    addresses = {admin: "amina@example.org", reviewer: "rami@example.org", other_reviewer: "salma@example.org"}
    for user, address in addresses.items():
        user.email = address
    db.session.commit()
    article = make_article(2)
    assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)  # assigned: rami
    assignment_service.assign_article(article, other_reviewer, "second_reviewer", actor=admin)  # and salma
    move(client, rami, article.id, "in_review")
    approve_all(client, rami, article.id)
    move(client, rami, article.id, "submitted")  # submitted: salma and amina
    move(client, salma, article.id, "changes_requested", "@amina is this date style ours?")  # rami; mention: amina
    move(client, rami, article.id, "in_review")
    move(client, rami, article.id, "submitted")  # submitted again: salma and amina
    move(client, salma, article.id, "approved")  # approved: rami
    expected = {
        ("rami@example.org", "assigned"), ("salma@example.org", "assigned"),
        ("salma@example.org", "submitted"), ("amina@example.org", "submitted"),
        ("rami@example.org", "changes_requested"), ("amina@example.org", "mention"),
        ("rami@example.org", "approved"),
    }
    subjects = {f"Mizan: {subject}": kind for kind, subject in SUBJECTS.items()}

    def received() -> set[tuple[str, str]]:
        return {(recipients[0], subjects[message["Subject"]]) for recipients, message in inbox.messages}

    worker = start_worker(instance_path, smtp_url)
    try:
        deadline = time.monotonic() + 60
        while received() != expected and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert received() == expected, output
    assert len(inbox.messages) == 9  # the two submissions: two mails each
    for _, message in inbox.messages:
        assert f"{BASE_URL}/articles/{article.id}" in message.get_payload(decode=True).decode("utf-8")
