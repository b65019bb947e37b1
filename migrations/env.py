"""Alembic environment, driven by Flask-Migrate (`flask --app wsgi db …`).

Batch mode (`render_as_batch`) comes from the Migrate extension in
app/extensions.py, so ALTERs work on SQLite by copying the table.
"""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
# Keep the app's own loggers alive when Alembic configures logging.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_extension = current_app.extensions["migrate"]
target_metadata = migrate_extension.db.metadata


def run_migrations_offline():
    """Emit SQL to stdout (`flask db upgrade --sql`) instead of running it."""
    url = migrate_extension.db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      **migrate_extension.configure_args)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def skip_empty_autogenerate(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    configure_args = dict(migrate_extension.configure_args)
    configure_args.setdefault("process_revision_directives", skip_empty_autogenerate)
    with migrate_extension.db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            foreign_keys_enforced(connection, False)
        try:
            context.configure(connection=connection, target_metadata=target_metadata, **configure_args)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"The migration left rows whose foreign keys point nowhere: {broken[:5]}")
        finally:
            if sqlite:
                foreign_keys_enforced(connection, True)


def foreign_keys_enforced(connection, on: bool):
    """SQLite: batch mode copies a table, drops the old one and renames the copy; with foreign keys enforced
    that DROP deletes every row referring to the old table through ON DELETE CASCADE (SQLite's implicit
    DELETE), e.g. every API token and assignment when `users` is copied. So they are off while migrating and
    checked after (PRAGMA foreign_key_check); the pragma only takes effect outside a transaction, and this
    pooled connection is given back with them on, as app/database.py set them."""
    if connection.in_transaction():
        connection.commit()
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
