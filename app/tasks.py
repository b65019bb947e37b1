"""The task queue (Huey): SQLite storage in the instance folder by default, Redis when configured.

The web process imports this module only to enqueue a job id. The consumer
that `make run` starts beside the web server runs the tasks:

    huey_consumer app.tasks.huey --workers 1

`MIZAN_QUEUE_URL=redis://host:6379/0` switches storage to Redis, for
workers on several machines.
"""
from __future__ import annotations

import os
from pathlib import Path

from huey import RedisHuey, SqliteHuey
from huey.storage import SqliteStorage

from .config import instance_path_from_env

TRANSLATION_RETRIES = 2
TRANSLATION_RETRY_DELAY = 10  # seconds
JOBS_PER_RUN = 16  # queued jobs of one model translated together (see mt.run_translation_jobs)


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
def translate_article_task(job_id: int) -> str:
    from .services import mt, mt_engine

    app = worker_app()
    with app.app_context():
        job_ids = mt.claim_jobs(job_id, limit=JOBS_PER_RUN)
        if not job_ids:
            return "already done or running"
        options = mt_engine.EngineOptions.from_config(app.config)
        try:
            jobs = mt.run_translation_jobs(
                job_ids, app.instance_path, lambda package: mt_engine.get_translator(package, options)
            )
        except Exception as error:
            mt.fail_jobs(job_ids, f"{type(error).__name__}: {error}")  # so that the retry can claim them
            raise
        own = jobs[0]  # claim_jobs puts the task's own job first
        if own.status == "failed":
            raise ParagraphsFailed(own.error)  # Huey retries this task; the other jobs have their own tasks
        return own.status
