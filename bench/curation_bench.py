"""The curation view of a long double-annotated article (issue 18: ≤ 300 ms for 500 paragraphs with 3,000
entities per annotator; docs/architecture.md, "Adjudication").

Writes `agreement_bench.build_article`'s generated article into both annotators' layers of a throwaway SQLite
database (or MIZAN_DATABASE_URL's), then times `adjudication.curation()` and the whole page
(`GET /curate/articles/<id>`, a logged-in curator, through Flask's test client) in-process.

    .venv/bin/python bench/curation_bench.py [--paragraphs 500] [--entities 3000] [--repeats 7]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.agreement_bench import build_article  # noqa: E402
from bench.machine import machine_line  # noqa: E402

PASSWORD = "a long bench passphrase 2026"


def arrange(app, pairs) -> int:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Article, Assignment, Entity, EntityLink, Label, Paragraph, ParagraphLayer, Translation
    from app.services import users as user_service

    annotators = [user_service.create_user(name, PASSWORD, "reviewer") for name in ("rami", "nadia")]
    user_service.create_user("cora", PASSWORD, "curator")
    article = Article(title="bench", original_filename="bench.txt", raw_bytes=b"bench", checksum="curation-bench",
                      status="submitted")
    db.session.add(article)
    db.session.flush()
    for role, user in zip(("reviewer", "independent"), annotators):
        db.session.add(Assignment(article_id=article.id, user_id=user.id, role=role))
    labels = {label.name: label.id for label in db.session.scalars(select(Label))}
    for position, pair in enumerate(pairs):
        paragraph = Paragraph(article_id=article.id, position=position, kind="body", ar=pair.arabic)
        db.session.add(paragraph)
        db.session.flush()
        for user, annotation in zip(annotators, (pair.a, pair.b)):
            revision = Translation(paragraph_id=paragraph.id, text=annotation.english, origin="human",
                                   author_id=user.id, layer_user_id=user.id)
            db.session.add(revision)
            db.session.flush()
            db.session.add(ParagraphLayer(paragraph_id=paragraph.id, user_id=user.id, status="approved", version=2,
                                          current_revision_id=revision.id, approved_revision_id=revision.id))
            spans = {}
            for lang, start, end, label in annotation.entities:
                text = (pair.arabic if lang == "ar" else annotation.english)[start:end]
                spans[(lang, start, end)] = entity = Entity(
                    paragraph_id=paragraph.id, lang=lang, translation_id=revision.id if lang == "en" else None,
                    start=start, end=end, label_id=labels[label], text=text, layer_user_id=user.id)
                db.session.add(entity)
            db.session.flush()
            for (ar_start, ar_end), (en_start, en_end) in annotation.links:
                ar, en = spans.get(("ar", ar_start, ar_end)), spans.get(("en", en_start, en_end))
                if ar is not None and en is not None:
                    db.session.add(EntityLink(ar_entity_id=ar.id, en_entity_id=en.id))
    db.session.commit()
    return article.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=500)
    parser.add_argument("--entities", type=int, default=3000, help="per side and annotator (default 3000)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.services import adjudication
    from tests.conftest import csrf_token_from, make_config

    app = create_app(make_config(Path(tempfile.mkdtemp(prefix="curation-bench-"))))
    print(machine_line())
    with app.app_context():
        upgrade()
        article_id = arrange(app, build_article(args.paragraphs, args.entities, 0.5))
        curator = db.session.scalar(select(User).where(User.username == "cora"))
        times = []
        for _ in range(args.repeats):
            db.session.expire_all()
            started = time.perf_counter()
            adjudication.curation(article_id, curator)
            times.append((time.perf_counter() - started) * 1000)
        print(f"curation(): median {statistics.median(times):.0f} ms, best {min(times):.0f} ms")
        db.session.remove()
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": "cora", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    times, size = [], 0
    for _ in range(args.repeats):
        started = time.perf_counter()
        response = client.get(f"/curate/articles/{article_id}")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
    print(f"the page ({size / 1e6:.1f} MB): median {statistics.median(times):.0f} ms, best {min(times):.0f} ms "
          "(issue 18's target: 300 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
