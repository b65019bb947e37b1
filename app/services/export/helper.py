"""A second process for large downloads, beside the web server.

The CLI splits a large JSONL export between two processes by forking (parallel.py).
A web server must not fork: it runs threads, and neither SQLite's locks nor a
PostgreSQL connection survive fork(). So each server process starts one helper process from multiprocessing's
fork server when it serves its first request. For a download of at least
`EXPORT_HELPER_MIN_PARAGRAPHS` paragraphs in a format whose halves concatenate
(JSONL, a CoNLL or Moses side: `Writer.halves_concatenate`), the helper writes
the second half of the articles to a temporary file while the request streams
the first half; then the request streams that file.

One snapshot for both, as in parallel.py: on SQLite the request holds the write
lock (`BEGIN IMMEDIATE`) while both read transactions begin (milliseconds); on
PostgreSQL the helper adopts the snapshot the request exports (`pg_export_snapshot`).

One download at a time uses the helper; another, or one that comes while the
helper is starting, is written by the request alone, as small ones are. A
download that finds the helper dead starts it again. If the helper fails midway, the request writes the rest itself from its own snapshot,
which it keeps open to the end: the bytes are the same whichever way they were
written. A download the client drops stops the helper's work and removes the file.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from multiprocessing.process import BaseProcess
from typing import Iterator

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from ...database import adopt_snapshot, engine_options, export_snapshot
from .corpus import Selection, checked, read_snapshot
from .formats import ExportReport, File
from .parallel import halves, write_lock

READY_SECONDS = 5.0  # the helper begins its read transaction in milliseconds; the write lock waits this at most
CANCEL_SECONDS = 10.0  # a dropped download: how long the helper may take to stop before it is killed
RETRY_SECONDS = 60.0  # after a helper failed to start, the next try waits this long
RELAY_BYTES = 1 << 20


@dataclass
class _Job:
    """The helper's half of one download: the file it writes and, once done, its report."""

    path: str
    report: ExportReport | None = None
    error: str | None = None


class ExportHelper:
    """This server process's helper process: started once in the background, lent to one download at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = threading.Lock()  # held by the download using the helper
        self._process: BaseProcess | None = None
        self._pipe: Pipe | None = None
        self._starter: threading.Thread | None = None
        self._retry_after = 0.0
        self.jobs_done = 0  # halves the helper wrote and a request streamed (the tests read it)

    def start_in_background(self) -> None:
        with self._lock:
            if self._alive() or self._starter is not None or time.monotonic() < self._retry_after:
                return
            self._starter = threading.Thread(target=self._start, name="mizan-export-helper-start", daemon=True)
            self._starter.start()

    @property
    def ready(self) -> bool:
        with self._lock:
            return self._alive()

    def _alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _start(self) -> None:
        process = pipe = None
        try:
            context = mp.get_context("forkserver")
            pipe, child_end = context.Pipe()
            process = context.Process(target=serve, args=(child_end,), name="mizan-export-helper", daemon=True)
            process.start()
            child_end.close()
            if not pipe.poll(60) or pipe.recv() != ("hello", process.pid):
                raise RuntimeError("the export helper did not start")
            print(f"Mizan export helper ready (pid {process.pid})", file=sys.stderr, flush=True)
        except Exception as error:  # noqa: BLE001 — downloads are then written by the request alone
            print(f"Mizan export helper failed to start: {error}", file=sys.stderr, flush=True)
            _stop(process, pipe)
            process = pipe = None
        with self._lock:
            self._process, self._pipe, self._starter = process, pipe, None
            if process is None:
                self._retry_after = time.monotonic() + RETRY_SECONDS

    def stop(self) -> None:
        """Stop the helper: after the download using it, if that ends within CANCEL_SECONDS."""
        with self._lock:
            starter = self._starter
        if starter is not None:
            starter.join()
        idle = self._busy.acquire(timeout=CANCEL_SECONDS)
        try:
            with self._lock:
                _stop(self._process, self._pipe)
                self._process = self._pipe = None
        finally:
            if idle:
                self._busy.release()

    def _lease(self) -> Pipe | None:
        """The helper's pipe, for this download alone, or None (busy, starting, or dead: then started again)."""
        if not self._busy.acquire(blocking=False):
            return None
        with self._lock:
            if self._alive():
                return self._pipe
        self._busy.release()
        self.start_in_background()
        return None

    def _give_back(self, healthy: bool) -> None:
        if not healthy:  # killed; started again by the next request
            with self._lock:
                _stop(self._process, self._pipe)
                self._process = self._pipe = None
        self._busy.release()

    def stream(self, engine: Engine, file: File, selection: Selection, report: ExportReport,
               minimum: int) -> Iterator[bytes]:
        """`file` of `selection`, written with the helper when it is free and the selection has `minimum`
        paragraphs; by this process alone otherwise. Decided at the first chunk."""
        pipe = self._lease()  # at the first chunk: a stream never read never holds the helper
        if pipe is None:
            with read_snapshot(engine) as connection:
                yield from file.chunks(checked(connection, selection), report, connection)
            return
        healthy, job = True, None
        try:
            postgres = engine.dialect.name == "postgresql"
            with read_snapshot(engine) as connection:
                # SQLite: no commit until both snapshots are taken. PostgreSQL: the helper adopts this one.
                with nullcontext() if postgres else write_lock(engine):
                    selection = checked(connection, selection)  # this read begins the request's snapshot
                    split = halves(connection, selection, minimum)
                    if split is not None:
                        job = _Job(_temporary_file())
                        database_url = engine.url.render_as_string(hide_password=False)
                        shared = export_snapshot(connection) if postgres else None
                        healthy = (_send(pipe, ("export", database_url, file, split[1], job.path, shared))
                                   and _ready(pipe))
                if split is None or job is None or not healthy:  # small, or the helper did not answer: all of it here
                    yield from file.chunks(selection, report, connection)
                    return
                first, second = split
                healthy = _send(pipe, ("go",))
                yield from file.chunks(first, report, connection)
                if healthy:
                    healthy = _wait_done(pipe, job)
                else:
                    job.error = "the helper process died"
                if job.report is not None:
                    with open(job.path, "rb") as written:
                        while block := written.read(RELAY_BYTES):
                            yield block
                    report.add(job.report)
                    self.jobs_done += 1
                else:  # the helper failed: the rest from this process's snapshot, the same bytes
                    print(f"Mizan export helper failed ({job.error}); this download goes on alone",
                          file=sys.stderr, flush=True)
                    rest = ExportReport(file.format)
                    yield from file.chunks(second, rest, connection)
                    report.add(rest)
        except GeneratorExit:  # the client went away
            if job is not None and job.report is None and job.error is None and healthy:
                healthy = _cancel(pipe)
            raise
        except BaseException:
            if job is not None and job.report is None and job.error is None:
                healthy = False
            raise
        finally:
            if job is not None:
                try:
                    os.unlink(job.path)
                except FileNotFoundError:
                    pass
            self._give_back(healthy)


