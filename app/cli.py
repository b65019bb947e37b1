"""`flask --app wsgi …` commands. Each parses its arguments and calls a service."""
from __future__ import annotations

import functools
import importlib.util
import io
import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .config import PROJECT_ROOT
from .extensions import db
from .models import MAX_ID, ROLES
from .services import ServiceError
from .services import assignment as assignment_service
from .services import backup as backup_service
from .services import export as export_service
from .services import first_run, importing
from .services import users as user_service

users_cli = AppGroup("users", help="Create, list, deactivate and reactivate accounts; issue API tokens.")


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="reviewer", show_default=True,
              help="admin, reviewer, corpus (exports the approved corpus; no review rights), or curator "
                   "(adjudicates double-annotated articles).")
@click.option("--display-name", default="", help="Name shown in the interface (defaults to the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_user_command(username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create an account; the password is prompted for unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = user_service.create_user(username, password, role, display_name=display_name)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Created {user.role} {user.username}.")


@users_cli.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def reset_password_command(username: str, password_stdin: bool) -> None:
    """Set a new password (the same rule as the forms): the user's sessions end and their API tokens are revoked."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        user = user_service.require_user(username)
        user_service.set_password(user, password)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Password of {user.username} changed; their sessions ended and their API tokens were revoked.")


@users_cli.command("list")
def list_users_command() -> None:
    """List accounts: username, role, state, display name."""
    for user in user_service.list_users():
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.username}\t{user.role}\t{state}\t{user.display_name}")


@users_cli.command("deactivate")
@click.argument("username")
def deactivate_user_command(username: str) -> None:
    """Stop an account from logging in; its sessions and API tokens stop working."""
    try:
        user = user_service.require_user(username)
        user_service.set_active(user, False)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Deactivated {user.username}.", err=True)


@users_cli.command("activate")
@click.argument("username")
def activate_user_command(username: str) -> None:
    """Let a deactivated account log in again (new sessions and tokens; the old ones stay revoked)."""
    try:
        user = user_service.require_user(username)
        user_service.set_active(user, True)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Activated {user.username}.", err=True)


@users_cli.command("email")
@click.argument("username")
@click.argument("address", required=False)
def email_command(username: str, address: str | None) -> None:
    """Mail the user's notifications to ADDRESS when MIZAN_SMTP_URL is set; without ADDRESS, stop mailing them."""
    try:
        user_service.set_email(user_service.require_user(username), address)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Notifications of {username} are mailed to {address}." if address
               else f"Notifications of {username} are not mailed.", err=True)


@users_cli.command("token")
@click.argument("username")
@click.option("--revoke-others", is_flag=True, help="Rotate: the user's earlier tokens stop working.")
def token_command(username: str, revoke_others: bool) -> None:
    """Print a new personal API token (and nothing else) on stdout; only its hash is stored."""
    try:
        token = user_service.issue_api_token(user_service.require_user(username), revoke_others=revoke_others)
    except ServiceError as error:
        _fail(str(error))
    click.echo(token)


@users_cli.command("revoke-tokens")
@click.argument("username")
def revoke_tokens_command(username: str) -> None:
    """Every API token of the user stops working at once (a leaked token)."""
    try:
        revoked = user_service.revoke_api_tokens(user_service.require_user(username))
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Revoked {revoked} API token{'' if revoked == 1 else 's'} of {username}.", err=True)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def import_command(paths: tuple[Path, ...]) -> None:
    """Import Arabic news files (.txt) and folders of them, one article per file."""
    files = importing.collect_import_files(paths)
    if not files:
        _fail("no .txt files found")
    max_bytes = current_app.config["IMPORT_MAX_BYTES"]
    with click.progressbar(length=len(files), label="Importing", file=sys.stderr, show_pos=True) as bar:
        outcomes = list(importing.import_paths(files, max_bytes=max_bytes, on_outcome=lambda outcome: bar.update(1)))
    # One write for the whole report (click.echo flushes each call): it can be thousands of lines.
    click.echo("".join(f"{outcome.filename}: {outcome.status}: {outcome.message}\n" for outcome in outcomes), nl=False)
    counts = {status: sum(o.status == status for o in outcomes)
              for status in (importing.IMPORTED, importing.ALREADY_IMPORTED, importing.REFUSED)}
    click.echo(", ".join(f"{n} {status}" for status, n in counts.items()), err=True)
    if counts[importing.REFUSED]:
        sys.exit(1)


