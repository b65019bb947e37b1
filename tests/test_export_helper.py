"""A large download (JSONL, a CoNLL or Moses side) is written by the request and the server's export helper
process together, from one snapshot, with the same bytes as one process; whatever the helper does, the
download completes. On both engines: SQLite shares the snapshot under the write lock, PostgreSQL with
pg_export_snapshot."""
from __future__ import annotations

import glob
import os
import signal
import tempfile
import threading
import time

import orjson
import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Article
from app.services import export
from app.services import users as user_service
from app.services.export import corpus as corpus_reader
from app.services.export import helper
from app.services.export.helper import export_helper
from tests.conftest import bearer, make_config

URL = "/api/v1/export/jsonl"


def wait_for_the_helper(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not export_helper.ready:
        assert time.monotonic() < deadline, "the export helper did not start"
        time.sleep(0.05)


@pytest.fixture(scope="module", autouse=True)
def _stop_the_helper_at_the_end():
    yield
    export_helper.stop()


@pytest.fixture
def sharing_app(app, two_approved_articles):  # noqa: F811
    """The app with the helper on and every JSONL download large enough to share; the helper running."""
    app.config.update(EXPORT_HELPER=True, EXPORT_HELPER_MIN_PARAGRAPHS=1)
    export.start_helper()
    wait_for_the_helper()
    return app


@pytest.fixture
def token_headers(corpus_user):  # noqa: F811
    return bearer(user_service.issue_api_token(corpus_user))


def one_process_jsonl() -> bytes:
    return b"".join(export.stream_export("jsonl", export.Selection()))


def helper_files() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "mizan-export-*.part")))


def test_a_large_download_is_shared_with_the_helper_and_equals_the_one_process_export(
        sharing_app, client, token_headers, two_approved_articles):  # noqa: F811
    before, files = export_helper.jobs_done, helper_files()
    response = client.get(URL, headers=token_headers)
    assert response.status_code == 200 and response.is_streamed
    assert response.get_data() == one_process_jsonl()
    assert export_helper.jobs_done == before + 1  # the second half came from the helper
    records = [orjson.loads(line) for line in response.get_data().splitlines()]
    assert {r["article_id"] for r in records} == {a.id for a in two_approved_articles}
    assert helper_files() == files  # its file is gone


@pytest.mark.parametrize("fmt, side", [("conll", "ar"), ("conll", "en"), ("moses", "en"), ("moses", "mt")])
def test_each_side_of_the_line_formats_is_shared_too(sharing_app, client, token_headers, fmt, side):
    before = export_helper.jobs_done
    download = client.get(f"/api/v1/export/{fmt}?side={side}&split_clitics=true", headers=token_headers).get_data()
    assert export_helper.jobs_done == before + 1
    assert download == b"".join(export.stream_export(fmt, export.Selection(), side=side, split_clitics=True)) != b""


def test_a_shared_export_reports_what_both_halves_wrote(sharing_app):
    alone, shared, before = export.ExportReport("conll"), export.ExportReport("conll"), export_helper.jobs_done
    chunks = export.stream_export("conll", export.Selection(), side="en", report=alone)
    assert b"".join(export.stream_export("conll", export.Selection(), side="en", report=shared,
                                         helper_min_paragraphs=1)) == b"".join(chunks)
    assert export_helper.jobs_done == before + 1 and shared.overlapping_entities_dropped == 1  # "Eurasian" in the ORG
    assert (shared.paragraphs, shared.entities, shared.links, shared.overlapping_entities_dropped) \
        == (alone.paragraphs, alone.entities, alone.links, alone.overlapping_entities_dropped) != (0, 0, 0, 0)


def test_both_halves_of_a_shared_download_read_one_snapshot(sharing_app, client, token_headers,
                                                          two_approved_articles):  # noqa: F811
    """A writer renames both articles in each of its transactions, one after another. A download that took
    the two halves' snapshots at different moments would show the two articles under different names."""
    first, second = (article.id for article in two_approved_articles)
    stop, renamed, renames = threading.Event(), threading.Event(), []
    articles = Article.__table__

    def keep_renaming():
        with sharing_app.app_context(), db.engine.connect() as connection:
            while not stop.is_set():
                with connection.begin():
                    connection.execute(update(articles).where(articles.c.id.in_((first, second)))
                                       .values(title=f"Renamed {len(renames)}"))
                renames.append(1)
                renamed.set()  # from now on both articles share a title at every commit
                time.sleep(0.0005)  # room for the download's own write lock (SQLite)

    writer = threading.Thread(target=keep_renaming)
    writer.start()
    try:
        assert renamed.wait(30), "the writer committed no rename in 30 s"
        before, renames_before = export_helper.jobs_done, len(renames)
        downloads = [client.get(URL, headers=token_headers).get_data() for _ in range(8)]
    finally:
        stop.set()
        writer.join()
    assert export_helper.jobs_done == before + 8
    assert len(renames) - renames_before >= 8, "the writer did not keep renaming while the downloads ran"
    for download in downloads:
        titles = {(r["article_id"], r["article"]["title"]) for r in map(orjson.loads, download.splitlines())}
        assert len(titles) == 2 and len({title for _, title in titles}) == 1, titles


