"""Where Mizan's settings come from: defaults, then `instance/config.py`, then the environment.

The instance folder holds everything that belongs to one installation and
never to the repository: the secret key, the SQLite file, MT packages.
"""
from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DefaultConfig:
    # JSON columns (QA findings, audit details) keep Arabic as it is rather than as \\u escapes.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False,
                                 "json_serializer": lambda value: json.dumps(value, ensure_ascii=False)}
    SQLALCHEMY_RECORD_QUERIES = False
    # A file larger than this is refused by the importer (web and CLI).
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    # Request bodies, route by route (app/request_limits.py): every route at most MAX_CONTENT_LENGTH (JSON,
    # forms); the article import the files of one upload together (each file also within IMPORT_MAX_BYTES);
    # an MT package upload (a few hundred MB; werkzeug spools it to disk). Larger: 413, nothing read.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    IMPORT_UPLOAD_MAX_BYTES = 64 * 1024 * 1024
    MODEL_UPLOAD_MAX_BYTES = 1024 * 1024 * 1024
    # Machine translation (CTranslate2) in the worker.
    MT_COMPUTE_TYPE = "auto"
    MT_INTER_THREADS = os.cpu_count() or 2  # one translator per core (see mt_engine.EngineOptions)
    MT_INTRA_THREADS = 1
    MT_MAX_BATCH_SIZE = 32
    # A worker holds a lease on the jobs it runs and renews it every third of this while it works; a job
    # whose lease ran out lost its worker (killed, machine gone) and goes back to the queue, at most
    # TRANSLATION_JOB_MAX_ATTEMPTS times (services/job_leases.py). MIZAN_JOB_LEASE_SECONDS overrides it.
    TRANSLATION_JOB_LEASE_SECONDS = 60
    TRANSLATION_JOB_MAX_ATTEMPTS = 3
    # Suggestions and the QA glossary check reuse what the glossary and the approved
    # paragraphs know for this long before checking the database for changes.
    KNOWN_FORMS_RECHECK_SECONDS = 2.0
    # The translation memory's index (services/translation_memory.py) is trusted this long before the
    # database is checked for approvals, reopens and imports made by other processes.
    TM_RECHECK_SECONDS = 2.0
    # Large downloads (JSONL, a CoNLL or Moses side) are written by two processes: the request and a
    # helper process the server starts on its first request (app/services/export/helper.py). SQLite only.
    EXPORT_HELPER = True
    EXPORT_HELPER_MIN_PARAGRAPHS = 10_000
    # The licence a corpus release's dataset card declares (a Hugging Face licence id, e.g. cc-by-4.0);
    # "other": the card says the articles belong to their publishers.
    RELEASE_LICENSE = "other"
    # The curation view shows a double-annotated article this many paragraphs a page (services/adjudication.py;
    # issue 18's 300 ms for a 500-paragraph article). MIZAN_CURATION_PAGE_SIZE overrides it.
    CURATION_PAGE_SIZE = 50
    # QA: the English/Arabic length ratio (non-space characters) outside which a paragraph gets a warning.
    QA_LENGTH_RATIO = (0.6, 2.5)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Keep me logged in": at most MAX_REMEMBER_DAYS (MIZAN_REMEMBER_DAYS, 1-30). Logout, a password change
    # or reset and deactivation end it at once, on every browser (the user's session_epoch).
    REMEMBER_DAYS = 30
    # Cookies are Secure whenever the request came over HTTPS (behind a proxy: MIZAN_TRUSTED_PROXIES, so
    # that its X-Forwarded-Proto counts); MIZAN_SECURE_COOKIES=1 makes them Secure always.
    SECURE_COOKIES = False
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; a long review must not expire forms
    # Login throttling (Flask-Limiter). memory:// counts per process: right for `make run` (one waitress
    # process). With a Redis queue (MIZAN_QUEUE_URL) the counts live in that Redis, shared by every web
    # process; MIZAN_RATELIMIT_STORAGE_URI names another storage.
    RATELIMIT_STORAGE_URI = "memory://"
    # How many proxies in front of Mizan set X-Forwarded-For/-Proto/-Host (MIZAN_TRUSTED_PROXIES): the client
    # address (login throttle, audit) is taken that many hops back. 0: the headers are ignored, as a
    # client could forge them.
    TRUSTED_PROXIES = 0
    RATELIMIT_HEADERS_ENABLED = True
    # Redirect plain HTTP to HTTPS (MIZAN_FORCE_HTTPS=1); off, as `make run` serves plain HTTP. The other
    # security headers are always on (app/security_headers.py).
    FORCE_HTTPS = False
    # Account lockout (services/login_throttle.py, in the database): after 5 failed logins in a row a
    # username is locked for 1 minute, doubled per further failure up to 15 minutes; forgotten after a
    # success or a day without failures. The right password from anywhere waits like the attacker.
    LOGIN_LOCKOUT_AFTER = 5
    LOGIN_LOCKOUT_SECONDS = 60
    LOGIN_LOCKOUT_MAX_SECONDS = 15 * 60
    LOGIN_LOCKOUT_FORGET_SECONDS = 24 * 3600
    # Failed logins per client address, whatever the username (password spraying), in the limiter's
    # storage. A browser that logged in as that user before (a signed device cookie) is not held back
    # by its address's limit, so an attacker behind the office's proxy cannot lock the office out.
    LOGIN_RATE_LIMIT_PER_ADDRESS = "30 per 10 minutes;200 per day"
    LOGIN_DEVICE_DAYS = 180
    # Notification e-mail (services/mail.py), sent by the worker: off unless MIZAN_SMTP_URL is set.
    SMTP_URL = ""
    MAIL_FROM = "mizan@localhost"
    BASE_URL = "http://127.0.0.1:5000"
    # OpenAPI (flask-smorest); Swagger UI assets are served by Mizan itself.
    API_TITLE = "Mizan API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"


