"""Machine drafts: queueing an article's translation, running it, storing each draft as a revision.

The web process only creates jobs and enqueues their ids; the worker (or
`flask mt translate` in the foreground) runs them with `run_translation_job`.
Work is committed in chunks, so a worker killed mid-article loses nothing
already translated, and running the job again only does what is missing;
the job itself goes back to the queue when its worker's lease runs out
(job_leases.py). Drafts are reused across paragraphs with the same Arabic
text and model, and a paragraph never gets two drafts from one model.
"""
from __future__ import annotations

import hashlib
from typing import Callable, NamedTuple, Protocol, Sequence, cast

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from ..database import insert_ignoring_duplicates, is_unique_violation
from ..extensions import db
from ..models import ACTIVE_JOB_STATUSES, Article, Paragraph, Translation, TranslationJob, User, utcnow
from . import Conflict, ServiceError, chunked
from .audit import record_event
from .job_leases import Heartbeat, Lease, lease_ran_out
from .mt_packages import InstalledPackage, find_package
from .paragraph_qa import refresh_qa
from .workflow import LOCKED_FOR_EVERYONE

NO_MODEL_MESSAGE = (
    "No machine translation model is installed. An admin can install an Argos package "
    "(.argosmodel) on the Models page, or run `flask --app wsgi mt install FILE.argosmodel`."
)
CHUNK_SIZE = 32  # paragraphs translated and committed together


class Translator(Protocol):
    engine: str
    engine_version: str

    @property
    def model_id(self) -> str: ...  # read-only: a package translator's comes from its package

    def translate(self, paragraphs: Sequence[str]) -> list[str]: ...


class NoModelInstalled(Conflict):
    """No machine translation model is installed (HTTP 409 until an admin installs one)."""


def source_hash(arabic: str) -> str:
    return hashlib.sha256(arabic.encode("utf-8")).hexdigest()


def require_package(instance_path: str, name_or_id: str | None = None) -> InstalledPackage:
    package = find_package(instance_path, name_or_id)
    if package is None:
        if name_or_id:
            raise NoModelInstalled(f"No installed model {name_or_id!r}.")
        raise NoModelInstalled(NO_MODEL_MESSAGE)
    return package


def _has_draft_from(model_id: str):
    return exists().where(
        Translation.paragraph_id == Paragraph.id,
        Translation.origin == "machine",
        Translation.model_id == model_id,
    )


def paragraphs_without_draft(article_id: int, model_id: str) -> list[Paragraph]:
    """The paragraphs still to translate with this model: an approved paragraph's English is final, so it
    gets no draft (none to show its reviewer, none to replace what was approved)."""
    return list(db.session.scalars(
        select(Paragraph)
        .where(Paragraph.article_id == article_id, Paragraph.status != "approved", ~_has_draft_from(model_id))
        .order_by(Paragraph.position)
    ))


def refuse_if_approved(article: Article) -> None:
    """An approved article, or one whose every paragraph is approved, has nothing left to translate:
    refused with a message, so nothing is queued."""
    if article.status in LOCKED_FOR_EVERYONE:
        raise Conflict("This article is approved: its English is final, so no machine translation was queued.")
    open_paragraphs = db.session.scalar(select(func.count()).select_from(Paragraph).where(
        Paragraph.article_id == article.id, Paragraph.status != "approved"))
    if not open_paragraphs and _paragraph_count(article.id):
        raise Conflict("Every paragraph of this article is approved, so no machine translation was queued; "
                       "reopen a paragraph to translate it again.")


def untranslated_article_ids(model_id: str) -> list[int]:
    """Articles not approved with at least one paragraph that has no English at all: no draft from any
    model (a newer model does not make translated articles untranslated) and no reviewer's text. The
    model is the one that will translate them; it does not change which articles these are."""
    no_draft = ~exists().where(Translation.paragraph_id == Paragraph.id, Translation.origin == "machine")
    return list(db.session.scalars(
        select(Paragraph.article_id).join(Article, Article.id == Paragraph.article_id)
        .where(no_draft, Paragraph.current_revision_id.is_(None), Article.status.not_in(LOCKED_FOR_EVERYONE))
        .distinct().order_by(Paragraph.article_id)
    ))


def _paragraph_count(article_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(Paragraph).where(Paragraph.article_id == article_id)).scalar_one()


class JobRequest(NamedTuple):
    job: TranslationJob
    created: bool  # False: the article was already being translated with this model, by `job`