def test_a_download_goes_on_alone_when_the_helper_fails(sharing_app, client, token_headers, tmp_path,
                                                       monkeypatch):
    monkeypatch.setattr(helper, "_temporary_file", lambda: str(tmp_path / "no-such-folder" / "half.jsonl"))
    before = export_helper.jobs_done
    response = client.get(URL, headers=token_headers)
    assert response.status_code == 200 and response.get_data() == one_process_jsonl()
    assert export_helper.jobs_done == before  # the request wrote the second half itself
    assert export_helper.ready  # a failed job does not cost the helper
    monkeypatch.undo()
    assert client.get(URL, headers=token_headers).get_data() == one_process_jsonl()
    assert export_helper.jobs_done == before + 1


def test_a_download_goes_on_alone_when_the_helper_dies(sharing_app, client, token_headers, monkeypatch):
    took_snapshot = helper._ready

    def ready_then_killed(pipe):
        answered = took_snapshot(pipe)
        os.kill(export_helper._process.pid, signal.SIGKILL)
        export_helper._process.join()
        return answered

    monkeypatch.setattr(helper, "_ready", ready_then_killed)
    before, files = export_helper.jobs_done, helper_files()
    response = client.get(URL, headers=token_headers)
    assert response.status_code == 200 and response.get_data() == one_process_jsonl()
    assert export_helper.jobs_done == before and not export_helper.ready and helper_files() == files
    monkeypatch.undo()
    assert client.get(URL, headers=token_headers).get_data() == one_process_jsonl()  # alone; starts it again
    wait_for_the_helper()
    assert client.get(URL, headers=token_headers).get_data() == one_process_jsonl()
    assert export_helper.jobs_done == before + 1


def test_a_dropped_download_stops_the_helper_and_removes_its_file(sharing_app, client, token_headers,
                                                                 monkeypatch):
    monkeypatch.setattr(corpus_reader, "CHUNK", 5)  # the request's half in several chunks
    before, files = export_helper.jobs_done, helper_files()
    response = client.get(URL, headers=token_headers, buffered=False)
    chunks = response.iter_encoded()
    assert next(chunks)
    assert len(helper_files()) == len(files) + 1  # the helper's half is being written
    response.close()  # the client went away after one chunk
    assert helper_files() == files and export_helper.ready and export_helper.jobs_done == before
    assert client.get(URL, headers=token_headers).get_data() == one_process_jsonl()
    assert export_helper.jobs_done == before + 1


def test_a_download_while_the_helper_is_busy_is_written_alone(sharing_app, client, token_headers, monkeypatch):
    monkeypatch.setattr(corpus_reader, "CHUNK", 5)
    before = export_helper.jobs_done
    first = client.get(URL, headers=token_headers, buffered=False)
    chunks = first.iter_encoded()
    started = next(chunks)  # this download holds the helper
    assert client.get(URL, headers=token_headers).get_data() == one_process_jsonl()
    assert export_helper.jobs_done == before
    assert started + b"".join(chunks) == one_process_jsonl()
    first.close()
    assert export_helper.jobs_done == before + 1


def test_small_downloads_and_other_formats_stay_in_the_request(sharing_app, client, token_headers):
    before = export_helper.jobs_done
    sharing_app.config["EXPORT_HELPER_MIN_PARAGRAPHS"] = 10_000
    assert client.get(URL, headers=token_headers).get_data() == one_process_jsonl()
    sharing_app.config["EXPORT_HELPER_MIN_PARAGRAPHS"] = 1
    assert client.get("/api/v1/export/tmx", headers=token_headers).status_code == 200
    assert export_helper.jobs_done == before


def test_the_server_starts_the_helper_on_its_first_request(instance_path):
    from app import create_app

    export_helper.stop()
    assert not export_helper.ready
    server = create_app(make_config(instance_path, EXPORT_HELPER=True))
    assert not export_helper.ready  # creating the app (as the CLI does) starts nothing
    server.test_client().get("/login")
    wait_for_the_helper()
