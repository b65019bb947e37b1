"""A fresh installation: instance folder, secret key, database settings, migrations, first run."""
import stat

import pytest

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from app import create_app
from app.extensions import db
from app.models import Article, Label, User
from app.services import users as user_service


def test_first_start_writes_a_private_random_secret_key(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    monkeypatch.setenv("MIZAN_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("MIZAN_DATABASE_URL", raising=False)
    first = create_app()
    config_file = instance / "config.py"
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) == 64
    again = create_app()
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    other = tmp_path / "other"
    monkeypatch.setenv("MIZAN_INSTANCE_PATH", str(other))
    assert create_app().config["SECRET_KEY"] != first.config["SECRET_KEY"]
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'mizan.sqlite'}"


def test_database_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MIZAN_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("MIZAN_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.sqlite'}")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"


@pytest.mark.only_on("sqlite", why="WAL, foreign keys and the busy timeout are SQLite pragmas")
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


@pytest.mark.only_on("postgresql", why="lock and statement timeouts are PostgreSQL settings")
def test_postgres_connections_give_up_on_a_held_lock_and_a_runaway_statement(app):
    with db.engine.connect() as connection:
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "10s"
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "2min"
        connection.rollback()
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "10s"  # kept after a rollback


def test_foreign_keys_are_enforced(app):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.execute(text(
            "INSERT INTO paragraphs (article_id, position, kind, ar, status, version) "
            "VALUES (999, 0, 'body', 'نص', 'draft', 1)"
        ))
        db.session.commit()
    db.session.rollback()


def test_migrations_produce_exactly_the_models_schema(app):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_migrations_create_the_default_labels(app):
    names = db.session.scalars(select(Label.name).order_by(Label.position)).all()
    assert names == ["PER", "LOC", "ORG", "DATE", "MONEY", "PERCENT", "EVENT", "MISC"]


def test_migrations_go_down_and_up_again(app):
    db.session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "articles", "paragraphs", "translations", "entities", "entity_links", "labels",
            "assignments", "comments", "audit_events", "glossary_terms", "api_tokens", "login_throttles",
            "notifications", "annotation_actions", "comment_reads", "paragraph_agreements", "article_agreements", "paragraph_layers", "paragraph_adjudications"} <= tables


def test_a_migration_that_copies_the_users_table_keeps_every_row_that_refers_to_users(app, article, reviewer):
    """0011 adds users.email; going down copies `users` on SQLite (batch mode), which must not cascade."""
    user_service.issue_api_token(reviewer)
    tables = ("api_tokens", "assignments", "audit_events", "translations")

    def counts():
        with db.engine.connect() as connection:
            return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in tables}

    before = counts()
    assert before["api_tokens"] == 1 and before["assignments"] == 2
    db.session.remove()
    downgrade(revision="0010")
    assert "email" not in {column["name"] for column in inspect(db.engine).get_columns("users")}
    assert counts() == before
    upgrade()
    assert counts() == before
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:  # the pooled connection enforces foreign keys again
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_every_constraint_and_index_is_named(app):
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        for fk in inspector.get_foreign_keys(table):
            assert fk["name"], f"unnamed foreign key on {table}"
        for unique in inspector.get_unique_constraints(table):
            assert unique["name"], f"unnamed unique constraint on {table}"


def run_setup(app, env=None):
    runner = app.test_cli_runner()
    return runner.invoke(args=["setup"], env=env or {})


def test_setup_on_an_empty_database_imports_seeds_and_creates_admin(tmp_path, monkeypatch):
    from tests.conftest import make_config

    instance = tmp_path / "fresh"
    app = create_app(make_config(instance))
    monkeypatch.delenv("MIZAN_ADMIN_PASSWORD", raising=False)
    with app.app_context():
        result = run_setup(app)
        assert result.exit_code == 0, result.output
        assert "Imported 5 seed articles" in result.output
        password = next(line.split(":", 1)[1].strip() for line in result.output.splitlines()
                        if line.strip().startswith("password:"))
        assert user_service.authenticate("admin", password) is not None
        assert db.session.scalar(select(User).where(User.username == "admin")).role == "admin"

        second = run_setup(app)
        assert second.exit_code == 0, second.output
        assert "password" not in second.output and "Imported" not in second.output
        assert len(db.session.scalars(select(Article)).all()) == 5
        db.session.remove()
        db.engine.dispose()


