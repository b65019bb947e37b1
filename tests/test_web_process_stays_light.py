"""The web process serves pages and queues translations, and the CLI commands of a web machine run, without
ever loading argostranslate, torch or CTranslate2: a web machine needs only requirements/web.txt."""
import json
import subprocess
import sys
import textwrap

import pytest

from app.config import PROJECT_ROOT
from tests.support.databases import server_env

HEAVY_MODULES = ("argostranslate", "torch", "ctranslate2", "sentencepiece", "stanza", "spacy", "thinc", "minisbd",
                 "onnxruntime", "sacremoses")


def test_serving_every_kind_of_page_never_imports_the_mt_stack(tmp_path):
    from tests.support.tiny_argos import build_argos_package

    package_file = build_argos_package(tmp_path / "model")
    script = textwrap.dedent(f"""
        import json, re, sys
        from app import create_app
        from app.extensions import db
        from app.services import importing, mt_packages, users
        from flask_migrate import upgrade

        app = create_app({{"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": {str(tmp_path)!r},
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/m.sqlite"}})
        with app.app_context():
            upgrade()
            list(importing.import_paths([{str(PROJECT_ROOT / 'seeds')!r}], max_bytes=app.config["IMPORT_MAX_BYTES"]))
            admin = users.create_user("amina", "a long enough password", "admin")
            token = users.issue_api_token(admin)
            mt_packages.install_package({str(package_file)!r}, app.instance_path)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={{"username": "amina", "password": "a long enough password", "csrf_token": csrf}})
        statuses = [client.get(url).status_code for url in
                    ("/", "/admin/", "/admin/articles/1", "/admin/models", "/admin/users", "/articles/1", "/my-work",
                     "/api/v1/openapi.json")]
        headers = {{"Authorization": "Bearer " + token}}
        statuses += [client.get("/api/v1/articles/1", headers=headers).status_code,
                     client.post("/api/v1/articles/1/translate", headers=headers).status_code]
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY_MODULES!r})
        print(json.dumps({{"statuses": statuses, "loaded": loaded}}))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120, env={"PATH": "/usr/bin:/bin", "MIZAN_INSTANCE_PATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["statuses"] == [302, 200, 200, 200, 200, 200, 200, 200, 200, 202]
    assert report["loaded"] == []


def test_the_cli_commands_of_a_web_machine_never_import_the_mt_stack(instance_path, tmp_path):
    from tests.support.tiny_argos import build_argos_package

    package_file = build_argos_package(tmp_path / "model")
    # `flask --app wsgi COMMAND` for each, in one process whose app is created from the environment as wsgi.py does.
    script = textwrap.dedent(f"""
        import json, sys
        from flask.cli import ScriptInfo, cli
        from app import create_app

        app = create_app()
        runner = app.test_cli_runner()
        commands = [
            (["db", "upgrade"], None),
            (["import", {str(PROJECT_ROOT / 'seeds')!r}], None),
            (["users", "create", "amina", "--role", "admin", "--password-stdin"], "a long enough password\\n"),
            (["users", "token", "amina"], None),
            (["users", "list"], None),
            (["assign", "1", "amina"], None),
            (["qa"], None),
            (["glossary", "export", "-"], None),
            (["export", "jsonl", "-o", {str(tmp_path / 'corpus.jsonl')!r}, "--status", "any"], None),
            (["backup", {str(tmp_path / 'backup.db')!r}], None),
            (["mt", "install", {str(package_file)!r}], None),
            (["mt", "list"], None),
        ]
        codes = []
        for args, stdin in commands:
            result = runner.invoke(cli, args, input=stdin, obj=ScriptInfo(create_app=lambda: app))
            codes.append([" ".join(args[:2]), result.exit_code, result.output[-300:] if result.exit_code else ""])
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY_MODULES!r})
        print(json.dumps({{"codes": codes, "loaded": loaded}}))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=240, env=server_env(instance_path, MIZAN_SECRET_KEY="web-cli-test-key"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [code for _, code, _ in report["codes"]] == [0] * 12, report["codes"]
    assert report["loaded"] == []


def test_on_a_web_tier_machine_translating_commands_say_where_translation_runs(app, seeded, monkeypatch, tmp_path):
    """Without the model stack (sys.modules[name] = None: neither importable nor found), `mt translate` refuses
    before creating a job, `mt install --download` names what to do instead, and a worker that starts here
    fails its job with that reason, not an ImportError."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Article, TranslationJob
    from app.services import mt, mt_engine, mt_packages
    from tests.support.tiny_argos import build_argos_package

    package = mt_packages.install_package(build_argos_package(tmp_path / "model"), app.instance_path)
    for name in ("ctranslate2", "sentencepiece", "argostranslate"):
        monkeypatch.setitem(sys.modules, name, None)
    runner = app.test_cli_runner()

    translate = runner.invoke(args=["mt", "translate", "--article", str(seeded[0])])
    assert translate.exit_code == 1
    assert ("Error: this machine cannot translate: ctranslate2, sentencepiece not installed (a web-tier install, "
            "requirements/web.txt); translations run on a worker machine (make install-worker)") in translate.output
    assert db.session.scalar(select(func.count()).select_from(TranslationJob)) == 0

    download = runner.invoke(args=["mt", "install", "--download"])
    assert download.exit_code == 1
    assert "--download needs argostranslate, which only the full install has" in download.output
    assert "mt install FILE" in download.output

    mt_engine.unload_all()
    job = mt.create_translation_job(db.session.get(Article, seeded[0]), package, actor=None).job
    with pytest.raises(mt_engine.EngineNotInstalled, match="this machine cannot translate"):
        mt.run_translation_job(job.id, app.instance_path, mt_engine.get_translator)
