"""Writers racing in several processes, as several web processes and workers do: nothing relies on a
database-wide write lock. On PostgreSQL these are real races (row locks, READ COMMITTED); on SQLite the
write lock serialises them and the same outcomes must hold."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app.config import PROJECT_ROOT
from app.extensions import db
from app.models import (Article, Assignment, Entity, EntityLink, GlossaryTerm, Label, Paragraph, Translation,
                        TranslationJob, User)
from tests.support.databases import database_url

# Each racer builds the app on the test's database, says "ready", waits for the start file, acts once
# and prints what it got as JSON. Starting together after the slow part (imports, the app) makes the
# actions meet in the database.
RACER = """
import json, os, sys, time
from pathlib import Path
from app import create_app
from app.extensions import db
url, instance, start, action, argument = sys.argv[1:6]
app = create_app({"TESTING": True, "SECRET_KEY": "race", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                  "KNOWN_FORMS_RECHECK_SECONDS": 0})
with app.app_context():
    from sqlalchemy import select
    from app.models import Paragraph
    from app.services import mt, review, users
    if action == "approve":
        actor = users.require_user("rami")
        version = db.session.get(Paragraph, int(argument)).version
    db.session.rollback()
    print("ready", flush=True)
    deadline = time.monotonic() + 60
    while not Path(start).exists():
        if time.monotonic() > deadline:
            raise SystemExit("never started")
        time.sleep(0.001)
    if action == "approve":
        result = review.approve_paragraph(int(argument), version, actor=actor, override_reason="race").status
    elif action == "claim":
        from app.services.job_leases import Lease
        result = mt.claim_jobs(int(argument), limit=16, lease=Lease(60, f"racer:{os.getpid()}"))
    elif action == "draft":  # a worker whose lease ran out and the one that took its job over, at once
        from types import SimpleNamespace
        article_id, worker = argument.split(":")
        paragraphs = db.session.scalars(select(Paragraph).where(Paragraph.article_id == int(article_id))).all()
        translator = SimpleNamespace(engine="ctranslate2", engine_version="4", model_id="tiny@1")
        result = len(mt.store_machine_drafts([(p, f"Draft by worker {worker}.") for p in paragraphs], translator))
        db.session.commit()
    elif action == "create_user":
        try:
            result = users.create_user("nadia", "a long enough password", "reviewer").username
        except users.UserError as refusal:
            result = str(refusal)
    elif action == "assign":
        from app.models import Article
        from app.services import assignment
        article_id, username = argument.split(":")
        assignment.assign_article(db.session.get(Article, int(article_id)), users.require_user(username), "reviewer",
                                  actor=None)
        result = username  # (the assignment read back now may already be a later rival's)
    elif action == "undo":  # the same user's undo sent from several tabs at once
        from app.services import undo
        try:
            result = undo.undo(int(argument), actor=users.require_user("rami")).entity_id
        except undo.NothingToUndo as refusal:
            result = refusal.code