def instance_path_from_env() -> Path:
    return Path(os.environ.get("MIZAN_INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()


def ensure_instance_config(instance_path: Path) -> Path:
    """Create the instance folder (private: app/instance_files.py) and, on first run, a config.py with a
    random SECRET_KEY."""
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    config_file = instance_path / "config.py"
    if not config_file.exists():
        fd = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(
                "# Written by Mizan on first run. Keep it private; it is git-ignored.\n"
                f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
            )
    return config_file


def settings_from_env(instance_path: Path) -> dict:
    settings: dict = {}
    database_url = os.environ.get("MIZAN_DATABASE_URL")
    settings["SQLALCHEMY_DATABASE_URI"] = database_url or f"sqlite:///{instance_path / 'mizan.sqlite'}"
    if os.environ.get("MIZAN_IMPORT_MAX_BYTES"):
        settings["IMPORT_MAX_BYTES"] = int(os.environ["MIZAN_IMPORT_MAX_BYTES"])
    for setting in ("IMPORT_UPLOAD_MAX_BYTES", "MODEL_UPLOAD_MAX_BYTES", "CURATION_PAGE_SIZE"):
        if os.environ.get(f"MIZAN_{setting}"):
            settings[setting] = int(os.environ[f"MIZAN_{setting}"])
    if os.environ.get("MIZAN_SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["MIZAN_SECRET_KEY"]
    limiter_storage = os.environ.get("MIZAN_RATELIMIT_STORAGE_URI") or limiter_storage_for(
        os.environ.get("MIZAN_QUEUE_URL", ""))
    if limiter_storage:
        settings["RATELIMIT_STORAGE_URI"] = limiter_storage
    if os.environ.get("MIZAN_TRUSTED_PROXIES"):
        settings["TRUSTED_PROXIES"] = int(os.environ["MIZAN_TRUSTED_PROXIES"])
    if os.environ.get("MIZAN_FORCE_HTTPS"):
        settings["FORCE_HTTPS"] = os.environ["MIZAN_FORCE_HTTPS"].strip().lower() in {"1", "true", "yes", "on"}
    if os.environ.get("MIZAN_REMEMBER_DAYS"):
        settings["REMEMBER_DAYS"] = int(os.environ["MIZAN_REMEMBER_DAYS"])
    if os.environ.get("MIZAN_SECURE_COOKIES"):
        settings["SECURE_COOKIES"] = os.environ["MIZAN_SECURE_COOKIES"].strip().lower() in ("1", "true", "yes", "on")
    if os.environ.get("MIZAN_JOB_LEASE_SECONDS"):
        settings["TRANSLATION_JOB_LEASE_SECONDS"] = float(os.environ["MIZAN_JOB_LEASE_SECONDS"])
    for setting in ("SMTP_URL", "MAIL_FROM", "BASE_URL"):
        if os.environ.get(f"MIZAN_{setting}"):
            settings[setting] = os.environ[f"MIZAN_{setting}"]
    return settings


def limiter_storage_for(queue_url: str) -> str | None:
    """The Redis of the task queue as the login throttle's storage (the `limits` library's URL forms), so
    that every web process counts the same attempts; None when the queue is not Redis."""
    if queue_url.startswith(("redis://", "rediss://")):
        return queue_url
    if queue_url.startswith("unix://"):
        return "redis+unix://" + queue_url[len("unix://"):]
    return None


MAX_REMEMBER_DAYS = 30


def apply_cookie_settings(config) -> None:
    """REMEMBER_DAYS (1-30) and SECURE_COOKIES into the Flask and Flask-Login cookie settings."""
    days = int(config["REMEMBER_DAYS"])
    if not 1 <= days <= MAX_REMEMBER_DAYS:
        raise RuntimeError(f"MIZAN_REMEMBER_DAYS must be from 1 to {MAX_REMEMBER_DAYS}, not {days}.")
    config["REMEMBER_COOKIE_DURATION"] = timedelta(days=days)
    if config["SECURE_COOKIES"]:
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = True
