"""Fixtures: every test gets its own instance folder with a real, migrated database.

SQLite by default (a copy of a migrated file); PostgreSQL and Redis under `make test-postgres`
(tests/support/databases.py).
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from tests.support import databases

# Anything that falls back to the environment's instance folder (the task
# queue module, a bare create_app()) must never touch a developer's real one;
# nor a database or queue of the developer's environment.
os.environ["MIZAN_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="mizan-tests-")
atexit.register(shutil.rmtree, os.environ["MIZAN_INSTANCE_PATH"], ignore_errors=True)
os.environ.pop("MIZAN_DATABASE_URL", None)
os.environ.pop("MIZAN_QUEUE_URL", None)
if databases.QUEUE_URL:
    os.environ["MIZAN_QUEUE_URL"] = databases.QUEUE_URL  # read when app.tasks is first imported

import pytest  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services import users as user_service  # noqa: E402

# Shared fixtures live in tests/support, never in test modules that others import.
pytest_plugins = ["tests.support.fixtures", "tests.support.live_server"]

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def make_config(instance: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": databases.database_url(instance),
        "KNOWN_FORMS_RECHECK_SECONDS": 0,  # tests change the glossary and look at once
        "TM_RECHECK_SECONDS": 0,  # and approve, reopen and import, and look for matches at once
        "EXPORT_HELPER": False,  # a process per app: only the tests of the export helper start it
        "RATELIMIT_STORAGE_URI": "memory://",  # per app: throttled logins of one test never reach the next
    }
    config.update(overrides)
    return config


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.only_on("sqlite", why=...)`: a test that can only mean one engine runs only on it."""
    for item in items:
        marker = item.get_closest_marker("only_on")
        if marker is not None and marker.args[0] != databases.ENGINE:
            item.add_marker(pytest.mark.skip(reason=f"{marker.args[0]} only: {marker.kwargs['why']}"))


@pytest.fixture(scope="session", autouse=True)
def _stop_parse_workers_at_the_end():
    yield
    from app.services import importing

    importing.shutdown_parse_pool()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Iterator[Path]:
    """A database migrated once; each test starts from a copy of it (the file, or on PostgreSQL the
    template database)."""
    instance = tmp_path_factory.mktemp("template-instance")
    config = make_config(instance)
    if databases.ON_POSTGRES:
        config["SQLALCHEMY_DATABASE_URI"] = databases.postgres_server().create(databases.TEMPLATE)
    app = create_app(config)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield instance / "mizan.sqlite"
    if databases.ON_POSTGRES:
        databases.postgres_server().drop(databases.TEMPLATE)


@pytest.fixture
def instance_path(tmp_path, migrated_database) -> Iterator[Path]:
    instance = tmp_path / "instance"
    instance.mkdir()
    if databases.ON_POSTGRES:
        databases.new_database(instance)
        _empty_the_queue()
    else:
        shutil.copyfile(migrated_database, instance / "mizan.sqlite")
    yield instance
    databases.drop_database(instance)


def _empty_the_queue() -> None:
    from app.tasks import huey

    huey.flush()


class RequestPerContextClient(FlaskClient):
    """Runs each request in an app context of its own, as in production.

    Tests hold an app context open to call services; without this, requests
    would share its `g` (and so the logged-in user) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(instance_path):
    app = create_app(make_config(instance_path))
    app.test_client_class = RequestPerContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin(app):
    return user_service.create_user("amina", PASSWORD, "admin", display_name="Amina Admin")


@pytest.fixture
def reviewer(app):
    return user_service.create_user("rami", PASSWORD, "reviewer", display_name="Rami Reviewer")


@pytest.fixture
def other_reviewer(app):
    return user_service.create_user("salma", PASSWORD, "reviewer", display_name="Salma Reviewer")


@pytest.fixture
def seeded(app):
    """The five seed articles, imported through the real importer."""
    from app.services import importing

    outcomes = list(importing.import_paths([SEEDS_DIR], max_bytes=app.config["IMPORT_MAX_BYTES"]))
    assert [o.status for o in outcomes] == [importing.IMPORTED] * 5
    return [o.article_id for o in outcomes]


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def log_in(client, username: str, password: str = PASSWORD, next_url: str | None = None):
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    url = "/login" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def admin_client(client, admin):
    response = log_in(client, admin.username)
    assert response.status_code == 302
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    response = log_in(client, reviewer.username)
    assert response.status_code == 302
    return client


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
