"""Importing Arabic news files: one file, one article, never half of one.

The parsing and cleaning rules live in `news_text`; this module stores the
result next to the untouched raw bytes and their SHA-256, which makes a
second import of the same file a reported no-op.

Transactions. Every file is all-or-nothing: its article, paragraphs and
audit event are written together or not at all, and a file is reported
"imported" only once its rows are committed. To import thousands of files
quickly, consecutive files share a commit (a *batch*, at most
`WRITE_BATCH_MAX_FILES` files and about `WRITE_BATCH_MAX_PARAGRAPHS`
paragraphs, so the write lock is held for under a tenth of a second). If
anything goes wrong while writing a batch, the whole batch is rolled back
and its files are stored again one transaction each, so one failing file
never takes another with it: the files before it are committed, it leaves
no row, and its error is raised as before. A crash or a kill mid-batch
loses only files not yet reported; importing the same paths again stores
them and reports the others as already imported.
"""
from __future__ import annotations

import functools
import multiprocessing as mp
import os
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import count as count_from, repeat
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..database import copy_rows
from ..extensions import db
from ..models import Article, AuditEvent, Paragraph, User, utcnow
from . import news_text
from .news_text import NewsTextParts, ParsedArticle
from .rows import driver_connection
from .user_text import FORBIDDEN

# Below this many files, handing them to the parse workers costs more than it saves.
PARALLEL_IMPORT_MIN_FILES = 16
MAX_PARSE_WORKERS = 3
PARSE_CHUNK_FILES = 8  # files per task sent to a parse worker
PARSE_CHUNKS_AHEAD = 64  # tasks handed to the workers ahead of the writer (two batches)
PARSE_POOL_RETRY_SECONDS = 60  # after the workers failed to start
# One commit for this many files at most, and for about this many paragraphs: about 80 ms of writing on a
# small VM, during which a reviewer's save waits. Fewer, larger commits write each index page fewer times.
WRITE_BATCH_MAX_FILES = 256
WRITE_BATCH_MAX_PARAGRAPHS = 8000

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


class PreparedFile(NamedTuple):
    """A file read, hashed and parsed — everything that needs no database (a tuple: cheap to pickle)."""

    filename: str
    raw: bytes
    checksum: str
    parts: NewsTextParts | None  # None when refused
    refusal: str | None

    @property
    def parsed(self) -> ParsedArticle | None:
        return None if self.parts is None else self.parts.article()


def prepare_news_file(filename: str, raw: bytes, *, max_bytes: int) -> PreparedFile:
    return _prepared(filename, raw, *news_text.prepare_bytes(raw, max_bytes))


def _prepared(filename: str, raw: bytes, checksum: str, parts: tuple | None, refusal: str | None) -> PreparedFile:
    return PreparedFile(filename, raw, checksum, None if parts is None else _fitted(NewsTextParts(*parts)), refusal)


# The lengths of the article's columns (models/articles.py), checked here so that no database refuses a file.
MAX_SOURCE_CHARS = Article.__table__.c.source.type.length
MAX_FILENAME_CHARS = Article.__table__.c.original_filename.type.length


def _fitted(parts: NewsTextParts) -> NewsTextParts:
    """A source credit longer than its column is clipped, and said so: the credit line keeps it whole."""
    if parts.source is None or len(parts.source) <= MAX_SOURCE_CHARS:
        return parts
    notes = [*parts.notes, f"source credit clipped to {MAX_SOURCE_CHARS} characters (the credit line keeps it whole)"]
    return parts._replace(source=parts.source[:MAX_SOURCE_CHARS - 1] + "…", notes=notes)


