"""Translation jobs that outlive their worker: leases, the sweep that requeues, workers without the model,
and one machine draft per paragraph and model whoever translates it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.config import PROJECT_ROOT
from app.extensions import db
from app.models import Article, AuditEvent, Paragraph, Translation, TranslationJob, utcnow
from app.services import mt, mt_engine, mt_packages
from app.services import users as user_service
from app.services.job_leases import Heartbeat, Lease, requeue_abandoned_jobs
from tests.conftest import bearer, log_in
from tests.support.databases import server_env
from tests.support.tiny_argos import build_argos_package

BIN = Path(sys.executable).parent
WORKER_A, WORKER_B = Lease(60, "machine-a:101"), Lease(60, "machine-b:202")


@pytest.fixture(scope="module")
def package_file(tmp_path_factory):
    return build_argos_package(tmp_path_factory.mktemp("faults-model"))


@pytest.fixture
def model(app, package_file):
    return mt_packages.install_package(package_file, app.instance_path)


def article_with(paragraphs: int, number: int = 0) -> Article:
    article = Article(title=f"خبر {number}", original_filename=f"fault-{number}.txt", raw_bytes=b"",
                      checksum=f"{number:064d}")
    article.paragraphs = [Paragraph(position=i, kind="body", ar=f"اجتمع الوزير في القاهرة يوم {i} مع الوفد رقم {number}.")
                          for i in range(paragraphs)]
    db.session.add(article)
    db.session.commit()
    return article


def lease_runs_out(job_id: int) -> None:
    """What a dead worker leaves behind: a running job whose lease nobody renews (moved into the past)."""
    job = db.session.get(TranslationJob, job_id)
    job.lease_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def machine_drafts_per_paragraph(article_id: int) -> list[int]:
    return db.session.scalars(
        select(func.count(Translation.id)).select_from(Paragraph)
        .outerjoin(Translation, (Translation.paragraph_id == Paragraph.id) & (Translation.origin == "machine"))
        .where(Paragraph.article_id == article_id).group_by(Paragraph.id).order_by(Paragraph.id)
    ).all()


def test_a_claimed_job_names_its_worker_and_holds_a_lease(app, model):
    article = article_with(3)
    job = mt.create_translation_job(article, model, actor=None).job
    before = utcnow()

    assert mt.claim_jobs(job.id, limit=16, lease=WORKER_A) == [job.id]

    db.session.expire_all()
    job = db.session.get(TranslationJob, job.id)
    assert (job.status, job.worker, job.attempts) == ("running", "machine-a:101", 1)
    assert before + timedelta(seconds=59) < job.lease_expires_at <= utcnow() + timedelta(seconds=60)
    assert not job.worker_lost
    assert mt.claim_jobs(job.id, limit=16, lease=WORKER_B) == []  # a live lease keeps it from anyone else
    assert requeue_abandoned_jobs(max_attempts=3) == []


def test_a_job_whose_worker_died_goes_back_to_the_queue_with_its_id(app, model, admin, client):
    article = article_with(3)
    job_id = mt.create_translation_job(article, model, actor=None).job.id
    mt.claim_jobs(job_id, limit=16, lease=WORKER_A)
    lease_runs_out(job_id)
    token = bearer(user_service.issue_api_token(admin))

    polled = client.get(f"/api/v1/jobs/{job_id}", headers=token).get_json()
    assert (polled["status"], polled["worker_lost"]) == ("running", True)
    log_in(client, "amina")
    page = client.get(f"/articles/{article.id}").get_data(as_text=True)
    assert "data-job-lost>" in page  # the note is shown (not hidden) on the page following the job

    assert requeue_abandoned_jobs(max_attempts=3) == [job_id]
    assert requeue_abandoned_jobs(max_attempts=3) == []  # a second sweep finds nothing more
    polled = client.get(f"/api/v1/jobs/{job_id}", headers=token).get_json()
    assert (polled["status"], polled["worker_lost"], polled["attempts"]) == ("queued", False, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "translation_job.abandoned"))
    assert (event.object_id, event.before["worker"], event.after) == (job_id, "machine-a:101", {"status": "queued"})

    assert mt.claim_jobs(job_id, limit=16, lease=WORKER_B) == [job_id]
    db.session.expire_all()
    assert db.session.get(TranslationJob, job_id).attempts == 2


def test_a_worker_takes_over_abandoned_jobs_of_its_model_with_its_own(app, model):
    first, second, third = (mt.create_translation_job(article_with(2, n), model, actor=None).job.id for n in range(3))
    assert mt.claim_jobs(first, limit=2, lease=WORKER_A) == [first, second]
    lease_runs_out(second)

    assert mt.claim_jobs(third, limit=16, lease=WORKER_B) == [third, second]  # not `first`: its lease lives
    db.session.expire_all()
    assert db.session.get(TranslationJob, second).worker == "machine-b:202"
    assert db.session.get(TranslationJob, first).worker == "machine-a:101"


def test_a_job_that_keeps_killing_its_workers_is_failed_saying_so(app, model):
    job_id = mt.create_translation_job(article_with(2), model, actor=None).job.id
    for attempt in range(3):
        assert mt.claim_jobs(job_id, limit=1, lease=WORKER_A) == [job_id]
        lease_runs_out(job_id)
        requeued = requeue_abandoned_jobs(max_attempts=3)
        assert requeued == ([job_id] if attempt < 2 else [])

    job = db.session.get(TranslationJob, job_id)
    assert job.status == "failed"
    assert job.error.startswith("its worker stopped answering 3 times (killed, or its machine lost; last machine-a:101)")


def test_the_heartbeat_keeps_a_long_job_leased_and_stops_with_it(app, model):
    job_id = mt.create_translation_job(article_with(2), model, actor=None).job.id
    short = Lease(1.5, WORKER_A.worker)  # renewed every 0.5 s: only a stall of a second would lose it
    mt.claim_jobs(job_id, limit=1, lease=short)
    with Heartbeat(db.engine, [job_id], short):
        time.sleep(3.5)  # more than two leases: only the renewals keep it
        db.session.expire_all()
        assert not db.session.get(TranslationJob, job_id).worker_lost
        assert requeue_abandoned_jobs(max_attempts=3) == []
    time.sleep(1.8)
    db.session.expire_all()
    assert db.session.get(TranslationJob, job_id).worker_lost  # no renewal once the work is over


def test_a_late_worker_does_not_renew_a_job_another_worker_took_over(app, model):
    job_id = mt.create_translation_job(article_with(2), model, actor=None).job.id
    mt.claim_jobs(job_id, limit=1, lease=WORKER_A)
    lease_runs_out(job_id)
    mt.claim_jobs(job_id, limit=1, lease=WORKER_B)

    assert Heartbeat(db.engine, [job_id], WORKER_A).renew() == 0
    assert Heartbeat(db.engine, [job_id], WORKER_B).renew() == 1


def test_a_paragraph_gets_one_machine_draft_per_model_however_often_it_is_translated(app, model):
    article = article_with(4)
    translator = mt_engine.get_translator(model, mt_engine.EngineOptions(compute_type="float32"))
    paragraphs = list(article.paragraphs)

    assert len(mt.store_machine_drafts([(p, "The minister met.") for p in paragraphs], translator)) == 4
    db.session.commit()
    assert mt.store_machine_drafts([(p, "The minister met again.") for p in paragraphs], translator) == []
    db.session.commit()

    assert machine_drafts_per_paragraph(article.id) == [1, 1, 1, 1]
    assert {p.current_revision.text for p in paragraphs} == {"The minister met."}
    assert {p.version for p in paragraphs} == {2}
    db.session.add(Translation(paragraph_id=paragraphs[0].id, text="x", origin="machine", model_id=model.model_id))
    with pytest.raises(IntegrityError):
        db.session.commit()  # the database itself refuses a second draft
    db.session.rollback()


def test_a_machine_draft_never_replaces_english_a_reviewer_saved_meanwhile(app, model, reviewer):
    article = article_with(1)
    [paragraph] = article.paragraphs
    job_id = mt.create_translation_job(article, model, actor=None).job.id
    mt.claim_jobs(job_id, limit=1, lease=WORKER_A)
    stale = db.session.get(Paragraph, paragraph.id)  # the worker read it before the reviewer's save
    human = Translation(paragraph_id=paragraph.id, text="The reviewer's English.", origin="human",
                        author_id=reviewer.id)
    with db.engine.begin() as connection:  # the reviewer's save, from another connection
        human_id = connection.execute(Translation.__table__.insert().values(
            paragraph_id=paragraph.id, text=human.text, origin="human", author_id=reviewer.id, created_at=utcnow(),
        ).returning(Translation.id)).scalar_one()
        connection.execute(Paragraph.__table__.update().where(Paragraph.id == paragraph.id)
                           .values(current_revision_id=human_id, version=Paragraph.version + 1))

    translator = mt_engine.get_translator(model, mt_engine.EngineOptions(compute_type="float32"))
    assert mt.store_machine_drafts([(stale, "A machine draft.")], translator) == [paragraph.id]
    db.session.commit()

    db.session.expire_all()
    paragraph = db.session.get(Paragraph, paragraph.id)
    assert (paragraph.current_revision_id, paragraph.version) == (human_id, 2)


def test_a_worker_without_the_model_leaves_the_job_for_one_that_has_it(app, model, monkeypatch):
    from app import tasks

    job_id = mt.create_translation_job(article_with(2), model, actor=None).job.id
    mt_packages.remove_package(app.instance_path, model.model_id)
    monkeypatch.setattr(tasks, "worker_app", lambda: app)
    pending = tasks.huey.pending_count()

    assert tasks.translate_article_task.call_local(job_id) == f"left for a worker with model {model.model_id}"
    db.session.expire_all()
    assert db.session.get(TranslationJob, job_id).status == "queued"
    assert tasks.huey.pending_count() == pending + 1  # handed back to the queue (due in a few seconds)

    long_ago = time.time() - tasks.MODEL_WAIT_SECONDS - 1
    assert tasks.translate_article_task.call_local(job_id, long_ago) == "failed: no worker has the model"
    db.session.expire_all()
    job = db.session.get(TranslationJob, job_id)
    assert job.status == "failed"
    assert job.error.startswith(f"no translation worker with model {model.model_id} took it within 10 minutes")

    done = mt.create_translation_job(article_with(1, 1), model, actor=None).job
    done.status = "done"
    db.session.commit()
    pending = tasks.huey.pending_count()
    assert tasks.translate_article_task.call_local(done.id) == "already done or running"  # nothing to hand back
    assert tasks.huey.pending_count() == pending


def test_a_web_tier_consumer_without_the_engine_takes_no_job(app, model, monkeypatch):
    from app import tasks

    job_id = mt.create_translation_job(article_with(2), model, actor=None).job.id
    for name in ("ctranslate2", "sentencepiece"):
        monkeypatch.setitem(sys.modules, name, None)  # neither importable nor found: a web-tier install
    monkeypatch.setattr(tasks, "worker_app", lambda: app)

    assert tasks.translate_article_task.call_local(job_id) == f"left for a worker with model {model.model_id}"
    db.session.expire_all()
    assert (db.session.get(TranslationJob, job_id).status, db.session.get(TranslationJob, job_id).attempts) == (
        "queued", 0)

def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        db.session.rollback()
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def start_worker(instance_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "huey_consumer"), "app.tasks.huey", "--workers", "1"], cwd=PROJECT_ROOT,
        env=server_env(instance_path, MIZAN_SECRET_KEY="worker-test-key", MIZAN_JOB_LEASE_SECONDS="2"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def test_jobs_of_a_killed_worker_are_finished_by_the_next_worker_without_an_admin(
        client, app, instance_path, admin, model):
    articles = [article_with(40, n) for n in range(24)]
    token = bearer(user_service.issue_api_token(admin))
    job_ids = [client.post(f"/api/v1/articles/{a.id}/translate", headers=token).get_json()["job_id"] for a in articles]

    first = start_worker(instance_path)
    try:
        running = wait_for(lambda: db.session.scalars(select(TranslationJob.id).where(
            TranslationJob.status == "running")).all(), 90, "the first worker to take jobs")
        os.killpg(first.pid, signal.SIGKILL)  # kill -9, mid-translation
    finally:
        first.kill()
        first.communicate(timeout=30)
    db.session.expire_all()
    abandoned = db.session.scalars(select(TranslationJob).where(TranslationJob.status == "running")).all()
    assert abandoned and {job.id for job in abandoned} >= set(running[:1])
    assert all(job.worker.endswith(f":{first.pid}") for job in abandoned)
    wait_for(lambda: all(client.get(f"/api/v1/jobs/{job.id}", headers=token).get_json()["worker_lost"]
                         for job in abandoned), 10, "the leases to run out")

    second = start_worker(instance_path)
    try:
        wait_for(lambda: db.session.scalar(select(func.count()).select_from(TranslationJob).where(
            TranslationJob.status.in_(("queued", "running")))) == 0, 240, "every job to end")
    finally:
        second.terminate()
        output = second.communicate(timeout=30)[0].decode(errors="replace")

    jobs = [client.get(f"/api/v1/jobs/{job_id}", headers=token).get_json() for job_id in job_ids]
    assert [job["status"] for job in jobs] == ["done"] * 24, output
    assert all(job["done"] == job["total"] == 40 for job in jobs)
    assert {job["attempts"] for job in jobs if job["id"] in {a.id for a in abandoned}} == {2}
    for article in articles:
        assert machine_drafts_per_paragraph(article.id) == [1] * 40
