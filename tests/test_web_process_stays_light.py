"""The web process serves pages and queues translations without ever loading argostranslate, torch or CTranslate2."""
import json
import subprocess
import sys
import textwrap

from app.config import PROJECT_ROOT

HEAVY_MODULES = ("argostranslate", "torch", "ctranslate2", "sentencepiece", "stanza", "spacy")


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