def stored_filename(filename: str) -> str:
    """The file name as stored: without characters no text may carry, and, when longer than its column,
    its start and its extension (the full name is in the import report)."""
    name = FORBIDDEN.sub("", filename)
    if len(name) <= MAX_FILENAME_CHARS:
        return name
    _, dot, extension = name.rpartition(".")
    tail = (dot + extension) if dot and len(extension) <= 16 else ""
    return name[:MAX_FILENAME_CHARS - 1 - len(tail)] + "…" + tail


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
    conversions: tuple[tuple[int, Callable], ...]  # (column index, bind processor), for the columns that have one

    def parameters(self, values: Sequence) -> tuple | dict:
        values = self.values(values)
        return values if self.positional else dict(zip(self.columns, values))

    def values(self, values: Sequence) -> tuple:
        """The values as the driver takes them, in column order (each converted by its bind processor)."""
        if self.conversions:
            values = list(values)
            for index, process in self.conversions:
                values[index] = process(values[index])
        return tuple(values)

    @property
    def plain(self) -> bool:
        """Positional parameters that need no conversion: rows can be passed as they are."""
        return self.positional and not self.conversions


@functools.lru_cache(maxsize=16)
def _driver_insert(table, columns: tuple[str, ...], dialect, returning: str | None = None) -> _DriverInsert:
    statement = insert(table).returning(table.c[returning]) if returning else insert(table).inline()
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    if compiled.positional:
        assert tuple(compiled.positiontup or ()) == columns, compiled.positiontup
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    conversions = tuple((index, process) for index, process in enumerate(processors) if process is not None)
    return _DriverInsert(str(compiled), columns, compiled.positional, conversions)


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
    db.session.rollback()  # end the read transaction before writing
    return found


def _already(filename: str, article_id: int) -> ImportOutcome:
    return ImportOutcome(filename, ALREADY_IMPORTED, f"same file as article {article_id}", article_id)


def _parts_of(prepared: PreparedFile) -> NewsTextParts:
    """The parsed parts of a file being stored (a refused file, without parts, is never stored)."""
    if prepared.parts is None:
        raise ValueError(f"{prepared.filename} was refused: there is nothing to store")
    return prepared.parts


def _imported(prepared: PreparedFile, article_id: int) -> ImportOutcome:
    parts = _parts_of(prepared)
    return ImportOutcome(prepared.filename, IMPORTED, f"article {article_id}: {len(parts.texts)} paragraphs",
                         article_id, len(parts.texts), tuple(parts.notes))


class _Statements(NamedTuple):
    article: _DriverInsert
    paragraph: _DriverInsert
    audit: _DriverInsert


@functools.lru_cache(maxsize=4)
def _statements(dialect) -> _Statements:
    return _Statements(
        _driver_insert(Article.__table__, ARTICLE_COLUMNS, dialect, returning="id"),
        _driver_insert(Paragraph.__table__, PARAGRAPH_COLUMNS, dialect),
        _driver_insert(AuditEvent.__table__, AUDIT_COLUMNS, dialect),
    )


def _article_values(prepared: PreparedFile, actor_id: int | None, now) -> tuple:
    parts = _parts_of(prepared)
    return (parts.title, parts.source, parts.published, stored_filename(prepared.filename), prepared.raw,
            prepared.checksum, "new", actor_id, now, now)


def _audit_values(prepared: PreparedFile, article_id: int, actor_id: int | None, now) -> tuple:
    details = {"filename": stored_filename(prepared.filename), "checksum": prepared.checksum,
               "paragraphs": len(_parts_of(prepared).texts)}
    return (actor_id, "article.import", "article", article_id, details, now)


def _paragraph_values(article_id: int, parts: NewsTextParts) -> Iterator[tuple]:
    """The values of PARAGRAPH_COLUMNS for each paragraph of an article (built in C)."""
    return zip(repeat(article_id), count_from(), parts.kinds, parts.texts, repeat("draft"), repeat(1))


def _paragraph_rows(statement: _DriverInsert, article_id: int, parts: NewsTextParts) -> Iterable:
    if statement.plain:  # SQLite: the rows as they are
        return _paragraph_values(article_id, parts)
    return [statement.parameters(values) for values in _paragraph_values(article_id, parts)]