def active_job(article_id: int, model_id: str) -> TranslationJob | None:
    """The queued or running job translating this article with this model (at most one: a unique index)."""
    return db.session.scalar(select(TranslationJob).where(
        TranslationJob.article_id == article_id, TranslationJob.model_id == model_id,
        TranslationJob.status.in_(ACTIVE_JOB_STATUSES)))


def create_translation_job(article: Article, package: InstalledPackage, *, actor: User | None,
                           running_under: Lease | None = None) -> JobRequest:
    """A new job for this article and model, or the one already queued or running for them: never two
    (the unique index uq_translation_jobs_active settles a race). `running_under`: the caller runs it
    itself (the CLI) under this lease, so no worker takes it while the caller lives."""
    existing = active_job(article.id, package.model_id)
    if existing is not None:
        db.session.rollback()
        return JobRequest(existing, False)
    refuse_if_approved(article)
    total = _paragraph_count(article.id)
    job = TranslationJob(
        article_id=article.id, model_id=package.model_id, status="queued", total=total,
        done=total - len(paragraphs_without_draft(article.id, package.model_id)),
        requested_by_id=actor.id if actor is not None else None,
    )
    if running_under is not None:
        job.status, job.attempts = "running", 1
        for column, value in running_under.taken_now().items():
            setattr(job, column, value)
    db.session.add(job)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same request from someone else, a moment earlier
        db.session.rollback()
        if not is_unique_violation(error) or (existing := active_job(article.id, package.model_id)) is None:
            raise
        return JobRequest(existing, False)
    record_event(actor, "article.translate", "article", article.id, after={"job_id": job.id, "model_id": job.model_id})
    db.session.commit()
    return JobRequest(job, True)


def queue_article_translation(article: Article, instance_path: str, *, actor: User | None,
                              model: str | None = None) -> JobRequest:
    """Create the job and hand its id to the task queue; the request never waits for the model.
    A job already queued or running for the article and model is returned instead, and nothing is queued."""
    from ..tasks import translate_article_task

    request = create_translation_job(article, require_package(instance_path, model), actor=actor)
    if not request.created:
        return request
    try:
        translate_article_task(request.job.id)
    except Exception as error:
        _finish(request.job, f"could not queue the job: {error}")
        raise ServiceError(f"Could not queue the translation: {error}") from error
    return request


def run_translation_job(
    job_id: int,
    instance_path: str,
    translator_for: Callable[[InstalledPackage], Translator],
    *,
    on_progress: Callable[[TranslationJob], None] | None = None,
    lease: Lease | None = None,
) -> TranslationJob:
    """Translate what the job's article still lacks; safe to run again after any interruption."""
    return run_translation_jobs([job_id], instance_path, translator_for, on_progress=on_progress, lease=lease)[0]


def run_translation_jobs(
    job_ids: list[int],
    instance_path: str,
    translator_for: Callable[[InstalledPackage], Translator],
    *,
    on_progress: Callable[[TranslationJob], None] | None = None,
    lease: Lease | None = None,
) -> list[TranslationJob]:
    """Run several jobs of one model together: their paragraphs share the model's batches.

    One article rarely fills a batch; taking the paragraphs of several
    articles keeps every translator thread busy. Each job keeps its own
    progress, failures and result. With a `lease` (the jobs were claimed
    under it), a heartbeat renews it until the jobs end.
    """
    if lease is None:
        return _run_jobs(job_ids, instance_path, translator_for, on_progress)
    with Heartbeat(db.engine, job_ids, lease):
        return _run_jobs(job_ids, instance_path, translator_for, on_progress)