@click.command("assign")
@click.argument("article_id", type=int)
@click.argument("username")
@click.option("--second", "second_username", help="Username of the second reviewer.")
@click.option("--independent", "independent_username",
              help="Username of an independent annotator: the article is annotated twice, independently.")
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), help="Due date, YYYY-MM-DD.")
def assign_command(article_id: int, username: str, second_username: str | None, independent_username: str | None,
                   due) -> None:
    """Assign an article to a reviewer (and optionally a second reviewer, and an independent annotator)."""
    from .models import Article

    due_date: date | None = due.date() if due else None
    article = db.session.get(Article, article_id) if article_id <= MAX_ID else None
    if article is None:
        _fail(f"Article {article_id} not found.")
    try:
        assignment_service.assign_article(
            article, user_service.require_user(username), "reviewer", actor=None, due=due_date
        )
        if second_username:
            assignment_service.assign_article(
                article, user_service.require_user(second_username), "second_reviewer", actor=None, due=due_date
            )
        if independent_username:
            assignment_service.assign_article(
                article, user_service.require_user(independent_username), "independent", actor=None, due=due_date
            )
    except ServiceError as error:
        db.session.rollback()
        _fail(str(error))
    for role, a in assignment_service.assignments_of(article).items():
        click.echo(f"article {article.id}: {role.replace('_', ' ')} {a.user.username}"
                   + (f", due {a.due.isoformat()}" if a.due else ""))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent copy of the database to PATH while Mizan keeps running (SQLite: a database file;
    PostgreSQL: a pg_dump archive, loaded with pg_restore)."""
    try:
        size = backup_service.backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], path, overwrite=force)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Backup written to {path} ({size:,} bytes).")


@click.command("setup")
@click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=PROJECT_ROOT / "seeds",
              show_default=True, help="Folder imported when the database has no article yet.")
def setup_command(seeds: Path) -> None:
    """Prepare an installation: apply migrations, import the seeds into an empty database, create `admin`."""
    from flask_migrate import upgrade

    upgrade()
    if seeds.is_dir():
        outcomes = importing.import_seeds_if_empty(seeds, max_bytes=current_app.config["IMPORT_MAX_BYTES"])
        if outcomes is not None:
            imported = sum(o.status == importing.IMPORTED for o in outcomes)
            click.echo(f"Imported {imported} seed articles from {seeds}.")
    try:
        admin, generated = first_run.ensure_admin(os.environ.get("MIZAN_ADMIN_PASSWORD"))
    except ServiceError as error:
        _fail(str(error))
    if admin is not None and generated:
        click.echo(
            "\n  Created the admin account.\n"
            f"    username: {admin.username}\n    password: {generated}\n"
            "  This password is shown only once; change it under Users after logging in.\n"
        )
    elif admin is not None:
        click.echo(f"Created the admin account {admin.username!r} with the password from MIZAN_ADMIN_PASSWORD.")
    from .services.paragraph_qa import refresh_missing_qa

    checked = refresh_missing_qa()
    if checked:
        click.echo(f"QA checked {checked} paragraphs that had no findings stored yet.")


@click.command("qa")
@click.option("--all", "everything", is_flag=True, help="Recheck every paragraph, not only those never checked.")
def qa_command(everything: bool) -> None:
    """Run the QA checks and store their findings (after an upgrade, or a glossary import with --all)."""
    from sqlalchemy import update

    from .extensions import db
    from .models import Paragraph
    from .services.paragraph_qa import refresh_missing_qa

    if everything:
        db.session.execute(update(Paragraph).values(qa_findings=None))
        db.session.commit()
    click.echo(f"QA checked {refresh_missing_qa()} paragraphs.")


mt_cli = AppGroup("mt", help="Machine translation models (Argos packages) and translating articles.")


def _format_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


@mt_cli.command("install")
@click.argument("package_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--download", is_flag=True,
              help="Fetch the ar→en package from argostranslate's index (needs a network connection).")
def mt_install_command(package_file: Path | None, download: bool) -> None:
    """Install an Argos package (.argosmodel) into the instance folder."""
    from .services import mt_packages

    if download == (package_file is not None):
        _fail("give either a PACKAGE_FILE or --download")
    if package_file is None:  # so --download
        package_file = _download_from_argos_index(Path(current_app.instance_path))
    try:
        package = mt_packages.install_package(package_file, current_app.instance_path)
    except mt_packages.PackageError as error:
        _fail(f"{package_file}: {error}")
    click.echo(f"Installed {package.model_id} ({_format_bytes(package.size)}) in {package.path}")


def _download_from_argos_index(instance_path: Path) -> Path:
    """The only place Mizan talks to argostranslate's package index, and only when asked."""
    if importlib.util.find_spec("argostranslate") is None:
        _fail("--download needs argostranslate, which only the full install has (requirements/app.txt, "
              "make install); web and worker tiers leave it out. Download the .argosmodel file elsewhere "
              "(its index: https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json) "
              "and run `flask --app wsgi mt install FILE`.")
    cache = instance_path / "argos-cache"
    for variable, folder in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config")):
        os.environ[variable] = str(cache / folder)
    os.environ["ARGOS_PACKAGES_DIR"] = str(cache / "packages")
    from argostranslate import package as argos_package

    try:
        argos_package.update_package_index()
        available = [p for p in argos_package.get_available_packages() if (p.from_code, p.to_code) == ("ar", "en")]
    except Exception as error:  # noqa: BLE001 — network errors have many types
        _fail(f"cannot reach argostranslate's package index: {error}")
    if not available:
        _fail("argostranslate's index has no ar→en package")
    return Path(available[0].download())