def store_prepared_file(
    prepared: PreparedFile, *, actor: User | None = None, actor_id: int | None = None, existing_id=_NOT_LOOKED_UP
) -> ImportOutcome:
    """Store one prepared file as one article, in its own transaction.

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
        return _already(filename, existing_id)
    if prepared.parts is None:
        db.session.rollback()
        return ImportOutcome(filename, REFUSED, prepared.refusal or "unreadable file")
    connection = db.session.connection()
    statements, now = _statements(connection.dialect), utcnow()
    try:
        # Through SQLAlchemy, so that database errors arrive as SQLAlchemy's exceptions.
        article_id = connection.exec_driver_sql(
            statements.article.sql, statements.article.parameters(_article_values(prepared, actor_id, now))
        ).scalar_one()
        connection.exec_driver_sql(statements.paragraph.sql,
                                   list(_paragraph_rows(statements.paragraph, article_id, prepared.parts)))
        connection.exec_driver_sql(statements.audit.sql,
                                   statements.audit.parameters(_audit_values(prepared, article_id, actor_id, now)))
        db.session.commit()
    except IntegrityError:
        # Another importer stored the same file between our check and our insert.
        db.session.rollback()
        existing_id = db.session.scalar(select(Article.id).where(Article.checksum == checksum))
        if existing_id is None:
            raise
        return _already(filename, existing_id)
    except BaseException:
        db.session.rollback()
        raise
    return _imported(prepared, article_id)


def _store_batch(batch: Sequence[PreparedFile], actor_id: int | None) -> list[ImportOutcome] | None:
    """Store files in order with one commit (see the module docstring): their outcomes, in the same order.

    Refused files and files already imported (before, or earlier in this
    batch) write nothing. Returns None, after rolling back, if anything
    failed while writing: the caller then stores the files one by one.
    """
    existing = existing_article_ids(p.checksum for p in batch if p.checksum)
    outcomes: list[ImportOutcome | None] = [None] * len(batch)
    to_write: list[int] = []
    first_copy: dict[str, int] = {}  # checksum -> index of its first copy in this batch
    stored_as: dict[str, int] = {}  # checksum -> the article id its first copy was stored as
    for index, prepared in enumerate(batch):
        existing_id = existing.get(prepared.checksum) if prepared.checksum else None
        if existing_id is not None:
            outcomes[index] = _already(prepared.filename, existing_id)
        elif prepared.parts is None:
            outcomes[index] = ImportOutcome(prepared.filename, REFUSED, prepared.refusal or "unreadable file")
        elif prepared.checksum not in first_copy:
            first_copy[prepared.checksum] = index
            to_write.append(index)
        # else: the same file twice in this batch, "already imported" once the first copy is stored
    if to_write:
        article_ids = _write_batch([batch[i] for i in to_write], actor_id)
        if article_ids is None:
            return None
        for index, article_id in zip(to_write, article_ids):
            outcomes[index] = _imported(batch[index], article_id)
            stored_as[batch[index].checksum] = article_id
    # The other copies of a file stored in this batch: "already imported" as its first copy's article.
    return [outcome if outcome is not None else _already(prepared.filename, stored_as[prepared.checksum])
            for outcome, prepared in zip(outcomes, batch)]


def _write_batch(files: list[PreparedFile], actor_id: int | None) -> list[int] | None:
    """Insert the files and commit: their article ids; None, after a rollback, if anything failed.

    Straight through the database driver (SQLAlchemy's per-statement work
    would cost more than the inserts). On SQLite, one INSERT per article
    (for its id), one executemany for all the paragraphs and one for all
    the audit events of the batch; on PostgreSQL one COPY for each of the
    three tables, the article ids reserved from their sequence first
    (`database.copy_rows`).
    """
    session = db.session
    try:
        connection = session.connection()
        statements, now = _statements(connection.dialect), utcnow()
        cursor = driver_connection(connection).cursor()
        try:
            if connection.dialect.name == "postgresql":
                article_ids = _copy_batch(cursor, statements, files, actor_id, now)
            else:
                article_ids = _insert_batch(cursor, statements, files, actor_id, now)
        finally:
            cursor.close()
        session.commit()
    except Exception:  # noqa: BLE001 — whichever file it was, storing them one by one tells which and why
        session.rollback()
        return None
    except BaseException:
        session.rollback()
        raise
    return article_ids


def _insert_batch(cursor, statements: _Statements, files: list[PreparedFile], actor_id: int | None,
                  now) -> list[int]:
    article, paragraph, audit = statements
    article_ids: list[int] = []
    paragraph_rows: list[tuple | dict] = []
    audit_rows: list[tuple | dict] = []
    for prepared in files:
        cursor.execute(article.sql, article.parameters(_article_values(prepared, actor_id, now)))
        article_id = cursor.fetchone()[0]
        article_ids.append(article_id)
        paragraph_rows.extend(_paragraph_rows(paragraph, article_id, _parts_of(prepared)))
        audit_rows.append(audit.parameters(_audit_values(prepared, article_id, actor_id, now)))
    cursor.executemany(paragraph.sql, paragraph_rows)
    cursor.executemany(audit.sql, audit_rows)
    return article_ids


def _copy_batch(cursor, statements: _Statements, files: list[PreparedFile], actor_id: int | None,
                now) -> list[int]:
    """The batch with three COPYs (PostgreSQL): the same rows and values as `_insert_batch` writes."""
    article, paragraph, audit = statements
    article_ids = copy_rows(cursor, Article.__table__, ARTICLE_COLUMNS,
                            [article.values(_article_values(prepared, actor_id, now)) for prepared in files],
                            new_ids=True)
    paragraph_rows = [values for article_id, prepared in zip(article_ids, files)
                      for values in _paragraph_values(article_id, _parts_of(prepared))]
    if paragraph.conversions:
        paragraph_rows = [paragraph.values(values) for values in paragraph_rows]
    copy_rows(cursor, Paragraph.__table__, PARAGRAPH_COLUMNS, paragraph_rows)
    copy_rows(cursor, AuditEvent.__table__, AUDIT_COLUMNS,
              [audit.values(_audit_values(prepared, article_id, actor_id, now))
               for article_id, prepared in zip(article_ids, files)])
    return article_ids


def _path_order(path: Path) -> tuple[str, ...]:
    return path.parts  # the order of sorted(paths), without a Python-level comparison per pair


def collect_import_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every *.txt under named folders, in a stable order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted((p for p in path.rglob("*.txt") if p.is_file()), key=_path_order))
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
    """Import files and folders in order (the CLI). Outcomes are yielded as their files are committed."""
    files = collect_import_files(paths)
    results = _prepare_in_order("path", [(str(path), max_bytes) for path in files])
    # A file that could not be read is reported by its full path, the others by their name.
    prepared = (_prepared(path.name if result[1] else str(path), *result) for path, result in zip(files, results))
    yield from _store_in_order(prepared, actor, on_outcome)


def import_uploads(
    uploads: Sequence[tuple[str, bytes]], *, max_bytes: int, actor: User | None = None
) -> list[ImportOutcome]:
    """Import (filename, content) pairs in order (the web upload)."""
    refusals = [_upload_refusal(name, raw, max_bytes) for name, raw in uploads]
    # The workers get the bytes to parse and send back the rest (this process has the bytes).
    results = _prepare_in_order("bytes", [(raw, max_bytes) for (_, raw), refusal in zip(uploads, refusals)
                                          if refusal is None])
    prepared = (PreparedFile(name, b"", "", None, refusal) if refusal is not None else _prepared(name, raw, *next(results))
                for (name, raw), refusal in zip(uploads, refusals))
    return list(_store_in_order(prepared, actor, None))


def _upload_refusal(filename: str, raw: bytes, max_bytes: int) -> str | None:
    if not filename.lower().endswith(".txt"):
        return "only .txt files are accepted"
    if len(raw) > max_bytes:
        return f"file is larger than the limit ({len(raw):,} > {max_bytes:,} bytes)"
    return None


def _batches(prepared_files: Iterable[PreparedFile]) -> Iterator[list[PreparedFile]]:
    batch: list[PreparedFile] = []
    paragraphs = 0
    for prepared in prepared_files:
        batch.append(prepared)
        paragraphs += len(prepared.parts.texts) if prepared.parts is not None else 0
        if len(batch) >= WRITE_BATCH_MAX_FILES or paragraphs >= WRITE_BATCH_MAX_PARAGRAPHS:
            yield batch
            batch, paragraphs = [], 0
    if batch:
        yield batch


def _store_in_order(
    prepared_files: Iterable[PreparedFile], actor: User | None, on_outcome: Callable[[ImportOutcome], None] | None
) -> Iterator[ImportOutcome]:
    # Read once: every commit expires the actor, and reloading it costs a query.
    actor_id = actor.id if actor is not None else None
    for batch in _batches(prepared_files):
        stored = _store_batch(batch, actor_id)
        # None: the batch was rolled back; each file on its own, reported as it is committed.
        outcomes = stored if stored is not None else (store_prepared_file(p, actor_id=actor_id) for p in batch)
        for outcome in outcomes:
            if on_outcome is not None:
                on_outcome(outcome)
            yield outcome


# --- parsing beside the writer ---------------------------------------------------------------------------

def _parse_workers() -> int:
    return min((os.cpu_count() or 1) - 1, MAX_PARSE_WORKERS)


# The parse workers load news_text.py on its own, under this name: not importing the application (half a
# second) makes them ready in a tenth of a second. This process loads it the same way, so that the function
# it hands them pickles by that name.
_WORKER_MODULE = "mizan_parse_worker"
_LOAD_WORKER_MODULE = """
import importlib.util, sys
if name not in sys.modules:
    spec = importlib.util.spec_from_file_location(name, path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
"""


# A worker waits on its task queue, which it holds both ends of: a server killed outright (SIGKILL, or SIGTERM
# to it alone) would leave it, and the fork server it keeps alive, behind. So each worker leaves once the
# process that started it is gone.
_LEAVE_WITH_THE_SERVER = """
import os, threading, time
def leave_with(pid):
    while True:
        time.sleep(1)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
threading.Thread(target=leave_with, args=(server_pid,), name="mizan-parse-worker-watch", daemon=True).start()
"""


def _worker_module_arguments() -> dict:
    return {"name": _WORKER_MODULE, "path": news_text.__file__}


_worker_module_lock = threading.Lock()


def _worker_prepare() -> Callable:
    """news_text.prepare_for_import, as the parse workers know it."""
    with _worker_module_lock:  # loaded once: a second copy's functions would not pickle
        # A constant of this module (it loads news_text.py under a fixed name), never input.
        exec(_LOAD_WORKER_MODULE, _worker_module_arguments())  # noqa: S102  # nosec B102
        return sys.modules[_WORKER_MODULE].prepare_for_import


class _ParsePool:
    """This process's parse workers, forked from a fork server — never from a threaded web server.

    Workers only ever parse. They start in a background thread; meanwhile
    the importing process parses the files itself.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._starter: threading.Thread | None = None
        self._retry_after = 0.0  # time.monotonic() before which a failed start is not tried again

    def executor(self) -> ProcessPoolExecutor | None:
        """The pool once its workers are up; until then None (and they are being started)."""
        with self._lock:
            if self._executor is None and self._starter is None and time.monotonic() >= self._retry_after:
                self._starter = threading.Thread(target=self._start, name="mizan-parse-pool-start")
                self._starter.start()
            return self._executor

    def _start(self) -> None:
        workers = _parse_workers()
        executor = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("forkserver"),
                                       initializer=exec,
                                       initargs=(_LOAD_WORKER_MODULE + _LEAVE_WITH_THE_SERVER,
                                                 {**_worker_module_arguments(), "server_pid": os.getpid()}))
        ready: ProcessPoolExecutor | None = executor
        try:
            for started in [executor.submit(os.getpid) for _ in range(workers)]:  # each submit starts a worker
                started.result()
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            ready = None  # imports parse in their own process meanwhile
        with self._lock:
            if self._starter is threading.current_thread():
                self._executor, self._starter = ready, None
                if ready is None:
                    self._retry_after = time.monotonic() + PARSE_POOL_RETRY_SECONDS
                return
        if ready is not None:  # shut down while starting
            ready.shutdown(wait=True)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            executor, starter = self._executor, self._starter
            self._executor = self._starter = None
            self._retry_after = 0.0
        if starter is not None and wait:
            starter.join()
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)