print(json.dumps(result), flush=True)
"""


def race(instance_path: Path, tmp_path: Path, action: str, arguments: list) -> list:
    """Run one racer per argument, start them together, and return what each got (all must succeed)."""
    start = tmp_path / "start"
    racers = [subprocess.Popen([sys.executable, "-c", RACER, database_url(instance_path), str(instance_path),
                                str(start), action, str(argument)],
                               cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for argument in arguments]
    try:
        for racer in racers:
            assert racer.stdout.readline().strip() == "ready", racer.communicate(timeout=60)[1]
        start.touch()
        outputs = [racer.communicate(timeout=120) for racer in racers]
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()
    for racer, (_, err) in zip(racers, outputs):
        assert racer.returncode == 0, err
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]


def paragraphs_teaching_moscow(count: int, reviewer) -> list[int]:
    """An article of `count` edited paragraphs, each with موسكو linked to Moscow (LOC) on its current English."""
    loc = db.session.scalar(select(Label.id).where(Label.name == "LOC"))
    article = Article(title="موسكو", original_filename="race.txt", raw_bytes=b"", checksum="r" * 64, status="in_review")
    db.session.add(article)
    ids = []
    for position in range(count):
        ar, en = f"اجتمع الوفد في موسكو يوم {position}.", f"The delegation met in Moscow on day {position}."
        paragraph = Paragraph(article=article, position=position, kind="body", ar=ar, status="edited")
        db.session.add(paragraph)
        db.session.flush()
        english = Translation(paragraph_id=paragraph.id, text=en, origin="human", author_id=reviewer.id)
        db.session.add(english)
        db.session.flush()
        paragraph.current_revision_id = english.id
        ar_entity = Entity(paragraph_id=paragraph.id, lang="ar", start=ar.index("موسكو"), end=ar.index("موسكو") + 5,
                           label_id=loc, text="موسكو")
        en_entity = Entity(paragraph_id=paragraph.id, lang="en", translation_id=english.id, start=en.index("Moscow"),
                           end=en.index("Moscow") + 6, label_id=loc, text="Moscow")
        db.session.add_all([ar_entity, en_entity])
        db.session.flush()
        db.session.add(EntityLink(ar_entity_id=ar_entity.id, en_entity_id=en_entity.id))
        ids.append(paragraph.id)
    db.session.commit()
    return ids


def test_approvals_in_several_processes_teaching_the_same_term_all_succeed_and_learn_it_once(
        app, instance_path, tmp_path, admin, reviewer):
    paragraph_ids = paragraphs_teaching_moscow(8, reviewer)
    from app.services import assignment as assignment_service

    article = db.session.get(Paragraph, paragraph_ids[0]).article
    assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)
    db.session.commit()

    assert race(instance_path, tmp_path, "approve", paragraph_ids) == ["approved"] * 8

    db.session.expire_all()
    terms = db.session.execute(select(GlossaryTerm.ar, GlossaryTerm.en, GlossaryTerm.origin)).all()
    assert terms == [("موسكو", "Moscow", "learned")]
    assert db.session.scalar(select(func.count()).select_from(Paragraph).where(Paragraph.status == "approved")) == 8


def test_workers_claiming_jobs_together_never_deadlock_and_never_share_a_job(app, instance_path, tmp_path):
    articles = [Article(title=f"خبر {i}", original_filename=f"{i}.txt", raw_bytes=b"", checksum=f"{i:064d}")
                for i in range(24)]
    db.session.add_all(articles)
    db.session.flush()
    jobs = [TranslationJob(article_id=article.id, model_id="tiny@1", total=1) for article in articles]
    db.session.add_all(jobs)
    db.session.commit()
    own = [job.id for job in jobs[::3]]  # eight workers, each given its own job, all of one model

    claims = race(instance_path, tmp_path, "claim", own)

    taken = [job_id for claimed in claims for job_id in claimed]
    assert len(taken) == len(set(taken))  # no job claimed twice
    # A worker takes its own job first, or nothing when another worker took it along with its own.
    assert all(claimed[:1] in ([], [job_id]) for claimed, job_id in zip(claims, own))
    assert len(taken) >= 16  # the first worker to claim takes its own job and 15 more
    db.session.expire_all()
    running = set(db.session.scalars(select(TranslationJob.id).where(TranslationJob.status == "running")))
    assert running == set(taken)


def test_the_same_user_created_by_several_processes_at_once_exists_once_and_the_others_are_told(
        app, instance_path, tmp_path):
    results = race(instance_path, tmp_path, "create_user", list(range(8)))
    assert sorted(results) == ["A user named 'nadia' already exists."] * 7 + ["nadia"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "nadia")) == 1


def test_admins_assigning_one_article_from_several_processes_at_once_leave_one_reviewer(
        app, instance_path, tmp_path, seeded):
    from app.services import users as user_service

    names = [f"reviewer{i}" for i in range(8)]
    for name in names:
        user_service.create_user(name, "a long enough password", "reviewer")

    results = race(instance_path, tmp_path, "assign", [f"{seeded[0]}:{name}" for name in names])

    assert sorted(results) == names  # every request succeeded: the later ones reassigned
    db.session.expire_all()
    reviewers = db.session.scalars(select(Assignment.user_id).where(
        Assignment.article_id == seeded[0], Assignment.role == "reviewer")).all()
    assert len(reviewers) == 1


def test_workers_drafting_the_same_paragraphs_at_once_leave_one_machine_draft_each(app, instance_path, tmp_path):
    article = Article(title="خبر", original_filename="drafts.txt", raw_bytes=b"", checksum="d" * 64)
    article.paragraphs = [Paragraph(position=i, kind="body", ar=f"اجتمع الوزير يوم {i}.") for i in range(40)]
    db.session.add(article)
    db.session.commit()

    drafted = race(instance_path, tmp_path, "draft", [f"{article.id}:{worker}" for worker in range(6)])

    assert sum(drafted) == 40  # every paragraph drafted by exactly one of them, none refused with an error
    db.session.expire_all()
    drafts = db.session.execute(select(Translation.paragraph_id, func.count()).where(Translation.origin == "machine")
                                .group_by(Translation.paragraph_id)).all()
    assert len(drafts) == 40 and {count for _, count in drafts} == {1}
    paragraphs = db.session.scalars(select(Paragraph).where(Paragraph.article_id == article.id)).all()
    assert all(p.current_revision is not None and p.version == 2 for p in paragraphs)


def test_undos_sent_at_once_never_undo_the_same_action_twice(app, instance_path, tmp_path, admin, reviewer):
    from app.services import assignment as assignment_service
    from app.services import entities as entity_service

    paragraph_ids = paragraphs_teaching_moscow(3, reviewer)
    article = db.session.get(Paragraph, paragraph_ids[0]).article
    assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)
    tagged = [entity_service.create_entity(paragraph_id, "ar", 0, 5, "PER", actor=reviewer).id
              for paragraph_id in paragraph_ids]  # "اجتمع", one action in each paragraph

    results = race(instance_path, tmp_path, "undo", [article.id] * 5)

    assert sorted(r for r in results if isinstance(r, int)) == sorted(tagged)
    assert [r for r in results if not isinstance(r, int)] == ["nothing_to_undo"] * 2
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Entity).where(Entity.id.in_(tagged))) == 0