@mt_cli.command("list")
def mt_list_command() -> None:
    """Installed models: id, languages, size, checksum (newest first; the newest is used by default)."""
    from .services import mt_packages

    packages = mt_packages.list_packages(current_app.instance_path)
    if not packages:
        click.echo("No model installed. Install one with `flask --app wsgi mt install FILE.argosmodel`.", err=True)
    for p in packages:
        click.echo(f"{p.name}\t{p.version}\t{p.from_code}->{p.to_code}\t{_format_bytes(p.size)}\tsha256:{p.checksum}")


@mt_cli.command("remove")
@click.argument("name")
def mt_remove_command(name: str) -> None:
    """Remove an installed model (by name or model id). Drafts it made stay."""
    from .services import mt_packages

    try:
        package = mt_packages.remove_package(current_app.instance_path, name)
    except mt_packages.PackageError as error:
        _fail(str(error))
    click.echo(f"Removed {package.model_id}.")


@mt_cli.command("translate")
@click.option("--article", "article_ids", type=int, multiple=True, help="Article id (repeatable).")
@click.option("--all", "all_articles", is_flag=True, help="Every article with paragraphs lacking a draft.")
@click.option("--model", help="Model name or id (default: the newest installed).")
def mt_translate_command(article_ids: tuple[int, ...], all_articles: bool, model: str | None) -> None:
    """Translate articles in the foreground, with the same service the background worker runs."""
    from .models import Article
    from .services import mt, mt_engine
    from .services.job_leases import Lease

    if bool(article_ids) == all_articles:
        _fail("give --article ID (one or more) or --all")
    try:
        mt_engine.require_engine()  # before any job is created: a web-tier machine cannot translate
    except ServiceError as error:
        _fail(str(error))
    try:
        package = mt.require_package(current_app.instance_path, model)
    except ServiceError as error:
        _fail(str(error))
    ids = list(article_ids) if article_ids else mt.untranslated_article_ids(package.model_id)
    articles = []
    for i in ids:
        article = db.session.get(Article, i) if i <= MAX_ID else None
        if article is None:
            _fail(f"Article {i} not found.")
        articles.append(article)
    options = mt_engine.EngineOptions.from_config(current_app.config)
    lease = Lease.from_config(current_app.config)  # held while this command runs, like a worker's
    failed = 0
    for article in articles:
        try:
            job, created = mt.create_translation_job(article, package, actor=None, running_under=lease)
        except ServiceError as error:  # an approved article: nothing to translate
            click.echo(f"article {article.id}: {error}")
            continue
        if not created and not mt.claim_jobs(job.id, limit=1, lease=lease):  # queued: taken here; running: left
            click.echo(f"article {article.id}: already being translated by job {job.id} ({job.status})")
            continue
        with click.progressbar(length=job.total, label=f"Article {article.id}", file=sys.stderr,
                               show_pos=True) as bar:
            last = [job.done]
            bar.update(job.done)

            def advance(current_job):  # called only inside this iteration, while `bar` and `last` are its own
                bar.update(current_job.done - last[0])  # noqa: B023
                last[0] = current_job.done  # noqa: B023

            job = mt.run_translation_job(
                job.id, current_app.instance_path, lambda p: mt_engine.get_translator(p, options),
                on_progress=advance, lease=lease,
            )
        failed += job.status == "failed"
        click.echo(f"article {article.id}: {job.status}, {job.done}/{job.total} paragraphs"
                   + (f" — {job.error}" if job.error else ""))
    if failed:
        sys.exit(1)


