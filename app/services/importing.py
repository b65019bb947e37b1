"""Importing Arabic news files: one file, one article, one transaction.

The parsing and cleaning rules live in `news_text`; this module stores the
result next to the untouched raw bytes and their SHA-256, which makes a
second import of the same file a reported no-op.
"""
from __future__ import annotations

import functools
import hashlib
import multiprocessing as mp
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Article, AuditEvent, Paragraph, User, utcnow
from . import chunked
from .news_text import ParsedArticle, UnreadableText, parse_news_text

# Below this many files, handing them to the parse workers costs more than it saves.
PARALLEL_IMPORT_MIN_FILES = 16
MAX_PARSE_WORKERS = 3
DUPLICATE_CHECK_CHUNK = 64  # files whose checksums are looked up in one query

IMPORTED = "imported"
ALREADY_IMPORTED = "already imported"
REFUSED = "refused"


@dataclass(frozen=True)
class ImportOutcome:
    filename: str
    status: str
    message: str
    article_id: int | None = None
    paragraph_count: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PreparedFile:
    """A file read, hashed and parsed — everything that needs no database."""

    filename: str
    raw: bytes
    checksum: str
    parsed: ParsedArticle | None
    refusal: str | None


def prepare_news_file(filename: str, raw: bytes, *, max_bytes: int) -> PreparedFile:
    checksum = hashlib.sha256(raw).hexdigest()
    try:
        return PreparedFile(filename, raw, checksum, parse_news_text(raw, max_bytes=max_bytes), None)
    except UnreadableText as refusal:
        return PreparedFile(filename, raw, checksum, None, str(refusal))


def import_news_file(filename: str, raw: bytes, *, max_bytes: int, actor: User | None = None) -> ImportOutcome:
    """Parse and store one file. Refusals and duplicates write nothing."""
    return store_prepared_file(prepare_news_file(filename, raw, max_bytes=max_bytes), actor=actor)


_NOT_LOOKED_UP = object()


@dataclass(frozen=True)
class _DriverInsert:
    """An INSERT compiled once for this database, executed with the driver's own parameter style.

    The import writes thousands of small rows; SQLAlchemy's per-statement
    work (compiling, cache keys, parameter handling) costs more than the
    inserts themselves. Values still go through each column type's bind
    processor, so dates, UTC times and JSON are stored exactly as the ORM
    stores them, on any database.
    """

    sql: str
    columns: tuple[str, ...]
    positional: bool
    processors: tuple

    def parameters(self, values: Sequence) -> tuple | dict:
        converted = tuple(value if process is None else process(value)
                          for value, process in zip(values, self.processors))
        return converted if self.positional else dict(zip(self.columns, converted))


@functools.lru_cache(maxsize=16)
def _driver_insert(table, columns: tuple[str, ...], dialect, returning: str | None = None) -> _DriverInsert:
    statement = insert(table).returning(table.c[returning]) if returning else insert(table).inline()
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    if compiled.positional:
        assert tuple(compiled.positiontup) == columns, compiled.positiontup
    processors = tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns)
    return _DriverInsert(str(compiled), columns, compiled.positional, processors)


ARTICLE_COLUMNS = ("title", "source", "published", "original_filename", "raw_bytes", "checksum", "status",
                   "imported_by_id", "created_at", "updated_at")
PARAGRAPH_COLUMNS = ("article_id", "position", "kind", "ar", "status", "version")
AUDIT_COLUMNS = ("actor_id", "action", "object_type", "object_id", "after", "created_at")


def existing_article_ids(checksums: Iterable[str]) -> dict[str, int]:
    """Articles already imported, by checksum: one query for many files."""
    checksums = list(set(checksums))
    found = {} if not checksums else dict(db.session.execute(
        select(Article.checksum, Article.id).where(Article.checksum.in_(checksums))
    ).all())
    db.session.rollback()  # end the read transaction; each file gets its own
    return found


def store_prepared_file(
    prepared: PreparedFile, *, actor: User | None = None, actor_id: int | None = None, existing_id=_NOT_LOOKED_UP
) -> ImportOutcome:
    """Store one prepared file as one article, in one transaction (SQLAlchemy Core: this is the hot path).

    `existing_id` may come from `existing_article_ids` for many files at once;
    a file imported meanwhile by someone else is still caught by the unique checksum.
    """
    filename, checksum = prepared.filename, prepared.checksum
    if actor is not None:
        actor_id = actor.id
    if existing_id is _NOT_LOOKED_UP:
        existing_id = existing_article_ids([checksum]).get(checksum)
    if existing_id is not None:
        db.session.rollback()
        return ImportOutcome(filename, ALREADY_IMPORTED, f"same file as article {existing_id}", existing_id)
    if prepared.parsed is None:
        db.session.rollback()
        return ImportOutcome(filename, REFUSED, prepared.refusal or "unreadable file")
    parsed = prepared.parsed
    connection = db.session.connection()
    dialect, now = connection.dialect, utcnow()
    article_insert = _driver_insert(Article.__table__, ARTICLE_COLUMNS, dialect, returning="id")
    paragraph_insert = _driver_insert(Paragraph.__table__, PARAGRAPH_COLUMNS, dialect)
    audit_insert = _driver_insert(AuditEvent.__table__, AUDIT_COLUMNS, dialect)
    try:
        article_id = connection.exec_driver_sql(article_insert.sql, article_insert.parameters((
            parsed.title, parsed.source, parsed.published, filename, prepared.raw, checksum, "new", actor_id, now, now,
        ))).scalar_one()
        connection.exec_driver_sql(paragraph_insert.sql, [
            paragraph_insert.parameters((article_id, position, p.kind, p.text, "draft", 1))
            for position, p in enumerate(parsed.paragraphs)
        ])
        connection.exec_driver_sql(audit_insert.sql, audit_insert.parameters((
            actor_id, "article.import", "article", article_id,
            {"filename": filename, "checksum": checksum, "paragraphs": len(parsed.paragraphs)}, now,
        )))
        db.session.commit()
    except IntegrityError:
        # Another importer stored the same file between our check and our insert.
        db.session.rollback()
        existing_id = db.session.scalar(select(Article.id).where(Article.checksum == checksum))
        if existing_id is None:
            raise
        return ImportOutcome(filename, ALREADY_IMPORTED, f"same file as article {existing_id}", existing_id)
    except BaseException:
        db.session.rollback()
        raise
    return ImportOutcome(
        filename, IMPORTED, f"article {article_id}: {len(parsed.paragraphs)} paragraphs",
        article_id, len(parsed.paragraphs), parsed.notes,
    )


