"""The task queue (Huey): SQLite storage in the instance folder by default, Redis when configured.

The web process imports this module only to enqueue a job id. The consumer
that `make run` starts beside the web server runs the tasks:

    huey_consumer app.tasks.huey --workers 1

`MIZAN_QUEUE_URL=redis://host:6379/0` switches storage to Redis, for
workers on several machines. Each worker takes only jobs of the models
installed in its own instance folder; a job for another model is left for a
worker that has it (docs/architecture.md, "The job lifecycle").
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab
from huey.storage import SqliteStorage

from .config import instance_path_from_env

TRANSLATION_RETRIES = 2
TRANSLATION_RETRY_DELAY = 10  # seconds
JOBS_PER_RUN = 16  # queued jobs of one model translated together (see mt.run_translation_jobs)
# A worker without a job's model hands the job back to the queue after this long, for a worker that has
# it; when none has taken it within MODEL_WAIT_SECONDS, the job fails, saying which model is missing.
MODEL_RETRY_DELAY = 5  # seconds
MODEL_WAIT_SECONDS = 600


QUEUE_FILE = "queue.sqlite"


def _redis_url() -> str | None:
    url = os.environ.get("MIZAN_QUEUE_URL", "")
    return url if url.startswith(("redis://", "rediss://", "unix://")) else None


def make_huey():
    if _redis_url():
        return RedisHuey("mizan", url=_redis_url())
    instance = instance_path_from_env()
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("mizan", filename=str(instance / QUEUE_FILE))


huey = make_huey()


def use_instance_queue(instance_path: str | Path) -> None:
    """Point the queue at this app's instance folder (the consumer finds it the same way)."""
    if _redis_url() is None:
        huey.storage = SqliteStorage("mizan", filename=str(Path(instance_path) / QUEUE_FILE))
_worker_app = None


def worker_app():
    """The Flask app of this worker process, created once."""
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    return _worker_app


class ParagraphsFailed(RuntimeError):
    """Raised so Huey retries a job whose paragraphs did not all translate."""


@huey.task(retries=TRANSLATION_RETRIES, retry_delay=TRANSLATION_RETRY_DELAY)
def translate_article_task(job_id: int, waiting_since: float | None = None) -> str:
    from .services import mt, mt_engine
    from .services.job_leases import Lease
    from .services.mt_packages import find_package

    app = worker_app()
    with app.app_context():
        model_id = mt.model_of_waiting_job(job_id)
        if model_id is None:
            return "already done or running"
        if mt_engine.missing_engine_modules() or find_package(app.instance_path, model_id) is None:
            return _leave_for_a_worker_with(model_id, job_id, waiting_since)  # a web-tier consumer, too
        lease = Lease.from_config(app.config)
        job_ids = mt.claim_jobs(job_id, limit=JOBS_PER_RUN, lease=lease)
        if not job_ids:
            return "already done or running"
        options = mt_engine.EngineOptions.from_config(app.config)
        try:
            jobs = mt.run_translation_jobs(
                job_ids, app.instance_path, lambda package: mt_engine.get_translator(package, options), lease=lease
            )
        except Exception as error:
            mt.fail_jobs(job_ids, f"{type(error).__name__}: {error}")  # so that the retry can claim them
            raise
        own = jobs[0]  # claim_jobs puts the task's own job first
        if own.status == "failed":
            raise ParagraphsFailed(own.error)  # Huey retries this task; the other jobs have their own tasks
        return own.status


def _leave_for_a_worker_with(model_id: str, job_id: int, waiting_since: float | None) -> str:
    """This worker lacks the job's model (or any engine: a web-tier install): queue the task again, for a
    worker that has it, or fail the job once none has taken it for MODEL_WAIT_SECONDS."""
    from .services import mt

    waiting_since = waiting_since or time.time()
    if time.time() - waiting_since >= MODEL_WAIT_SECONDS:
        mt.fail_waiting_job(job_id, (
            f"no translation worker with model {model_id} took it within {MODEL_WAIT_SECONDS // 60} minutes: "
            "install the model on a worker (flask --app wsgi mt install FILE.argosmodel), then translate again"))
        return "failed: no worker has the model"
    translate_article_task.schedule((job_id, waiting_since), delay=MODEL_RETRY_DELAY)
    return f"left for a worker with model {model_id}"


MAIL_RETRIES = 3
MAIL_RETRY_DELAY = 60  # seconds


@huey.task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY)
def send_notification_mail(notification_ids: list[int]) -> int:
    """Mail these notifications to their recipients who have an address (services/mail.py); queued by
    services/notifications.py after the commit of the change they tell of. A failure is retried."""
    from .services import mail

    app = worker_app()
    with app.app_context():
        if not app.config.get("SMTP_URL"):
            return 0
        messages = mail.messages_for(notification_ids, sender=app.config["MAIL_FROM"],
                                     base_url=app.config["BASE_URL"])
        mail.send(messages, mail.SmtpSettings.from_url(app.config["SMTP_URL"]))
    return len(messages)


@huey.periodic_task(crontab(minute="*"))
def requeue_abandoned_translations() -> list[int]:
    """Every minute, on every worker: jobs whose worker died go back to the queue (services/job_leases.py)."""
    from .services.job_leases import requeue_abandoned_jobs

    app = worker_app()
    with app.app_context():
        job_ids = requeue_abandoned_jobs(app.config["TRANSLATION_JOB_MAX_ATTEMPTS"])
    for job_id in job_ids:
        translate_article_task(job_id)
    return job_ids


@huey.on_startup()
def requeue_abandoned_translations_at_start() -> None:
    """A worker starting again after a crash need not wait a minute to take back what the crash left."""
    requeue_abandoned_translations.call_local()