def test_setup_takes_the_admin_password_from_the_environment(tmp_path, monkeypatch):
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path / "fresh"))
    monkeypatch.setenv("MIZAN_ADMIN_PASSWORD", "from the environment")
    with app.app_context():
        result = run_setup(app)
        assert result.exit_code == 0, result.output
        assert "from the environment" not in result.output
        assert user_service.authenticate("admin", "from the environment") is not None
        db.session.remove()
        db.engine.dispose()


def test_setup_does_not_import_seeds_into_a_database_with_articles(app, tmp_path):
    from app.services import importing
    from tests.conftest import SEEDS_DIR

    importing.import_news_file("one.txt", (SEEDS_DIR / "003_485b6200d77c6dfc.txt").read_bytes(),
                               max_bytes=app.config["IMPORT_MAX_BYTES"])
    result = run_setup(app, env={"MIZAN_ADMIN_PASSWORD": "a long admin password"})
    assert result.exit_code == 0, result.output
    assert len(db.session.scalars(select(Article)).all()) == 1


def test_instance_data_is_git_ignored():
    from app.config import PROJECT_ROOT

    ignored = (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    assert "/instance/" in ignored


def test_a_corpus_user_is_kept_as_an_inactive_reviewer_when_migrations_go_back_before_the_role(app):
    user_service.create_user("nadia", "a long corpus password", "corpus")
    db.session.remove()
    downgrade(revision="0004")
    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT role, active FROM users WHERE username = 'nadia'")).one()
    assert (row.role, bool(row.active)) == ("reviewer", False)
    upgrade()


def test_ids_beyond_32_bits_are_stored_and_served(client, admin):
    """Ids are BIGINTs on every engine (migration 0006 on PostgreSQL, where they were int4)."""
    from app.models import Paragraph, Translation

    big = 2**40
    article = Article(id=big, title="خبر", original_filename="big.txt", raw_bytes=b"", checksum="b" * 64)
    paragraph = Paragraph(id=big + 1, article=article, position=0, kind="body", ar="اجتمع الرئيسان في موسكو.")
    db.session.add_all([article, paragraph])
    db.session.flush()
    draft = Translation(id=big + 2, paragraph_id=paragraph.id, text="The presidents met in Moscow.", origin="machine",
                        engine="ctranslate2", engine_version="test", model_id="m", source_hash="x")
    db.session.add(draft)
    db.session.flush()
    paragraph.current_revision_id = draft.id
    db.session.commit()
    headers = {"Authorization": f"Bearer {user_service.issue_api_token(admin)}"}

    detail = client.get(f"/api/v1/articles/{big}", headers=headers)
    assert detail.status_code == 200
    [served] = detail.get_json()["paragraphs"]
    assert (served["id"], served["translation"]["revision_id"]) == (big + 1, big + 2)
    saved = client.put(f"/api/v1/paragraphs/{big + 1}/translation", headers=headers,
                       json={"text": "The two presidents met in Moscow.", "version": paragraph.version})
    assert saved.status_code == 200, saved.get_json()
    assert db.session.get(Translation, saved.get_json()["revision_id"]).parent_id == big + 2


def test_duplicate_active_translation_jobs_are_ended_by_the_upgrade_that_forbids_them(app, seeded):
    db.session.remove()
    downgrade(revision="0006")
    with db.engine.begin() as connection:
        for status in ("queued", "running", "queued", "done"):
            connection.execute(text(
                "INSERT INTO translation_jobs (article_id, model_id, status, done, total, created_at) "
                "VALUES (:article, 'tiny@1', :status, 0, 1, '2026-12-01 00:00:00')"), {"article": seeded[0],
                                                                                       "status": status})
    upgrade()
    with db.engine.connect() as connection:
        jobs = connection.execute(text("SELECT status, error FROM translation_jobs ORDER BY id")).all()
    duplicate = "a duplicate of an older job for the same article and model"
    assert [tuple(job) for job in jobs] == [("queued", None), ("failed", duplicate), ("failed", duplicate),
                                            ("done", None)]


def test_jobs_running_at_the_upgrade_that_adds_leases_are_swept_back_to_the_queue(app, seeded):
    from app.services.job_leases import requeue_abandoned_jobs

    db.session.remove()
    downgrade(revision="0007")
    with db.engine.begin() as connection:
        for status in ("running", "queued"):
            connection.execute(text(
                "INSERT INTO translation_jobs (article_id, model_id, status, done, total, created_at) "
                "VALUES (:article, :model, :status, 0, 1, '2026-12-01 00:00:00')"),
                {"article": seeded[0], "model": f"tiny@{status}", "status": status})
    upgrade()
    with db.engine.connect() as connection:
        jobs = connection.execute(text("SELECT status, attempts, lease_expires_at FROM translation_jobs ORDER BY id"))
        assert [(status, attempts, str(lease)[:19]) for status, attempts, lease in jobs] == [
            ("running", 1, "2026-12-01 00:00:00"), ("queued", 0, "None")]
    assert len(requeue_abandoned_jobs(max_attempts=3)) == 1


def test_the_upgrade_to_one_machine_draft_per_model_merges_twins_and_keeps_differing_english(app, seeded, reviewer):
    paragraph_id = db.session.scalar(select(text("id")).select_from(text("paragraphs")).order_by(text("id")).limit(1))
    db.session.remove()
    downgrade(revision="0008")
    draft = ("INSERT INTO translations (paragraph_id, text, origin, model_id, source_hash, created_at, parent_id) "
             "VALUES (:paragraph, :text, :origin, :model, 'h', '2026-12-01 00:00:00', :parent)")
    with db.engine.begin() as connection:
        def insert(text_, origin="machine", model="tiny@1", parent=None):
            connection.execute(text(draft), {"paragraph": paragraph_id, "text": text_, "origin": origin,
                                             "model": model if origin == "machine" else None, "parent": parent})
            return connection.execute(text("SELECT max(id) FROM translations")).scalar()

        first = insert("The minister met.")
        twin = insert("The minister met.")  # the same draft twice: merged into `first`
        other = insert("The minister has met.")  # another English from the same model id: kept, renamed
        human = insert("The minister met today.", origin="human", parent=twin)
        label = connection.execute(text("SELECT id FROM labels WHERE name = 'PER'")).scalar()
        for translation_id in (first, twin):
            connection.execute(text(
                "INSERT INTO entities (paragraph_id, lang, translation_id, start, \"end\", label_id, text, flagged, "
                "created_at) VALUES (:p, 'en', :t, 4, 12, :label, 'minister', false, '2026-12-01 00:00:00')"),
                {"p": paragraph_id, "t": translation_id, "label": label})
        connection.execute(text("UPDATE paragraphs SET current_revision_id = :twin, approved_revision_id = :twin "
                                "WHERE id = :p"), {"twin": twin, "p": paragraph_id})
    upgrade()
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, text, model_id, parent_id FROM translations "
                                       "WHERE paragraph_id = :p ORDER BY id"), {"p": paragraph_id}).all()
        paragraph = connection.execute(text("SELECT current_revision_id, approved_revision_id FROM paragraphs "
                                            "WHERE id = :p"), {"p": paragraph_id}).one()
        entities = connection.execute(text("SELECT translation_id FROM entities WHERE paragraph_id = :p"),
                                      {"p": paragraph_id}).scalars().all()
    assert [tuple(row) for row in rows] == [(first, "The minister met.", "tiny@1", None),
                                            (other, "The minister has met.", f"tiny@1#duplicate-{other}", None),
                                            (human, "The minister met today.", None, first)]
    assert tuple(paragraph) == (first, first)
    assert entities == [first]  # the twin's entity moved onto `first`, where the same one already was