def collect_import_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every *.txt under named folders, in a stable order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        else:
            files.append(path)
    return files


def import_paths(
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    actor: User | None = None,
    on_outcome: Callable[[ImportOutcome], None] | None = None,
) -> Iterator[ImportOutcome]:
    """Import files and folders in order (the CLI). Outcomes are yielded as each file is committed."""
    files = collect_import_files(paths)
    prepared = _in_parse_workers(_prepare_path, files, [max_bytes] * len(files))
    yield from _store_in_order(prepared, actor, on_outcome)


def import_uploads(
    uploads: Sequence[tuple[str, bytes]], *, max_bytes: int, actor: User | None = None
) -> list[ImportOutcome]:
    """Import (filename, content) pairs in order (the web upload)."""
    names, contents = [name for name, _ in uploads], [raw for _, raw in uploads]
    prepared = _in_parse_workers(_prepare_upload, names, contents, [max_bytes] * len(uploads))
    return list(_store_in_order(prepared, actor, None))


def _store_in_order(
    prepared_files: Iterable[PreparedFile], actor: User | None, on_outcome: Callable[[ImportOutcome], None] | None
) -> Iterator[ImportOutcome]:
    # Read once: every commit expires the actor, and reloading it per file costs a query.
    actor_id = actor.id if actor is not None else None
    for chunk in chunked(prepared_files, DUPLICATE_CHECK_CHUNK):
        existing = existing_article_ids(p.checksum for p in chunk)
        for prepared in chunk:
            outcome = store_prepared_file(prepared, actor_id=actor_id, existing_id=existing.get(prepared.checksum))
            if outcome.status == IMPORTED:
                existing[prepared.checksum] = outcome.article_id  # the same file twice in one batch
            if on_outcome is not None:
                on_outcome(outcome)
            yield outcome


_parse_pool: ProcessPoolExecutor | None = None
_parse_pool_lock = threading.Lock()


def _in_parse_workers(function: Callable, *argument_lists: Sequence) -> Iterator:
    """map(function, ...) in order; with many files, in worker processes while this one writes.

    Parsing needs no database, so it runs beside the writes, on the cores
    the writing process leaves free. The pool is started once per process
    from a fork server — never forked from a threaded web server — and its
    workers only ever parse.
    """
    count = len(argument_lists[0])
    workers = min((os.cpu_count() or 1) - 1, MAX_PARSE_WORKERS)
    if count < PARALLEL_IMPORT_MIN_FILES or workers < 1 or "forkserver" not in mp.get_all_start_methods():
        return map(function, *argument_lists)
    global _parse_pool
    with _parse_pool_lock:
        if _parse_pool is None:
            context = mp.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            _parse_pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    return _parse_pool.map(function, *argument_lists, chunksize=8)


def shutdown_parse_pool() -> None:
    """Stop the parse workers (they otherwise live as long as the process)."""
    global _parse_pool
    with _parse_pool_lock:
        if _parse_pool is not None:
            _parse_pool.shutdown()
            _parse_pool = None


def _prepare_upload(filename: str, raw: bytes, max_bytes: int) -> PreparedFile:
    if not filename.lower().endswith(".txt"):
        return PreparedFile(filename, b"", "", None, "only .txt files are accepted")
    if len(raw) > max_bytes:
        return PreparedFile(filename, b"", "", None, f"file is larger than the limit ({len(raw):,} > {max_bytes:,} bytes)")
    return prepare_news_file(filename, raw, max_bytes=max_bytes)


def _prepare_path(path: Path, max_bytes: int) -> PreparedFile:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            # Do not read a huge file only to refuse it.
            return PreparedFile(str(path), b"", "", None,
                                f"file is larger than the limit ({size:,} > {max_bytes:,} bytes)")
        raw = path.read_bytes()
    except OSError as error:
        return PreparedFile(str(path), b"", "", None, f"cannot read file: {error.strerror or error}")
    return prepare_news_file(path.name, raw, max_bytes=max_bytes)


def import_seeds_if_empty(seeds_dir: Path, *, max_bytes: int) -> list[ImportOutcome] | None:
    """First-run convenience for `make run`: the seed articles, only into an empty database."""
    if db.session.scalar(select(Article.id).limit(1)) is not None:
        return None
    return list(import_paths([seeds_dir], max_bytes=max_bytes))
