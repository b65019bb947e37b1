"""The translation worker runs a real job with CTranslate2 and SentencePiece alone: never torch, stanza, spaCy
or argostranslate, so a worker machine needs only requirements/worker.txt."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from app.config import PROJECT_ROOT
from app.extensions import db
from app.models import Article
from app.services import mt, mt_packages
from tests.support.databases import server_env
from tests.support.tiny_argos import build_argos_package

NOT_ON_A_WORKER = ("torch", "stanza", "spacy", "thinc", "argostranslate", "minisbd", "onnxruntime", "sacremoses")


def test_the_worker_task_translates_without_the_argostranslate_stack(app, instance_path, seeded, tmp_path):
    package = mt_packages.install_package(build_argos_package(tmp_path / "model"), app.instance_path)
    article = db.session.get(Article, seeded[2])
    job = mt.create_translation_job(article, package, actor=None).job
    # What `huey_consumer app.tasks.huey` runs for a queued job, in a process of its own (its app
    # created from the environment, as on a worker machine).
    script = textwrap.dedent(f"""
        import json, sys
        from app.tasks import translate_article_task
        status = translate_article_task.call_local({job.id})
        loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({NOT_ON_A_WORKER!r}))
        engine = sorted({{m.split(".")[0] for m in sys.modules}} & {{"ctranslate2", "sentencepiece"}})
        print(json.dumps({{"status": status, "loaded": loaded, "engine": engine}}))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=240, env=server_env(instance_path, MIZAN_SECRET_KEY="worker-test-key"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"status": "done", "loaded": [], "engine": ["ctranslate2", "sentencepiece"]}
    db.session.expire_all()
    assert all(p.current_revision.origin == "machine" for p in db.session.get(Article, seeded[2]).paragraphs)
