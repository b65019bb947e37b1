"""A large JSONL export written by two processes, one per core, from one and the same snapshot.

JSONL is the format corpus releases are read in, and one Python process writes it at
about 25,000 paragraphs/s here (reading rows, building records, orjson). This
process forks a second one; each writes the records of half the articles, and the
second half is appended to the first. The bytes are those of the one-process export.

One snapshot for both. On PostgreSQL this process exports the snapshot of its
REPEATABLE READ transaction (`pg_export_snapshot`) and the second one adopts it
(`SET TRANSACTION SNAPSHOT`) before it reads. SQLite cannot share a read
transaction between processes, so this process takes the write lock
(`BEGIN IMMEDIATE`) while both processes begin their read transactions and read
once; no commit can fall between them. Writers wait only those few milliseconds
(the busy timeout covers it); readers never wait.

Used only where forking is safe and worth it: at least two cores, no other thread in
this process (the CLI, a benchmark; never the threaded web server, whose exports
stream), and at least PARALLEL_MIN_PARAGRAPHS paragraphs.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy.engine import Engine

from ...database import adopt_snapshot, export_snapshot
from ...extensions import db
from .corpus import Selection, paragraphs_per_article
from .formats import ExportReport, render

PARALLEL_MIN_PARAGRAPHS = 20_000
READY = b"R"


def may_fork() -> bool:
    return (hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1
            and db.engine.dialect.name in ("sqlite", "postgresql"))


@contextmanager
def write_lock(engine: Engine) -> Iterator:
    """The write lock (`BEGIN IMMEDIATE`) on a DB-API connection of its own, outside any session: no commit
    can happen until the block ends or `rollback()` is called on the connection it yields."""
    lock = engine.raw_connection()
    try:
        lock.cursor().execute("BEGIN IMMEDIATE")
        yield lock
    finally:
        lock.rollback()
        lock.close()


def halves(connection, selection: Selection, minimum: int) -> tuple[Selection, Selection] | None:
    """`selection` split at an article boundary near half its paragraphs; None when fewer than `minimum`."""
    per_article = paragraphs_per_article(connection, selection)
    total = sum(count for _, count in per_article)
    if total < minimum or len(per_article) < 2:
        return None
    running = 0
    for article_id, count in per_article[:-1]:  # noqa: B007 (article_id is read after the loop)
        running += count
        if running * 2 >= total:
            break
    low, high = selection.article_range
    return (replace(selection, article_range=(low, article_id)),
            replace(selection, article_range=(article_id + 1, high)))


def _write_half(connection, selection: Selection, part: Path, progress: Callable[[int], None] | None) -> ExportReport:
    """The JSONL of one half into `part` (JSONL has no header or footer: halves simply follow each other)."""
    half = ExportReport("jsonl")
    with open(part, "wb") as out:
        for parts in render("jsonl", selection, half, connection, progress=progress):
            out.write(parts.get("", b""))
    return half


def write_jsonl_in_two_processes(snapshot, selection: Selection, partial: Path, report: ExportReport,
                                 progress: Callable[[int], None] | None) -> bool:
    """Write the JSONL of `selection` (checked) to `partial` with a second process; False (nothing written)
    when the export is too small to split. `snapshot` opens a read transaction (a context manager)."""
    postgres = db.engine.dialect.name == "postgresql"
    # SQLite: no commit until both snapshots are taken. PostgreSQL: the second process adopts this one's.
    with nullcontext() if postgres else write_lock(db.engine) as lock, snapshot() as connection:
        split = halves(connection, selection, PARALLEL_MIN_PARAGRAPHS)  # this read begins the snapshot
        if split is None:
            return False
        shared = export_snapshot(connection) if postgres else None
        first, second = split
        second_part = partial.with_name(partial.name + "2")
        from_child, to_parent = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover (the child ends with os._exit; its work is checked by the parent)
            _child(snapshot, second, second_part, to_parent, from_child, shared)
        os.close(to_parent)
        try:
            with os.fdopen(from_child, "rb") as messages:
                first_byte = messages.read(1)
                if first_byte != READY:
                    said = json.loads(first_byte + messages.read() or b"{}").get("error", "no reason given")
                    raise RuntimeError(f"the second export process could not start: {said}")
                if lock is not None:
                    lock.rollback()  # both snapshots are taken: writers may go on
                mine = _write_half(connection, first, partial, progress)
                outcome = json.loads(messages.read() or b'{"error": "the second export process died"}')
            _, status = os.waitpid(child, 0)
            child = 0
            if "error" in outcome or status != 0:
                raise RuntimeError(f"exporting the second half failed: {outcome.get('error', status)}")
            _append(second_part, partial)
        finally:
            if child:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
            second_part.unlink(missing_ok=True)
    report.add(mine)
    report.add(ExportReport("jsonl", **outcome))
    if progress:
        progress(outcome["paragraphs"])
    return True


def _append(part: Path, to: Path) -> None:
    """`part` appended to `to`, copied by the kernel where it can (no pass through Python's buffers)."""
    with open(part, "rb") as source, open(to, "r+b") as target:  # copy_file_range refuses O_APPEND files
        target.seek(0, os.SEEK_END)
        remaining = os.fstat(source.fileno()).st_size
        try:
            while remaining > 0 and (copied := os.copy_file_range(source.fileno(), target.fileno(), remaining)):
                remaining -= copied
        except (AttributeError, OSError):  # not on this system or file system: Python copies the rest
            pass
        if remaining > 0:
            source.seek(os.lseek(source.fileno(), 0, os.SEEK_CUR))
            target.seek(os.lseek(target.fileno(), 0, os.SEEK_CUR))
            shutil.copyfileobj(source, target, 1 << 20)


def _child(snapshot, selection: Selection, part: Path, to_parent: int, from_child: int,
           shared: str | None) -> None:
    """The second process: its own connection, the parent's snapshot (`shared` on PostgreSQL; on SQLite
    taken while the parent holds the write lock), its half, its counts to the parent."""
    os.close(from_child)
    outcome: dict
    # The parent's connections stay the parent's: this process never uses them, nor frees them (freeing one
    # closes it, and a PostgreSQL connection says goodbye to the server on the socket both processes share).
    parents_pool = db.engine.pool  # noqa: F841 — kept until os._exit
    try:
        db.engine.dispose(close=False)
        with snapshot() as connection:
            if shared is None:
                connection.exec_driver_sql("SELECT 1 FROM paragraphs LIMIT 1")  # the snapshot is taken at a read
            else:
                adopt_snapshot(connection, shared)
            os.write(to_parent, READY)
            half = _write_half(connection, selection, part, None)
        outcome = {"paragraphs": half.paragraphs, "entities": half.entities, "links": half.links}
    except BaseException as error:  # noqa: BLE001 — reported to the parent, which raises it
        outcome = {"error": f"{type(error).__name__}: {error}"}
    try:
        os.write(to_parent, json.dumps(outcome).encode())
    finally:
        os._exit(0 if "error" not in outcome else 1)
