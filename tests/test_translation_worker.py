"""The real task queue: the web queues, a separate Huey consumer translates; and the CLI with no network at all."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.extensions import db
from app.models import Article
from app.services import mt_packages
from app.services import users as user_service
from tests.conftest import bearer
from tests.support.databases import server_env
from tests.support.tiny_argos import build_argos_package

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def package_file(tmp_path_factory):
    return build_argos_package(tmp_path_factory.mktemp("worker-model"))


def worker_env(instance_path: Path) -> dict:
    return server_env(instance_path, MIZAN_SECRET_KEY="worker-test-key")


def test_a_queued_translation_is_done_by_the_background_worker(client, app, instance_path, seeded, admin, package_file):
    mt_packages.install_package(package_file, app.instance_path)
    token = user_service.issue_api_token(admin)
    response = client.post(f"/api/v1/articles/{seeded[3]}/translate", headers=bearer(token))
    assert response.status_code == 202  # answered before any worker exists
    job_url = f"/api/v1/jobs/{response.get_json()['job_id']}"
    assert client.get(job_url, headers=bearer(token)).get_json()["status"] == "queued"

    consumer = subprocess.Popen(
        [str(BIN / "huey_consumer"), "app.tasks.huey", "--workers", "1"],
        cwd=PROJECT_ROOT, env=worker_env(instance_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job = client.get(job_url, headers=bearer(token)).get_json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.3)
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=30)[0].decode(errors="replace")
    assert job["status"] == "done", output
    assert job["done"] == job["total"] == 18
    db.session.expire_all()
    article = db.session.get(Article, seeded[3])
    assert article.status == "translated"
    assert all(p.current_revision.origin == "machine" for p in article.paragraphs)


@pytest.mark.skipif(shutil.which("unshare") is None, reason="unshare is not available")
def test_cli_installs_and_translates_inside_a_network_namespace(app, instance_path, seeded, package_file):
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode != 0:
        pytest.skip("this platform does not allow unprivileged network namespaces")
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    env = worker_env(instance_path)
    installed = subprocess.run(["unshare", "-rn", *flask, "mt", "install", str(package_file)],
                               cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr
    translated = subprocess.run(["unshare", "-rn", *flask, "mt", "translate", "--article", str(seeded[1])],
                                cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert translated.returncode == 0, translated.stderr
    assert f"article {seeded[1]}: done, 20/20 paragraphs" in translated.stdout
    # Translating again finds every draft in place and adds nothing.
    again = subprocess.run([*flask, "mt", "translate", "--article", str(seeded[1])],
                           cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert f"article {seeded[1]}: done, 20/20 paragraphs" in again.stdout
    db.session.expire_all()
    article = db.session.get(Article, seeded[1])
    assert article.status == "translated"
    assert all(p.version == 2 for p in article.paragraphs)  # one draft each, not two