glossary_cli = AppGroup("glossary", help="The glossary of names (Arabic form, English form, label) as TSV.")


@glossary_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
def glossary_export_command(path: Path) -> None:
    """Write the glossary as TSV (ar, en, label; UTF-8) to PATH, or to standard output with '-'."""
    import io

    from .services import glossary

    if str(path) == "-":
        buffer = io.StringIO()
        count = glossary.export_tsv(buffer)
        click.echo(buffer.getvalue(), nl=False)
    else:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            count = glossary.export_tsv(stream)
    click.echo(f"Exported {count} terms.", err=True)


@glossary_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def glossary_import_command(path: Path) -> None:
    """Add the terms of a TSV file (header ar, en, label); a malformed file changes nothing."""
    from .services import glossary

    try:
        with open(path, "rb") as stream:
            report = glossary.import_tsv(stream)
    except glossary.GlossaryImportError as error:
        for line in error.report.lines():
            click.echo(line)
        _fail(str(error))
    for line in report.lines():
        click.echo(line)
    click.echo(report.summary(), err=True)


def selection_options(command):
    """The filters `export` and `release` share, turned into one `selection` argument (export.Selection)."""
    options = [
        click.option("--article", "article_ids", type=click.IntRange(1, MAX_ID), multiple=True,
                     help="Only this article (repeatable)."),
        click.option("--status", type=click.Choice(export_service.STATUSES), default="approved", show_default=True,
                     help="approved: approved paragraphs and their approved English; any: every translated "
                          "paragraph."),
        click.option("--kind", type=click.Choice(tuple(export_service.KINDS)), default="text", show_default=True,
                     help="text: titles and body paragraphs; all: also captions and photo credits."),
        click.option("--published-from", type=click.DateTime(["%Y-%m-%d"]), help="Articles published on or after."),
        click.option("--published-to", type=click.DateTime(["%Y-%m-%d"]), help="Articles published on or before."),
        click.option("--approved-from", type=click.DateTime(["%Y-%m-%d"]), help="English approved on or after (UTC)."),
        click.option("--approved-to", type=click.DateTime(["%Y-%m-%d"]), help="English approved on or before (UTC)."),
        click.option("--reviewer", help="Only articles assigned to this user."),
        click.option("--labels", multiple=True, help="Only entities with these labels, e.g. PER,LOC,ORG."),
    ]

    @functools.wraps(command)
    def with_selection(*args, article_ids, status, kind, published_from, published_to, approved_from, approved_to,
                       reviewer, labels, **kwargs):
        day = lambda value: value.date() if value else None  # noqa: E731
        selection = export_service.selection_from({
            "article": article_ids, "status": status, "kind": kind, "reviewer": reviewer, "labels": labels,
            "published_from": day(published_from), "published_to": day(published_to),
            "approved_from": day(approved_from), "approved_to": day(approved_to),
        })
        return command(*args, selection=selection, **kwargs)

    for option in reversed(options):
        with_selection = option(with_selection)
    return with_selection


