"""Every benchmark under bench/ that measures both engines runs to the end at a tiny size: on SQLite, and
beside it on PostgreSQL when the suite runs there (`make test-postgres`: the scripts get the test server as
--database-url and create and drop databases of their own on it)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import databases

PROJECT_ROOT = Path(__file__).resolve().parent.parent

TINY = {
    "review_bench.py": ["--paragraphs", "50", "--entities", "1", "--samples", "2", "--saves", "3",
                        "--approvals", "2"],
    "import_bench.py": ["--paragraphs", "200", "--batch-files", "5"],
    "export_bench.py": ["--paragraphs", "150", "--small", "150", "--repeat", "1", "--formats", "jsonl,moses",
                        "--profile", "none"],
    "tm_bench.py": ["--units", "400", "--approved", "40", "--samples", "2", "--approvals", "2"],
    "load_bench.py": ["--max-users", "2", "--step-seconds", "1", "--think", "0.05", "--paragraphs", "3",
                      "--entities", "1"],
}


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_at_a_tiny_size_on_every_engine_of_the_run(script, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIZAN_", "PYTEST"))}
    env["TMPDIR"] = str(tmp_path)  # the benchmark's work folder, removed with the test's
    command = [sys.executable, str(PROJECT_ROOT / "bench" / script), *TINY[script]]
    if databases.ON_POSTGRES:
        command += ["--database-url", databases.SERVER_URL]
        if databases.QUEUE_URL:
            command += ["--queue-url", databases.QUEUE_URL]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=280)
    output = completed.stdout
    assert completed.returncode == 0, f"{script} exited {completed.returncode}:\n{output[-3000:]}\n{completed.stderr[-3000:]}"
    side_by_side = next(line for line in output.splitlines() if line.startswith("Side by side"))
    assert "SQLite" in side_by_side
    assert ("PostgreSQL" in side_by_side) == databases.ON_POSTGRES
    assert "Traceback" not in output
    if script == "load_bench.py":
        assert "5xx" in output and " 0 5xx" in output
    if databases.ON_POSTGRES:  # the benchmark dropped every database it made
        with databases.postgres_server().engine.connect() as connection:
            left = connection.exec_driver_sql(
                "SELECT datname FROM pg_database WHERE starts_with(datname, 'mizan_bench_')").scalars().all()
        assert left == []


def test_agreement_benchmark_runs_at_a_tiny_size_and_agrees_with_seqeval(tmp_path):
    """bench/agreement_bench.py computes in-process, then (--http) serves the article from a throwaway SQLite
    instance and times the API: the same run on either engine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIZAN_", "PYTEST"))}
    env["TMPDIR"] = str(tmp_path)
    command = [sys.executable, str(PROJECT_ROOT / "bench" / "agreement_bench.py"), "--paragraphs", "12",
               "--entities", "40", "--repeats", "2", "--baseline-repeats", "1", "--http", "--samples", "3"]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=280)
    output = completed.stdout
    assert completed.returncode == 0, f"exited {completed.returncode}:\n{output[-3000:]}\n{completed.stderr[-3000:]}"
    assert "Arabic F1, precision, recall and κ equal seqeval's and sklearn's: yes" in output
    assert "Traceback" not in output
    targets = [line for line in output.splitlines() if line.strip().startswith(("PASS", "MISS"))]
    assert len(targets) == 4 and all("agreement computed" in line for line in targets[:3])
    assert "agreement API over HTTP (SQLite)" in targets[3]


def test_curation_benchmark_runs_at_a_tiny_size_on_every_engine_of_the_run(tmp_path):
    """bench/curation_bench.py times the curation view of a two-page article in-process and over HTTP, on
    SQLite and, when the suite runs there, PostgreSQL, against seqeval + sklearn in the same run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIZAN_", "PYTEST"))}
    env["TMPDIR"] = str(tmp_path)
    command = [sys.executable, str(PROJECT_ROOT / "bench" / "curation_bench.py"), "--paragraphs", "60",
               "--entities", "120", "--repeats", "2", "--samples", "2", "--baseline-repeats", "1"]
    if databases.ON_POSTGRES:
        command += ["--database-url", databases.SERVER_URL]
        if databases.QUEUE_URL:
            command += ["--queue-url", databases.QUEUE_URL]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=280)
    output = completed.stdout
    assert completed.returncode == 0, f"exited {completed.returncode}:\n{output[-3000:]}\n{completed.stderr[-3000:]}"
    assert "Traceback" not in output and "the article has 2 pages" in output
    targets = [line for line in output.splitlines() if line.strip().startswith(("PASS", "MISS"))]
    engines = ["SQLite"] + (["PostgreSQL"] if databases.ON_POSTGRES else [])
    assert [f"the curation view ({engine}, over HTTP" in line for engine, line in zip(engines, targets)] == \
        [True] * len(engines) and len(targets) == len(engines)
    assert all("baseline (seqeval + sklearn) / view" in line for line in targets)
