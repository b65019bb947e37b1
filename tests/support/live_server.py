"""A waitress process serving `wsgi:app` over the test's own database, exactly as `make run` serves it,
with a world of accounts and assigned seed articles (the `live_server` and `world` fixtures). The browser
tests drive it with chromium; other tests send it concurrent requests. Loaded as a pytest plugin.
"""
from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from tests.conftest import PASSWORD, SEEDS_DIR, make_config
from tests.support.databases import server_env

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOGIN_PATH = "/login"
SERVER_START_TIMEOUT = 30.0


# --- the server ---------------------------------------------------------------------------

@dataclass
class World:
    """What each test starts with: who can log in, and which seed article went to whom."""

    password: str
    articles: list[int]
    assigned: dict[str, list[int]]
    unassigned: list[int]


@dataclass
class LiveServer:
    url: str
    instance: Path
    app: Flask  # the same database as the server, for arranging data and checking it
    log_file: Path
    world: World

    @contextlib.contextmanager
    def services(self) -> Iterator[Flask]:
        """`with live_server.services():` runs service code against the server's database."""
        with self.app.app_context():
            try:
                yield self.app
            finally:
                db.session.remove()

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")


def _arrange_world(app: Flask) -> World:
    """admin, rev1 and rev2; the seed articles; the first two to rev1, the third to rev2."""
    from app.models import Article
    from app.services import assignment, importing
    from app.services import users as user_service

    with app.app_context():
        user_service.create_user("admin", PASSWORD, "admin", display_name="Amina Admin")
        reviewers = {
            "rev1": user_service.create_user("rev1", PASSWORD, "reviewer", display_name="Rami Reviewer"),
            "rev2": user_service.create_user("rev2", PASSWORD, "reviewer", display_name="Salma Reviewer"),
        }
        outcomes = list(importing.import_paths([SEEDS_DIR], max_bytes=app.config["IMPORT_MAX_BYTES"]))
        assert len(outcomes) >= 4 and all(o.status == importing.IMPORTED for o in outcomes), outcomes
        ids = [o.article_id for o in outcomes]
        plan = {"rev1": ids[0:2], "rev2": ids[2:3]}
        for username, article_ids in plan.items():
            for article_id in article_ids:
                assignment.assign_article(db.session.get(Article, article_id), reviewers[username], actor=None)
        db.session.remove()
    return World(password=PASSWORD, articles=ids, assigned=plan, unassigned=ids[3:])


SERVING_ON = re.compile(rb"Serving on (http://127\.0\.0\.1:\d+)")


def _wait_until_serving(process: subprocess.Popen, log_file: Path) -> str:
    """The server's URL, once it answers the login page.

    Waitress is given port 0 and says which port the kernel gave it, so two test
    runs side by side can never pick, or probe, the same port.
    """
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log_file.read_text(errors='replace')}")
        if url is None:
            match = SERVING_ON.search(log_file.read_bytes())
            url = match.group(1).decode() if match else None
        if url is not None:
            try:
                with urllib.request.urlopen(url + LOGIN_PATH, timeout=2) as response:
                    if response.status == 200:
                        return url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(0.05)
    pytest.fail(f"the server did not answer {LOGIN_PATH} within {SERVER_START_TIMEOUT}s:\n"
                f"{log_file.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def _waitress(instance_path: Path, log_file: Path) -> Iterator[str]:
    """A waitress process over this instance, as `make run` starts it: its URL while it runs."""
    env = server_env(instance_path, PYTHONUNBUFFERED="1")
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "waitress", "--host", "127.0.0.1", "--port", "0", "--threads", "8", "wsgi:app"],
            cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        yield _wait_until_serving(process, log_file)
    finally:
        _stop(process)


@pytest.fixture
def live_server(instance_path) -> Iterator[LiveServer]:
    """Waitress serving `wsgi:app` on a port of its own, over this test's own migrated database.

    `instance_path` (tests/conftest.py) is a fresh copy of the migrated template
    database. The server finds it through MIZAN_INSTANCE_PATH, as in production,
    and writes its own instance/config.py with a random SECRET_KEY on start.
    """
    app = create_app(make_config(instance_path))
    world = _arrange_world(app)
    log_file = instance_path.parent / "server.log"
    try:
        with _waitress(instance_path, log_file) as url:
            yield LiveServer(url=url, instance=instance_path, app=app, log_file=log_file, world=world)
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def second_live_server(live_server) -> Iterator[str]:
    """Another waitress process over the same instance and database, as a team runs several behind a
    proxy: its URL."""
    with _waitress(live_server.instance, live_server.instance.parent / "server-2.log") as url:
        yield url


@pytest.fixture
def world(live_server) -> World:
    return live_server.world