@click.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(export_service.FORMATS))
@click.option("-o", "--output", "path", required=True,
              help="File to write, '-' for stdout; for moses and conll a prefix: PATH.ar, PATH.en(.conll)…")
@selection_options
@click.option("--side", help="With -o - and a two-file format: which file to print (ar, en, mt).")
@click.option("--split-clitics", is_flag=True, help="CoNLL: split the proclitics و ف ب ل ك before ال.")
def export_command(fmt, path, selection, side, split_clitics) -> None:
    """Export the reviewed corpus as tmx, xliff2, xliff12, jsonl, conll or moses (see docs/exports.md)."""
    try:
        total = export_service.count(selection)
        with click.progressbar(length=total, label=f"Exporting {fmt}", file=sys.stderr, show_pos=True) as bar:
            report = export_service.write_export(fmt, selection, path, side=side, split_clitics=split_clitics,
                                                 progress=bar.update)
    except ServiceError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot write {error.filename or path}: {error.strerror or error}")
    held = "".join(f", {count} {what}" for count, what in ((report.entities, "entities"), (report.links, "links"))
                   if count is not None)
    click.echo(f"Exported {report.paragraphs} paragraphs{held} to {', '.join(report.files)}.", err=True)
    for warning in report.warnings():
        click.echo(f"Warning: {warning}", err=True)


@click.command("release")
@click.option("-o", "--output", "path", required=True, type=click.Path(path_type=Path),
              help="The folder to write (new or empty); its zip goes beside it as FOLDER.zip.")
@selection_options
@click.option("--split-clitics", is_flag=True, help="CoNLL: split the proclitics و ف ب ل ك before ال.")
@click.option("--split", "split", default="80/10/10", show_default=True,
              help="Percentages of paragraphs for train/dev/test, split by article.")
@click.option("--seed", default="0", show_default=True, help="Seed of the article shuffle (a whole number >= 0).")
@click.option("--name", default="mizan-corpus", show_default=True, help="The release's name (letters, digits . - _).")
@click.option("--version", "version", default="1.0.0", show_default=True, help="The release's version.")
def release_command(path, selection, split_clitics, split, seed, name, version) -> None:
    """Write a corpus release: FOLDER (JSONL, TMX, Moses, CoNLL and spaCy per split, a dataset card and a
    manifest) and FOLDER.zip (see docs/exports.md, "Releases")."""
    try:
        options = export_service.release_options(split=split, seed=seed, name=name, version=version,
                                                 split_clitics=split_clitics,
                                                 license=current_app.config["RELEASE_LICENSE"])
        total = export_service.count(selection)
        with click.progressbar(length=total, label="Writing the release", file=sys.stderr, show_pos=True) as bar:
            report = export_service.write_release(selection, options, path, progress=bar.update)
    except ServiceError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot write {error.filename or path}: {error.strerror or error}")
    counts = report.manifest["counts"]
    parts = ", ".join(f"{split} {counts[split]['articles']} articles / {counts[split]['paragraphs']} paragraphs"
                      for split in ("train", "dev", "test"))
    click.echo(f"Released {report.paragraphs} paragraphs ({parts}) to {path}/ and {report.zip_path}.", err=True)
    for warning in report.warnings():
        click.echo(f"Warning: {warning}", err=True)


tm_cli = AppGroup("tm", help="The translation memory: import TMX files, list and remove imported memories.")


@tm_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="The memory's name (defaults to the file's name without its extension).")
def tm_import_command(path: Path, name: str | None) -> None:
    """Add the Arabic-English units of a TMX 1.4 file (any ar*/en* language codes) to the memory."""
    from .services import translation_memory as tm

    try:
        report = tm.import_tmx(path.read_bytes(), name=name or path.stem, file_name=path.name)
    except ServiceError as error:
        _fail(f"{path}: {error} Nothing was imported.")
    except OSError as error:
        _fail(f"cannot read {path}: {error.strerror or error}")
    lines = [f"{path.name} into memory {report.name!r}: {report.read} units read, {report.added} added, "
             f"{report.duplicates} skipped as duplicates, {report.refused_count} refused."]
    for why, numbers in report.refused.items():
        shown = ", ".join(map(str, numbers[:10])) + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
        lines.append(f"Refused {len(numbers)}: {why} (unit {shown}).")
    click.echo("\n".join(lines))