def _temporary_file() -> str:
    descriptor, path = tempfile.mkstemp(prefix="mizan-export-", suffix=".part")
    os.close(descriptor)
    return path


def _send(pipe: Pipe, message: tuple) -> bool:
    try:
        pipe.send(message)
        return True
    except OSError:  # the helper died
        return False


def _ready(pipe: Pipe) -> bool:
    """True once the helper has taken its snapshot; False when it did not in time (it is then killed)."""
    try:
        return pipe.poll(READY_SECONDS) and pipe.recv() == ("ready",)
    except (OSError, EOFError):
        return False


def _wait_done(pipe: Pipe, job: _Job) -> bool:
    """The helper's outcome into `job`; False when the helper died."""
    try:
        message = pipe.recv()
    except (OSError, EOFError):
        job.error = "the helper process died"
        return False
    if message[0] == "done":
        job.report = message[1]
    else:
        job.error = message[1] if len(message) > 1 else repr(message)
    return True


def _cancel(pipe: Pipe) -> bool:
    """Stop the helper's work on a dropped download; False when it did not stop in time."""
    try:
        pipe.send(("cancel",))
        while pipe.poll(CANCEL_SECONDS):
            if pipe.recv()[0] in ("done", "cancelled", "error"):
                return True
    except (OSError, EOFError):
        pass
    return False


def _stop(process, pipe) -> None:
    if pipe is not None:
        pipe.close()  # the helper reads end of file and exits
    if process is not None:
        process.join(2)
        if process.is_alive():
            process.kill()
            process.join()


# --- the helper process --------------------------------------------------------------------------------------

class _Cancelled(Exception):
    pass


def serve(pipe: Pipe) -> None:
    """The helper's loop: for each job, begin a snapshot, say ready, wait for go, write the half, report."""
    engines: dict[str, Engine] = {}  # one per database (a test process has several apps)
    pipe.send(("hello", os.getpid()))
    while True:
        try:
            message = pipe.recv()
        except (EOFError, OSError):  # the server is gone
            return
        if message[0] != "export":
            continue  # a cancel that crossed a finished job
        _, database_url, file, selection, path, shared = message
        if database_url not in engines:
            # Importing this module loaded the app package, whose engine listener sets the SQLite pragmas.
            engines[database_url] = create_engine(database_url, **engine_options(database_url, {}, {}))
        try:
            pipe.send(_write_half(pipe, engines[database_url], file, selection, path, shared))
        except (EOFError, OSError):
            return


def _write_half(pipe: Pipe, engine: Engine, file: File, selection: Selection, path: str,
                shared: str | None) -> tuple:
    """One half into `path`, read in the request's snapshot: `shared` (PostgreSQL's id of it), or on SQLite
    the one this read transaction begins while the request holds the write lock."""
    try:
        with read_snapshot(engine) as connection:
            if shared is None:
                connection.exec_driver_sql("SELECT 1 FROM paragraphs LIMIT 1")  # the snapshot is taken at a read
            else:
                adopt_snapshot(connection, shared)
            pipe.send(("ready",))
            if pipe.recv() != ("go",):
                return ("cancelled",)
            report = ExportReport(file.format)
            with open(path, "wb") as out:
                for chunk in file.chunks(selection, report, connection):
                    out.write(chunk)
                    if pipe.poll() and pipe.recv() == ("cancel",):
                        raise _Cancelled
        return ("done", report)
    except _Cancelled:
        return ("cancelled",)
    except Exception as error:  # noqa: BLE001 — reported to the request, which writes the half itself
        return ("error", f"{type(error).__name__}: {error}")


export_helper = ExportHelper()
