"""Leases on running translation jobs, so that a job outlives the worker that died running it.

A worker that takes a job (mt.claim_jobs) holds a lease on it: the job names
the worker (`host:pid`) and when the lease runs out. While the worker runs the
job, a `Heartbeat` thread renews the lease every third of its length, so a
long batch or a slow model load never loses it. A job still `running` after
its lease ran out lost its worker (killed, out of memory, machine gone):
`requeue_abandoned_jobs` puts it back to `queued` with the same id (so the page
following it keeps following it) and the caller hands it to the queue again.
Every worker sweeps at start and every minute (app/tasks.py), so the job
finishes without an admin. A job abandoned `max_attempts` times is failed
instead, saying so: something in it kills workers, and a person must look.

If a slow worker was only late, two workers may run the same job for a while;
that costs time, never data: a paragraph gets one machine draft per model
(the unique index uq_translations_machine_draft; mt.store_machine_drafts).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping, cast

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import CursorResult, Engine

from ..extensions import db
from ..models import TranslationJob, utcnow
from .audit import record_event

log = logging.getLogger(__name__)
RENEWALS_PER_LEASE = 3


def this_worker() -> str:
    """How a job names the process holding it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


@dataclass(frozen=True)
class Lease:
    seconds: float
    worker: str

    @classmethod
    def from_config(cls, config: Mapping) -> "Lease":
        return cls(float(config["TRANSLATION_JOB_LEASE_SECONDS"]), this_worker())

    def taken_now(self) -> dict:
        """The columns of a job this worker has just taken or renewed."""
        return {"worker": self.worker, "lease_expires_at": utcnow() + timedelta(seconds=self.seconds)}


def lease_ran_out(now):
    """A running job whose worker stopped renewing its lease."""
    return and_(TranslationJob.status == "running",
                or_(TranslationJob.lease_expires_at.is_(None), TranslationJob.lease_expires_at < now))


class Heartbeat:
    """Renews this worker's lease on its jobs from a thread of its own while the `with` block runs.

    It writes through its own connection (the worker's session may be in the middle of a
    chunk) and only where the job is still this worker's: a job taken over by another worker
    after a missed renewal stays with that one.
    """

    def __init__(self, engine: Engine, job_ids: list[int], lease: Lease):
        self.engine, self.job_ids, self.lease = engine, list(job_ids), lease
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mizan-job-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(self.lease.seconds / RENEWALS_PER_LEASE):
            try:
                self.renew()
            except Exception:  # noqa: BLE001 — a database hiccup must not stop the translation; next beat retries
                log.exception("could not renew the lease on translation jobs %s", self.job_ids)

    def renew(self) -> int:
        with self.engine.begin() as connection:
            return connection.execute(
                update(TranslationJob)
                .where(TranslationJob.id.in_(self.job_ids), TranslationJob.status == "running",
                       TranslationJob.worker == self.lease.worker)
                .values(lease_expires_at=self.lease.taken_now()["lease_expires_at"])
            ).rowcount


def requeue_abandoned_jobs(max_attempts: int) -> list[int]:
    """Put every running job whose lease ran out back in the queue (or fail it after `max_attempts`
    workers died on it): the ids to hand to the task queue again. Each job is moved by a conditional
    UPDATE, so two workers sweeping at once requeue it once."""
    now = utcnow()
    requeued = []
    for job_id, attempts, worker in db.session.execute(
        select(TranslationJob.id, TranslationJob.attempts, TranslationJob.worker)
        .where(lease_ran_out(now)).order_by(TranslationJob.id)
    ).all():
        if attempts >= max_attempts:
            values = {"status": "failed", "finished_at": now, "error": (
                f"its worker stopped answering {attempts} times (killed, or its machine lost; last {worker}); "
                "not tried again: translate it again once the cause is found")[:500]}
        else:
            values = {"status": "queued"}
        moved = cast(CursorResult, db.session.execute(  # an UPDATE's result: Session.execute says only Result
            update(TranslationJob).where(TranslationJob.id == job_id, lease_ran_out(now))
            .values(worker=None, lease_expires_at=None, **values)
        )).rowcount
        if moved:
            record_event(None, "translation_job.abandoned", "translation_job", job_id,
                         before={"status": "running", "worker": worker}, after={"status": values["status"]})
            if values["status"] == "queued":
                requeued.append(job_id)
    db.session.commit()
    return requeued
