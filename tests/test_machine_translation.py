"""Every Arabic paragraph gets an English machine draft from a real (tiny) Argos package, offline."""
from __future__ import annotations

import socket

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Article, Paragraph, Translation, TranslationJob
from app.services import mt, mt_engine, mt_packages
from app.services import users as user_service
from app.services.job_leases import Lease
from tests.conftest import bearer, log_in
from tests.support.tiny_argos import build_argos_package, run_argos_offline

A_WORKER = Lease(60, "worker-host:4242")

FLOAT32 = mt_engine.EngineOptions(compute_type="float32")


@pytest.fixture(scope="session")
def tiny_package_file(tmp_path_factory):
    return build_argos_package(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def other_tiny_package_file(tmp_path_factory):
    return build_argos_package(tmp_path_factory.mktemp("other-model"), name="translate-ar_en-other", seed=7)


@pytest.fixture
def model(app, tiny_package_file):
    return mt_packages.install_package(tiny_package_file, app.instance_path)


def translator_for(package):
    return mt_engine.get_translator(package, FLOAT32)


def translate_article(app, article_id, translator_factory=translator_for, model_id=None):
    package = mt.require_package(app.instance_path, model_id)
    job = mt.create_translation_job(db.session.get(Article, article_id), package, actor=None).job
    return mt.run_translation_job(job.id, app.instance_path, translator_factory)


def test_translating_an_article_stores_each_draft_as_a_machine_revision(app, seeded, model):
    article_id = seeded[0]
    job = translate_article(app, article_id)
    assert (job.status, job.done, job.total, job.error) == ("done", 36, 36, None)
    article = db.session.get(Article, article_id)
    assert article.status == "translated"
    for paragraph in article.paragraphs:
        draft = paragraph.current_revision
        assert draft.origin == "machine" and draft.text.strip()
        assert draft.model_id == model.model_id and model.checksum[:16] in draft.model_id
        assert draft.engine == "ctranslate2" and draft.engine_version
        assert draft.source_hash == mt.source_hash(paragraph.ar)
        assert paragraph.version == 2 and paragraph.mt_error is None


def test_drafts_equal_a_direct_run_of_the_engine_and_are_deterministic(app, seeded, model):
    translate_article(app, seeded[3])
    paragraphs = db.session.get(Article, seeded[3]).paragraphs
    expected = translator_for(model).translate([p.ar for p in paragraphs])
    assert [p.current_revision.text for p in paragraphs] == expected
    mt_engine.unload_all()
    assert translator_for(model).translate([p.ar for p in paragraphs]) == expected


def test_the_model_is_loaded_once_per_worker_and_reused(app, model):
    assert mt_engine.get_translator(model, FLOAT32) is mt_engine.get_translator(model, FLOAT32)


def test_mizan_matches_argostranslate_for_the_same_sentences(app, model, tiny_package_file, tmp_path):
    """The one deliberate difference is sentence splitting (and batching, which changes nothing).

    argostranslate splits with spaCy's sentencizer; given argostranslate's own
    sentences, Mizan's batched engine must produce argostranslate's output
    exactly, for every seed paragraph, with the compute type pinned.
    """
    from app.services.news_text import parse_news_text
    from app.services.sentences import split_sentences
    from tests.conftest import SEEDS_DIR

    paragraphs = [p.text for f in sorted(SEEDS_DIR.glob("*.txt")) for p in parse_news_text(f.read_bytes()).paragraphs]
    run = run_argos_offline(tiny_package_file, paragraphs, tmp_path, compute_type="float32")
    argos_sentences = [per_text[0] for per_text in run.sentences]  # no "\n" inside a paragraph
    engine = translator_for(model)
    assert engine.translate_split(argos_sentences) == run.translations
    # Where both splitters agree, Mizan's own pipeline gives argostranslate's output as it stands.
    agreeing = [i for i, p in enumerate(paragraphs) if split_sentences(p) == [s.strip() for s in argos_sentences[i]]]
    assert len(agreeing) >= len(paragraphs) // 2
    ours = engine.translate([paragraphs[i] for i in agreeing])
    assert ours == [run.translations[i] for i in agreeing]


class CountingTranslator:
    """Wraps the real engine to count what reaches the model."""

    def __init__(self, inner, fail_on: str | None = None, die_after_calls: int | None = None):
        self.inner, self.fail_on, self.die_after_calls = inner, fail_on, die_after_calls
        self.engine, self.engine_version, self.model_id = inner.engine, inner.engine_version, inner.model_id
        self.paragraphs_seen: list[str] = []
        self.calls = 0

    def translate(self, paragraphs):
        self.calls += 1
        if self.die_after_calls is not None and self.calls > self.die_after_calls:
            raise SystemExit("worker killed")  # like a SIGKILL: no cleanup code of ours runs
        if self.fail_on and any(self.fail_on in p for p in paragraphs):
            raise RuntimeError("model crashed on this input")
        self.paragraphs_seen.extend(paragraphs)
        return self.inner.translate(paragraphs)


def test_drafts_are_reused_for_the_same_arabic_and_model(app, seeded, model):
    counting = CountingTranslator(translator_for(model))
    translate_article(app, seeded[0], lambda package: counting)
    first_pass = len(counting.paragraphs_seen)
    # A second article whose paragraphs repeat the first one's text: nothing reaches the model again.
    from app.services import importing
    from tests.conftest import SEEDS_DIR

    raw = (SEEDS_DIR / "000_87e300d100e4e0f3.txt").read_bytes() + "\n\nفقرة جديدة لم تترجم من قبل.\n".encode()
    outcome = importing.import_news_file("copy.txt", raw, max_bytes=app.config["IMPORT_MAX_BYTES"])
    job = translate_article(app, outcome.article_id, lambda package: counting)
    assert job.status == "done"
    assert counting.paragraphs_seen[first_pass:] == ["فقرة جديدة لم تترجم من قبل."]
    copy = db.session.get(Article, outcome.article_id)
    original = db.session.get(Article, seeded[0])
    assert [p.current_revision.text for p in copy.paragraphs[:5]] == [p.current_revision.text for p in original.paragraphs[:5]]


def test_a_new_model_adds_a_revision_and_never_hides_a_human_edit(app, seeded, model, other_tiny_package_file):
    article_id = seeded[3]
    translate_article(app, article_id)
    paragraph = db.session.get(Article, article_id).paragraphs[1]
    human = Translation(paragraph_id=paragraph.id, text="A reviewer's English.", origin="human",
                        parent_id=paragraph.current_revision_id)
    db.session.add(human)
    db.session.flush()
    paragraph.current_revision_id, paragraph.version = human.id, paragraph.version + 1
    db.session.commit()

    other = mt_packages.install_package(other_tiny_package_file, app.instance_path)
    job = translate_article(app, article_id, model_id=other.model_id)
    assert job.status == "done"
    db.session.expire_all()
    paragraph = db.session.get(Paragraph, paragraph.id)
    assert paragraph.current_revision.text == "A reviewer's English."
    machine = db.session.scalars(select(Translation).where(Translation.paragraph_id == paragraph.id,
                                                           Translation.origin == "machine")).all()
    assert {t.model_id for t in machine} == {model.model_id, other.model_id}
    untouched = db.session.get(Article, article_id).paragraphs[2]
    assert untouched.current_revision.model_id == other.model_id  # a machine draft follows the newer model


def test_a_failing_paragraph_is_marked_and_the_others_are_kept_then_retried(app, seeded, model):
    article_id = seeded[3]
    bad_text = db.session.get(Article, article_id).paragraphs[5].ar
    failing = CountingTranslator(translator_for(model), fail_on=bad_text)
    job = translate_article(app, article_id, lambda package: failing)
    assert job.status == "failed"
    assert job.done == 17 and job.total == 18
    assert "paragraph 6" in job.error and "model crashed" in job.error
    paragraphs = db.session.get(Article, article_id).paragraphs
    assert paragraphs[5].current_revision is None and "model crashed" in paragraphs[5].mt_error
    assert all(p.current_revision is not None for i, p in enumerate(paragraphs) if i != 5)
    assert db.session.get(Article, article_id).status == "new"

    retry = mt.run_translation_job(job.id, app.instance_path, translator_for)
    assert (retry.status, retry.done, retry.error) == ("done", 18, None)
    paragraph = db.session.get(Article, article_id).paragraphs[5]
    assert paragraph.current_revision is not None and paragraph.mt_error is None
    assert db.session.get(Article, article_id).status == "translated"


def test_a_worker_killed_mid_article_loses_nothing_and_the_job_resumes(app, seeded, model, monkeypatch):
    monkeypatch.setattr(mt, "CHUNK_SIZE", 4)
    article_id = seeded[3]
    dying = CountingTranslator(translator_for(model), die_after_calls=2)
    package = mt.require_package(app.instance_path)
    job = mt.create_translation_job(db.session.get(Article, article_id), package, actor=None).job
    with pytest.raises(SystemExit):
        mt.run_translation_job(job.id, app.instance_path, lambda p: dying)
    db.session.rollback()
    drafts = db.session.scalar(select(func.count()).select_from(Translation).join(Paragraph, Paragraph.id == Translation.paragraph_id)
                               .where(Paragraph.article_id == article_id))
    assert drafts == 8  # two committed chunks survive the crash
    assert db.session.get(TranslationJob, job.id).status == "running"

    resumed = CountingTranslator(translator_for(model))
    job = mt.run_translation_job(job.id, app.instance_path, lambda p: resumed)
    assert (job.status, job.done, job.total) == ("done", 18, 18)
    assert len(resumed.paragraphs_seen) == 10  # only what was missing
    assert db.session.scalar(select(func.count()).select_from(Translation).join(Paragraph, Paragraph.id == Translation.paragraph_id)
                             .where(Paragraph.article_id == article_id)) == 18


def test_nothing_touches_the_network_while_installing_and_translating(app, seeded, tiny_package_file, monkeypatch):
    attempts = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError(f"network access attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: refuse(None, host))
    mt_engine.unload_all()  # load the model again, under the guard
    mt_packages.install_package(tiny_package_file, app.instance_path)
    job = translate_article(app, seeded[1])
    assert job.status == "done" and attempts == []


def test_api_shows_the_machine_draft_and_the_current_translation(client, app, seeded, admin, model):
    translate_article(app, seeded[4])
    token = user_service.issue_api_token(admin)
    article = client.get(f"/api/v1/articles/{seeded[4]}", headers=bearer(token)).get_json()
    assert article["status"] == "translated"
    for paragraph in article["paragraphs"]:
        assert paragraph["machine"]["model_id"] == model.model_id
        assert paragraph["translation"]["origin"] == "machine"
        assert paragraph["translation"]["text"] == paragraph["machine"]["text"]
        assert isinstance(paragraph["translation"]["revision_id"], int)
        assert paragraph["version"] == 2


def test_article_page_shows_drafts_in_the_english_column(client, app, seeded, admin, model):
    translate_article(app, seeded[2])
    log_in(client, "amina")
    html = client.get(f"/articles/{seeded[2]}").get_data(as_text=True)
    assert html.count('<p class="en" dir="ltr" lang="en" data-en-text>') == 26
    assert "No machine translation model is installed" not in html
    assert f"Machine draft · {model.model_id}" in html


def test_api_queues_a_translation_and_reports_progress(client, app, seeded, admin, reviewer, model):
    token = user_service.issue_api_token(admin)
    response = client.post(f"/api/v1/articles/{seeded[0]}/translate", headers=bearer(token))
    assert response.status_code == 202
    job_id = response.get_json()["job_id"]
    job = client.get(f"/api/v1/jobs/{job_id}", headers=bearer(token)).get_json()
    assert job == {"id": job_id, "article_id": seeded[0], "model_id": model.model_id, "status": "queued",
                   "done": 0, "total": 36, "error": None, "attempts": 0, "lease_expires_at": None,
                   "worker_lost": False}
    from app.tasks import huey

    assert huey.pending_count() >= 1
    # The page polls the job while it runs.
    log_in(client, "amina")
    assert f'data-job-url="/api/v1/jobs/{job_id}"' in client.get(f"/articles/{seeded[0]}").get_data(as_text=True)
    # Reviewers may not start translations, nor see jobs of articles not assigned to them.
    reviewer_token = user_service.issue_api_token(reviewer)
    assert client.post(f"/api/v1/articles/{seeded[0]}/translate", headers=bearer(reviewer_token)).status_code == 403
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bearer(reviewer_token)).status_code == 404


def test_cli_translates_all_untranslated_articles_in_the_foreground(app, seeded, model):
    translate_article(app, seeded[0])
    result = app.test_cli_runner().invoke(args=["mt", "translate", "--all"])
    assert result.exit_code == 0, result.output
    reports = [line for line in result.stdout.splitlines() if line.startswith("article ")]
    assert reports == [f"article {i}: done, {n}/{n} paragraphs" for i, n in zip(seeded[1:], (20, 26, 18, 19))]
    assert all(db.session.get(Article, i).status == "translated" for i in seeded)


def test_cli_translate_explains_what_is_missing(app, seeded):
    runner = app.test_cli_runner()
    no_model = runner.invoke(args=["mt", "translate", "--all"])
    assert no_model.exit_code == 1 and "No machine translation model is installed" in no_model.output
    neither = runner.invoke(args=["mt", "translate"])
    assert neither.exit_code == 1 and "--article ID" in neither.output


def test_admin_translates_from_the_article_page_and_all_untranslated_from_the_list(admin_client, app, seeded, model):
    from tests.conftest import csrf_token_from

    page = admin_client.get(f"/admin/articles/{seeded[0]}").get_data(as_text=True)
    assert "Translate</button>" in page and model.model_id in page
    response = admin_client.post(f"/admin/articles/{seeded[0]}/translate",
                                 data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    page = admin_client.get(f"/admin/articles/{seeded[0]}").get_data(as_text=True)
    assert "Translation queued (job" in page and 'data-job-url="/api/v1/jobs/' in page

    listing = admin_client.get("/admin/").get_data(as_text=True)
    response = admin_client.post("/admin/translate-untranslated", data={"csrf_token": csrf_token_from(listing)})
    assert response.status_code == 302
    assert "Translation queued for 5 article(s)." in admin_client.get("/admin/").get_data(as_text=True)
    # The first article's job was still queued: asked again, it is that job, not a second one.
    assert db.session.scalar(select(func.count()).select_from(TranslationJob)) == 5


def test_translate_buttons_refuse_a_forged_form(admin_client, app, seeded, model):
    assert admin_client.post(f"/admin/articles/{seeded[0]}/translate").status_code == 400
    assert admin_client.post("/admin/translate-untranslated").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(TranslationJob)) == 0


def test_queued_jobs_of_one_model_share_the_models_batches(app, seeded, model):
    package = mt.require_package(app.instance_path)
    jobs = [mt.create_translation_job(db.session.get(Article, i), package, actor=None).job for i in seeded[1:4]]
    claimed = mt.claim_jobs(jobs[0].id, limit=16, lease=A_WORKER)
    assert claimed == [job.id for job in jobs]
    assert mt.claim_jobs(jobs[1].id, limit=16, lease=A_WORKER) == []  # already running: its own task stops
    counting = CountingTranslator(translator_for(model))
    done = mt.run_translation_jobs(claimed, app.instance_path, lambda package: counting)
    assert [(job.status, job.done, job.total) for job in done] == [("done", 20, 20), ("done", 26, 26), ("done", 18, 18)]
    assert counting.calls == -(-64 // mt.CHUNK_SIZE)  # 64 paragraphs in chunks across articles, not per article
    assert all(db.session.get(Article, i).status == "translated" for i in seeded[1:4])
    assert mt.claim_jobs(jobs[2].id, limit=16, lease=A_WORKER) == []  # done: nothing to do


def test_a_failed_job_is_claimed_again_by_its_retry(app, seeded, model):
    article_id = seeded[3]
    bad_text = db.session.get(Article, article_id).paragraphs[2].ar
    job = mt.create_translation_job(db.session.get(Article, article_id), mt.require_package(app.instance_path), actor=None).job
    mt.run_translation_jobs(mt.claim_jobs(job.id, limit=16, lease=A_WORKER), app.instance_path,
                            lambda package: CountingTranslator(translator_for(model), fail_on=bad_text))
    assert db.session.get(TranslationJob, job.id).status == "failed"
    assert mt.claim_jobs(job.id, limit=16, lease=A_WORKER) == [job.id]
    (retried,) = mt.run_translation_jobs([job.id], app.instance_path, translator_for)
    assert (retried.status, retried.done) == ("done", 18)


def test_jobs_broken_by_the_worker_itself_are_failed_and_claimable_again(app, seeded, model):
    job = mt.create_translation_job(db.session.get(Article, seeded[3]), mt.require_package(app.instance_path), actor=None).job
    claimed = mt.claim_jobs(job.id, limit=16, lease=A_WORKER)

    def broken_model(package):
        raise RuntimeError("model file is damaged")

    with pytest.raises(RuntimeError):
        mt.run_translation_jobs(claimed, app.instance_path, broken_model)
    mt.fail_jobs(claimed, "RuntimeError: model file is damaged")
    failed = db.session.get(TranslationJob, job.id)
    assert (failed.status, failed.error) == ("failed", "RuntimeError: model file is damaged")
    assert mt.claim_jobs(job.id, limit=16, lease=A_WORKER) == [job.id]


def test_asking_twice_for_a_translation_returns_the_queued_job_and_queues_nothing_more(client, app, seeded, admin,
                                                                                        model):
    from app.tasks import huey

    token = bearer(user_service.issue_api_token(admin))
    first = client.post(f"/api/v1/articles/{seeded[0]}/translate", headers=token)
    pending = huey.pending_count()
    again = client.post(f"/api/v1/articles/{seeded[0]}/translate", headers=token)

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.get_json()["job_id"] == first.get_json()["job_id"]
    assert db.session.scalar(select(func.count()).select_from(TranslationJob)) == 1
    assert huey.pending_count() == pending
    # Once that job has ended, asking again is a new job.
    job = db.session.get(TranslationJob, first.get_json()["job_id"])
    job.status = "done"
    db.session.commit()
    third = client.post(f"/api/v1/articles/{seeded[0]}/translate", headers=token)
    assert third.status_code == 202 and third.get_json()["job_id"] != first.get_json()["job_id"]


def test_the_database_allows_one_active_job_per_article_and_model(app, seeded, model):
    from sqlalchemy.exc import IntegrityError

    db.session.add_all([TranslationJob(article_id=seeded[0], model_id=model.model_id, status="queued"),
                        TranslationJob(article_id=seeded[0], model_id=model.model_id, status="running")])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add_all([TranslationJob(article_id=seeded[0], model_id=model.model_id, status=status)
                        for status in ("done", "failed", "done", "queued")])
    db.session.commit()  # ended jobs do not count


def test_cli_leaves_an_article_a_worker_is_translating_and_takes_one_the_web_queued(app, seeded, model):
    package = mt.require_package(app.instance_path)
    running = mt.create_translation_job(db.session.get(Article, seeded[1]), package, actor=None).job
    mt.claim_jobs(running.id, limit=1, lease=A_WORKER)  # a worker has it
    queued = mt.create_translation_job(db.session.get(Article, seeded[2]), package, actor=None).job

    result = app.test_cli_runner().invoke(args=["mt", "translate", "--article", str(seeded[1]),
                                                "--article", str(seeded[2])])

    assert result.exit_code == 0, result.output
    assert f"article {seeded[1]}: already being translated by job {running.id} (running)" in result.stdout
    assert f"article {seeded[2]}: done, 26/26 paragraphs" in result.stdout
    db.session.expire_all()
    assert db.session.get(TranslationJob, queued.id).status == "done"  # the web's job, run by the CLI
    assert db.session.scalar(select(func.count()).select_from(TranslationJob)) == 2


def test_translate_all_leaves_translated_and_approved_articles_alone_after_a_newer_model(app, seeded, model):
    translate_article(app, seeded[0])
    # As if these drafts came from the model before the one installed now.
    db.session.execute(update(Translation).values(model_id="older-model"))
    approved = db.session.get(Article, seeded[1])
    approved.status = "approved"  # approved and locked, whatever its drafts
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["mt", "translate", "--all"])

    assert result.exit_code == 0, result.output
    reports = [line for line in result.stdout.splitlines() if line.startswith("article ")]
    assert [line.split(":")[0] for line in reports] == [f"article {i}" for i in seeded[2:]]
    assert not db.session.scalars(select(Translation).join(Paragraph, Paragraph.id == Translation.paragraph_id).where(
        Paragraph.article_id.in_(seeded[:2]), Translation.model_id != "older-model")).all()


def _approve(paragraph_ids, reviewer):
    from app.services import review as review_service

    for pid in paragraph_ids:
        paragraph = db.session.get(Paragraph, pid)
        reason = "Checked against the source." if paragraph.qa_findings else None
        review_service.approve_paragraph(pid, paragraph.version, actor=reviewer, override_reason=reason)


def test_a_newer_model_never_replaces_or_shows_a_draft_beside_an_approved_paragraph(
        admin_client, app, seeded, reviewer, model, other_tiny_package_file):
    from app.services import assignment

    article_id = seeded[0]
    translate_article(app, article_id)
    assignment.assign_article(db.session.get(Article, article_id), reviewer, actor=None)
    first, second = (p.id for p in db.session.get(Article, article_id).paragraphs[:2])
    _approve([first], reviewer)
    approved_revision = db.session.get(Paragraph, first).current_revision_id

    other = mt_packages.install_package(other_tiny_package_file, app.instance_path)
    job = translate_article(app, article_id, model_id=other.model_id)  # as the page's Translate button does

    assert job.status == "done"
    db.session.expire_all()
    approved = db.session.get(Paragraph, first)
    assert approved.status == "approved" and approved.current_revision_id == approved_revision
    assert approved.current_revision.model_id == model.model_id
    assert not db.session.scalars(select(Translation).where(Translation.paragraph_id == first,
                                                            Translation.model_id == other.model_id)).all()
    assert db.session.get(Paragraph, second).current_revision.model_id == other.model_id  # not approved: newer draft
    page = admin_client.get(f"/articles/{article_id}").get_data(as_text=True)
    section = page.split(f'id="p-{first}"')[1].split("</section>")[0]
    assert "Machine draft</span>" not in section  # no newer draft shown beside the approved English


def test_translate_on_a_fully_approved_article_queues_nothing_and_says_why(
        admin_client, app, seeded, reviewer, model, other_tiny_package_file):
    from app.services import assignment, workflow
    from tests.conftest import csrf_token_from

    article_id = seeded[0]
    translate_article(app, article_id)
    article = db.session.get(Article, article_id)
    assignment.assign_article(article, reviewer, actor=None)
    _approve([p.id for p in article.paragraphs], reviewer)
    other = mt_packages.install_package(other_tiny_package_file, app.instance_path)
    jobs_before = db.session.scalar(select(func.count()).select_from(TranslationJob))

    page = admin_client.get(f"/admin/articles/{article_id}").get_data(as_text=True)
    admin_client.post(f"/admin/articles/{article_id}/translate", data={"csrf_token": csrf_token_from(page)})
    page = admin_client.get(f"/admin/articles/{article_id}").get_data(as_text=True)
    assert "Every paragraph of this article is approved, so no machine translation was queued" in page

    workflow.submit_article(db.session.get(Article, article_id), reviewer)
    workflow.approve_article(db.session.get(Article, article_id), user_service.get_user_by_username("amina"))
    admin_client.post(f"/admin/articles/{article_id}/translate", data={"csrf_token": csrf_token_from(page)})
    page = admin_client.get(f"/admin/articles/{article_id}").get_data(as_text=True)
    assert "This article is approved: its English is final, so no machine translation was queued." in page
    api = admin_client.post(f"/api/v1/articles/{article_id}/translate",
                            headers=bearer(user_service.issue_api_token(user_service.get_user_by_username("amina"))))
    assert api.status_code == 409 and "approved" in api.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(TranslationJob)) == jobs_before
    assert not db.session.scalars(select(Translation).where(Translation.model_id == other.model_id)).all()