_parse_pool = _ParsePool()


def shutdown_parse_pool() -> None:
    """Stop the parse workers (they otherwise live as long as the process)."""
    _parse_pool.shutdown()


def _prepare_in_order(task: str, argument_tuples: list[tuple]) -> Iterator[tuple]:
    """news_text.prepare_for_import(task, argument_tuples), lazily; with many files, mostly in the workers.

    Parsing needs no database, so it runs beside the writes, on the cores
    the writing process leaves free. This process parses a chunk of files
    itself whenever no worker has started on it: while the workers are
    starting up, or when they fall behind.
    """
    if (len(argument_tuples) < PARALLEL_IMPORT_MIN_FILES or _parse_workers() < 1
            or "forkserver" not in mp.get_all_start_methods()):
        return iter(news_text.prepare_for_import(task, argument_tuples))
    return _prepare_in_workers(task, argument_tuples)


def _prepare_in_workers(task: str, argument_tuples: list[tuple]) -> Iterator[tuple]:
    prepare = _worker_prepare()
    chunks = [argument_tuples[i:i + PARSE_CHUNK_FILES] for i in range(0, len(argument_tuples), PARSE_CHUNK_FILES)]
    futures: dict[int, Future] = {}  # chunks handed to the workers
    done_here: dict[int, list] = {}  # chunks this process took back from them and parsed
    offered = 0  # chunks before this one were handed to the workers (or parsed here)
    try:
        for index in range(len(chunks)):
            executor = _parse_pool.executor()
            offered = max(offered, index)
            try:
                while executor is not None and offered < min(len(chunks), index + PARSE_CHUNKS_AHEAD):
                    futures[offered] = executor.submit(prepare, task, chunks[offered])
                    offered += 1
            except (RuntimeError, BrokenProcessPool):  # the pool broke or was shut down: parse here
                _parse_pool.shutdown(wait=False)
            results = done_here.pop(index, None)
            future = futures.pop(index, None)
            if results is None and future is not None and not future.cancel():
                # A worker has it. Rather than wait, parse the furthest chunk no worker has started yet.
                while not future.done() and (later := _last_pending(futures)) is not None:
                    done_here[later] = news_text.prepare_for_import(task, chunks[later])
                try:
                    results = future.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory): go on without the pool
                    _parse_pool.shutdown(wait=False)
                    results = news_text.prepare_for_import(task, chunks[index])
            elif results is None:  # no worker has it: parse it here
                results = news_text.prepare_for_import(task, chunks[index])
            chunks[index] = []  # let the arguments (upload bytes) go
            yield from results
    finally:  # the caller may stop early (an error while writing): drop what is still queued
        for future in futures.values():
            future.cancel()


def _last_pending(futures: dict[int, Future]) -> int | None:
    """The highest chunk whose task no worker has started, now taken back from them (its future cancelled)."""
    for index in sorted(futures, reverse=True):
        if futures[index].cancel():
            del futures[index]
            return index
    return None


def import_seeds_if_empty(seeds_dir: Path, *, max_bytes: int) -> list[ImportOutcome] | None:
    """First-run convenience for `make run`: the seed articles, only into an empty database."""
    if db.session.scalar(select(Article.id).limit(1)) is not None:
        return None
    return list(import_paths([seeds_dir], max_bytes=max_bytes))