def _run_jobs(job_ids, instance_path, translator_for, on_progress) -> list[TranslationJob]:
    jobs: list[TranslationJob] = []
    for job_id in job_ids:
        job = db.session.get(TranslationJob, job_id)
        if job is None:
            raise ServiceError(f"No translation job {job_id}.")
        jobs.append(job)
    if len({job.model_id for job in jobs}) != 1:
        raise ServiceError("Jobs run together must use the same model.")
    package = find_package(instance_path, jobs[0].model_id)
    if package is None:
        return [_finish(job, f"model {job.model_id} is no longer installed") for job in jobs]
    work: list[tuple[TranslationJob, Paragraph]] = []
    for job in jobs:
        job.status, job.started_at, job.error = "running", utcnow(), None
        todo = paragraphs_without_draft(job.article_id, job.model_id)
        job.total = _paragraph_count(job.article_id)
        job.done = job.total - len(todo)
        work.extend((job, paragraph) for paragraph in todo)
    db.session.commit()

    translator = translator_for(package)
    failures: dict[int, list[str]] = {job.id: [] for job in jobs}
    for chunk in chunked(work, CHUNK_SIZE):
        results = _translate_chunk(translator, [paragraph for _, paragraph in chunk])
        drafts = []
        for (job, _), (paragraph, english, error) in zip(chunk, results):
            if error is None:
                drafts.append((paragraph, english))
                job.done += 1
            else:
                paragraph.mt_error = error
                failures[job.id].append(f"paragraph {paragraph.position + 1}: {error}")
        for paragraph_id in store_machine_drafts(drafts, translator):
            refresh_qa(paragraph_id)  # a new draft, or a new "unchanged draft" comparison
        db.session.commit()
        if on_progress is not None:
            for job in dict.fromkeys(job for job, _ in chunk):
                on_progress(job)

    for job in jobs:
        if failures[job.id]:
            _finish(job, f"{len(failures[job.id])} paragraph(s) failed; first: {failures[job.id][0]}")
        else:
            _mark_article_translated(job.article_id)
            _finish(job, None)
    return jobs