@tm_cli.command("list")
def tm_list_command() -> None:
    """The imported memories: name, units, file, when imported (UTC)."""
    from .services import translation_memory as tm

    for memory in tm.list_memories():
        click.echo(f"{memory.name}\t{memory.units} units\t{memory.file_name}\t"
                   f"{memory.imported_at:%Y-%m-%d %H:%M}")


@tm_cli.command("remove")
@click.argument("name")
def tm_remove_command(name: str) -> None:
    """Delete an imported memory and its units."""
    from .services import translation_memory as tm

    try:
        removed = tm.remove_memory(name)
    except ServiceError as error:
        _fail(str(error))
    click.echo(f"Removed memory {name!r} and its {removed} units.")


AGREEMENT_COLUMNS = ("annotator_a", "annotator_b", "articles", "side", "label", "a", "b", "both", "f1", "precision",
                     "recall", "kappa", "chrf", "ter")
ALL = "(all)"


def _agreement_rows(annotators: list[str], articles: int, figures: dict) -> list[dict]:
    """CSV rows of one scope (an article, a pair, or every pair): per side a row per label and a total, then a
    row for the links and one for the translation."""
    base = {"annotator_a": annotators[0], "annotator_b": annotators[1], "articles": articles}
    rows = []
    for side in ("ar", "en"):
        figures_of_side = figures["entities"][side]
        by_label = figures_of_side["by_label"]
        for label, counts in by_label.items():
            rows.append({**base, "side": side, "label": label, **counts})
        rows.append({**base, "side": side, "label": ALL,
                     **{key: sum(counts[key] for counts in by_label.values()) for key in ("a", "b", "both")},
                     **{key: figures_of_side[key] for key in ("f1", "precision", "recall", "kappa")}})
    rows.append({**base, "side": "links", "label": ALL, "f1": figures["links"]["f1"]})
    rows.append({**base, "side": "translation", "label": ALL, **figures["translation"]})
    return rows


def _csv_value(value) -> object:
    if value is None:
        return ""
    return round(value, 6) if isinstance(value, float) else value


@click.command("agreement")
@click.option("--article", "article_id", type=click.IntRange(1, MAX_ID),
              help="One double-annotated article (default: the project, every double-annotated article that both "
                   "its annotators submitted, per annotator pair and over all).")
@click.option("--format", "output_format", type=click.Choice(("csv", "json")), default="csv", show_default=True,
              help="csv: a header row, then a row per (pair, side, label) and totals; json: the API's figures.")
def agreement_command(article_id: int | None, output_format: str) -> None:
    """Inter-annotator agreement: entity F1, precision, recall and Cohen's κ per label and side, links F1, chrF
    and TER of the English (docs/architecture.md, "Agreement")."""
    import csv
    import json

    from .services import article_agreement

    try:
        if article_id is not None:
            figures = article_agreement.agreement_of_article(article_id)
            scopes = [(figures["annotators"], 1, figures)]
        else:
            figures = article_agreement.project_agreement()
            scopes = [(pair["annotators"], pair["articles"], pair) for pair in figures["pairs"]]
            if figures["all"]["articles"]:
                scopes.append(([ALL, ALL], figures["all"]["articles"], figures["all"]))
    except ServiceError as error:
        _fail(str(error))
    if output_format == "json":
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AGREEMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for annotators, articles, scope in scopes:
        for row in _agreement_rows(annotators, articles, scope):
            writer.writerow({column: _csv_value(row.get(column)) for column in AGREEMENT_COLUMNS})
    click.echo(out.getvalue(), nl=False)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(tm_cli)
    app.cli.add_command(mt_cli)
    app.cli.add_command(glossary_cli)
    app.cli.add_command(qa_command)
    for command in (import_command, assign_command, backup_command, setup_command, export_command,
                    agreement_command, release_command):
        app.cli.add_command(command)