def claim_jobs(job_id: int, *, limit: int, lease: Lease) -> list[int]:
    """The job a worker task was given, plus other waiting jobs of the same model, marked running
    under this worker's lease.

    The task's own job is taken by a conditional UPDATE of its row alone, unless it is done
    or running under a live lease; a failed one is taken again (that is the retry), and so is
    one whose worker's lease ran out. The others (queued, or abandoned) are taken by one UPDATE
    over a locking read in id order that skips rows another worker holds (`FOR UPDATE SKIP
    LOCKED` on PostgreSQL; SQLite's write lock serialises claims), so two workers never run one
    job and never wait for each other in a cycle. The other jobs keep their own queued tasks,
    which find them taken and stop.
    """
    job = db.session.get(TranslationJob, job_id)
    now = utcnow()
    taken = {"status": "running", "attempts": TranslationJob.attempts + 1, **lease.taken_now()}
    if job is None or not _update_where(TranslationJob.id == job_id, _takeable(now), values=taken):
        db.session.rollback()
        return []
    waiting = or_(TranslationJob.status == "queued", lease_ran_out(now))
    # A CTE, materialised: run once. As a subquery of the UPDATE, PostgreSQL may run the locking read
    # again for each row, and each rerun skips the rows the UPDATE has just changed, so LIMIT would let
    # through every waiting job of the model.
    others = (
        select(TranslationJob.id)
        .where(TranslationJob.model_id == job.model_id, waiting, TranslationJob.id != job_id)
        .order_by(TranslationJob.id).limit(limit - 1)
        .with_for_update(skip_locked=True)
        .cte("others").prefix_with("MATERIALIZED", dialect="postgresql")
    )
    claimed = db.session.execute(
        update(TranslationJob).where(TranslationJob.id.in_(select(others.c.id)), waiting)
        .values(**taken).returning(TranslationJob.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    db.session.commit()
    return [job_id, *sorted(claimed)]


def _takeable(now):
    """A job a worker may take as its own: queued, failed (that is the retry), or abandoned by a dead worker."""
    return or_(TranslationJob.status.in_(("queued", "failed")), lease_ran_out(now))


def model_of_waiting_job(job_id: int) -> str | None:
    """The model of this job if a worker may take it now, else None."""
    return db.session.scalar(select(TranslationJob.model_id).where(TranslationJob.id == job_id, _takeable(utcnow())))


def fail_waiting_job(job_id: int, error: str) -> None:
    """End a job no worker could take (none has its model), unless a worker has taken it meanwhile."""
    _update_where(TranslationJob.id == job_id, TranslationJob.status.in_(("queued", "failed")),
                  values={"status": "failed", "error": error[:500], "finished_at": utcnow()})
    db.session.commit()


def fail_jobs(job_ids: list[int], error: str) -> None:
    """Mark jobs failed after the worker itself broke (e.g. the model would not load)."""
    db.session.rollback()
    for job_id in job_ids:
        job = db.session.get(TranslationJob, job_id)
        if job is not None and job.status == "running":
            _finish(job, error[:500])


def _update_where(*conditions, values: dict) -> bool:
    result = db.session.execute(update(TranslationJob).where(*conditions).values(**values))
    return cast(CursorResult, result).rowcount == 1  # an UPDATE's result: Session.execute says only Result


def _translate_chunk(translator: Translator, chunk: list[Paragraph]):
    """(paragraph, english, error) for each paragraph: cached drafts first, then one batch.

    When the batch fails, each paragraph is tried alone so one bad paragraph
    does not cost the others their drafts.
    """
    hashes = {p.id: source_hash(p.ar) for p in chunk}
    cached = dict(db.session.execute(
        select(Translation.source_hash, Translation.text)
        .where(Translation.model_id == translator.model_id, Translation.origin == "machine",
               Translation.source_hash.in_(set(hashes.values())))
    ).all())
    pending = [p for p in chunk if hashes[p.id] not in cached]
    results: dict[int, tuple[str | None, str | None]] = {
        p.id: (cached[hashes[p.id]], None) for p in chunk if hashes[p.id] in cached}
    if pending:
        try:
            for paragraph, english in zip(pending, translator.translate([p.ar for p in pending]), strict=True):
                results[paragraph.id] = (english, None)
        except Exception:  # noqa: BLE001 — isolate the failing paragraph below
            for paragraph in pending:
                try:
                    results[paragraph.id] = (translator.translate([paragraph.ar])[0], None)
                except Exception as error:  # noqa: BLE001 — recorded on the paragraph and the job
                    results[paragraph.id] = (None, f"{type(error).__name__}: {error}"[:500])
    return [(p, *results[p.id]) for p in chunk]


def store_machine_drafts(drafts: list[tuple[Paragraph, str]], translator: Translator) -> list[int]:
    """Append each paragraph's machine revision, unless it already has one from this model (another
    worker, or the CLI, was first: the unique index uq_translations_machine_draft, ON CONFLICT DO
    NOTHING). A new draft becomes current only where no human has edited and nobody has approved: a
    conditional UPDATE that re-checks the current revision and the status, so a reviewer's save or
    approval that lands meanwhile is never replaced.
    The ids of the paragraphs that got a new draft."""
    if not drafts:
        return []
    db.session.flush()
    inserted = insert_ignoring_duplicates(db.session.connection(), Translation.__table__, [
        {"paragraph_id": paragraph.id, "text": english, "origin": "machine", "engine": translator.engine,
         "engine_version": translator.engine_version, "model_id": translator.model_id,
         "source_hash": source_hash(paragraph.ar), "created_at": utcnow()}
        for paragraph, english in drafts
    ], returning=("id", "paragraph_id"))
    for revision_id, paragraph_id in inserted:
        db.session.execute(
            update(Paragraph)
            .where(Paragraph.id == paragraph_id, Paragraph.status != "approved",
                   or_(Paragraph.current_revision_id.is_(None), exists().where(
                       Translation.id == Paragraph.current_revision_id, Translation.origin == "machine")))
            .values(current_revision_id=revision_id, version=Paragraph.version + 1)
            .execution_options(synchronize_session=False)
        )
    for paragraph, _ in drafts:
        paragraph.mt_error = None
        db.session.expire(paragraph, ["current_revision_id", "current_revision", "version"])
    return [paragraph_id for _, paragraph_id in inserted]


def _mark_article_translated(article_id: int) -> None:
    article = db.session.get_one(Article, article_id)
    missing = db.session.scalar(
        select(func.count()).select_from(Paragraph)
        .where(Paragraph.article_id == article_id, Paragraph.current_revision_id.is_(None))
    )
    if article.status == "new" and missing == 0:
        article.status = "translated"
        record_event(None, "article.translated", "article", article_id, before={"status": "new"},
                     after={"status": "translated"})


def _finish(job: TranslationJob, error: str | None) -> TranslationJob:
    job.status = "failed" if error else "done"
    job.error = error
    job.finished_at = utcnow()
    db.session.commit()
    return job


def machine_and_current_translations(paragraph_ids: list[int]) -> tuple[dict[int, Translation], dict[int, Translation]]:
    """The newest machine draft and the current revision of each paragraph, in two queries."""
    if not paragraph_ids:
        return {}, {}
    newest_machine = (
        select(func.max(Translation.id))
        .where(Translation.paragraph_id.in_(paragraph_ids), Translation.origin == "machine")
        .group_by(Translation.paragraph_id)
    )
    machine = {t.paragraph_id: t for t in db.session.scalars(select(Translation).where(Translation.id.in_(newest_machine)))}
    current = {
        t.paragraph_id: t
        for t in db.session.scalars(
            select(Translation).join(Paragraph, Paragraph.current_revision_id == Translation.id)
            .where(Paragraph.id.in_(paragraph_ids))
        )
    }
    return machine, current
