"""Corpus users take the reviewed corpus out: every format loads in the tools that read it."""
from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema_rs
import orjson
import pytest
import sacrebleu

from app.extensions import db
from app.models import Article, Paragraph, Translation
from app.services import assignment as assignment_service
from app.services import export
from app.services.export.conll import DOCSTART
from app.services import review as review_service
from app.services import users as user_service
from tests.conftest import bearer, log_in
from tests.support import databases
from tests.support.fixtures import MODEL_ID, TITLE_EN, tag
from tests.support.xml_schemas import (
    read_tmx_units,
    read_xliff12_units,
    read_xliff20_units,
    validate_tmx14,
    validate_xliff12,
    validate_xliff20,
)

ROOT = Path(__file__).resolve().parent.parent
JSONL_SCHEMA = ROOT / "docs" / "jsonl-record.schema.json"
def run_export(fmt: str, tmp_path: Path, selection: export.Selection | None = None, **options):
    prefix = str(tmp_path / f"corpus-{fmt}")
    report = export.write_export(fmt, selection or export.Selection(), prefix, **options)
    return report, prefix


def jsonl_records(path: str) -> list[dict]:
    return [orjson.loads(line) for line in Path(path).read_bytes().splitlines()]


def approved_text_paragraphs(article: Article) -> list[Paragraph]:
    return [p for p in article.paragraphs if p.kind in ("title", "body")]


# JSONL -------------------------------------------------------------------------------------------


def test_jsonl_has_every_approved_text_paragraph_with_its_history(corpus, tmp_path):
    report, path = run_export("jsonl", tmp_path)
    records = jsonl_records(path)
    expected = approved_text_paragraphs(corpus)
    assert [r["paragraph_id"] for r in records] == [p.id for p in expected]
    assert report.paragraphs == len(expected) and report.files == [path]
    title = records[0]
    assert title["kind"] == "title" and title["ar"] == corpus.paragraphs[0].ar and title["en"] == TITLE_EN
    assert title["mt"]["text"] == "Machine draft of paragraph A." and title["mt"]["model_id"] == MODEL_ID
    assert title["en_origin"] == "human" and title["en_author"] == "rami"
    assert title["approved_by"] == "rami" and title["approved_at"].endswith("Z")
    assert title["reviewers"] == [{"username": "rami", "role": "reviewer"}]
    assert title["article"]["published"] == "2022-06-10" and title["article"]["filename"].startswith("000_")
    assert title["effort"]["seconds"] == 42 and title["effort"]["char_edit_distance"] > 0
    assert 0 < title["effort"]["hter"]
    assert {e["label"] for e in title["entities"]["ar"]} == {"LOC", "ORG"}
    assert len(title["entities"]["en"]) == 4 and len(title["links"]) == 3
    assert all(r["qa"] is not None for r in records)
    # Placeholder drafts miss the Arabic's numbers: approved with an override, whose reason travels along.
    assert any(r["effort"]["override_reason"] == "Placeholder draft in an export test." for r in records)


def test_jsonl_round_trips_every_entity_surface_from_its_offsets(corpus, tmp_path):
    _, path = run_export("jsonl", tmp_path)
    checked = 0
    for record in jsonl_records(path):
        ids = {}
        for side in ("ar", "en"):
            for entity in record["entities"][side]:
                assert record[side][entity["start"]:entity["end"]] == entity["text"]
                ids[entity["id"]] = side
                checked += 1
        for link in record["links"]:
            assert ids[link["ar"]] == "ar" and ids[link["en"]] == "en"
    assert checked == 7


def test_jsonl_records_match_the_documented_schema(corpus, tmp_path):
    _, path = run_export("jsonl", tmp_path)
    validator = jsonschema_rs.validator_for(orjson.loads(JSONL_SCHEMA.read_bytes()))
    for record in jsonl_records(path):
        validator.validate(record)


def test_jsonl_of_any_status_holds_current_english_of_unapproved_paragraphs(corpus, reviewer, tmp_path):
    body = corpus.paragraphs[1]
    db.session.refresh(body)
    review_service.save_translation(body.id, "Reopened and edited, not approved yet.", body.version, actor=reviewer)
    _, approved_only = run_export("jsonl", tmp_path)
    assert body.id not in [r["paragraph_id"] for r in jsonl_records(approved_only)]
    everything = export.write_export("jsonl", export.Selection(status="any"), str(tmp_path / "any.jsonl"))
    reopened = [r for r in jsonl_records(str(tmp_path / "any.jsonl")) if r["paragraph_id"] == body.id]
    assert reopened[0]["status"] == "edited" and reopened[0]["en"] == "Reopened and edited, not approved yet."
    assert reopened[0]["approved_by"] is None and reopened[0]["effort"] is None
    assert everything.paragraphs == len(approved_text_paragraphs(corpus))  # the others have no English at all


def test_filters_kind_article_reviewer_dates_and_labels(corpus, other_reviewer, tmp_path):
    def ids(selection):
        path = tmp_path / "filtered.jsonl"
        export.write_export("jsonl", selection, str(path))
        return jsonl_records(str(path))

    every_kind = ids(export.Selection(kind="all"))
    assert {r["kind"] for r in every_kind} == {"title", "body", "credit"}
    assert len(every_kind) == len(corpus.paragraphs)
    assert ids(export.Selection(article_ids=(corpus.id + 1,))) == []
    assert len(ids(export.Selection(article_ids=(corpus.id,)))) == len(approved_text_paragraphs(corpus))
    assert len(ids(export.Selection(reviewer="rami"))) == len(approved_text_paragraphs(corpus))
    assert ids(export.Selection(reviewer=other_reviewer.username)) == []
    from datetime import date, timedelta

    today = date.today()
    assert ids(export.Selection(published_from=date(2022, 6, 10), published_to=date(2022, 6, 10)))
    assert ids(export.Selection(published_from=date(2022, 6, 11))) == []
    assert ids(export.Selection(approved_from=today - timedelta(days=1), approved_to=today + timedelta(days=1)))
    assert ids(export.Selection(approved_to=today - timedelta(days=1))) == []
    only_places = ids(export.Selection(labels=("LOC",)))[0]
    assert {e["label"] for side in ("ar", "en") for e in only_places["entities"][side]} == {"LOC"}
    assert len(only_places["links"]) == 2  # the ORG link went with its entities


@pytest.mark.parametrize("selection, message", [
    (export.Selection(labels=("PERSON",)), "Unknown label(s): PERSON"),
    (export.Selection(reviewer="nobody"), "No user named 'nobody'"),
    (export.Selection(status="final"), "status must be one of"),
    (export.Selection(published_from=__import__("datetime").date(2023, 1, 2),
                      published_to=__import__("datetime").date(2023, 1, 1)), "is after"),
])
def test_a_bad_filter_is_refused_and_writes_no_file(corpus, tmp_path, selection, message):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(export.SelectionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        export.write_export("tmx", selection, str(out / "refused.tmx"))
    assert list(out.iterdir()) == []


def test_an_export_reads_one_snapshot_while_reviewers_keep_working(corpus, reviewer, monkeypatch):
    from app.services.export import corpus as corpus_reader

    monkeypatch.setattr(corpus_reader, "CHUNK", 5)  # several chunks, read one after another
    stream = export.stream_export("jsonl", export.Selection(status="any"))
    first_chunk = next(stream)
    last = approved_text_paragraphs(corpus)[-1]
    db.session.refresh(last)
    review_service.save_translation(last.id, "Changed while the export ran.", last.version, actor=reviewer)
    word = last.ar.split()[0]
    tag(last.id, "ar", last.ar, word, "MISC", reviewer)  # read by a later query of the export
    records = [orjson.loads(line) for line in (first_chunk + b"".join(stream)).splitlines()]
    assert len(records) == len(approved_text_paragraphs(corpus))
    assert records[-1]["paragraph_id"] == last.id and records[-1]["status"] == "approved"
    assert "Changed while the export ran." not in {r["en"] for r in records}
    assert records[-1]["entities"]["ar"] == []
    after = jsonl_records_of(export.stream_export("jsonl", export.Selection(status="any")))
    assert after[-1]["en"] == "Changed while the export ran." and len(after[-1]["entities"]["ar"]) == 1


def test_only_the_paragraphs_are_streamed_and_each_chunk_reads_its_parts_by_one_list_of_ids(corpus, monkeypatch):
    """A chunk's entities, links, drafts and approvals are plain queries beside the one server-side cursor.
    (When the cursor's options stuck to the connection, PostgreSQL ran each of them as a cursor planned for
    its first rows: a scan of a whole table in id order per chunk, quadratic in the corpus.)"""
    from app.database import one_of_ids
    from app.services.export import corpus as corpus_reader

    monkeypatch.setattr(corpus_reader, "CHUNK", 2)
    with corpus_reader.read_snapshot(db.engine) as connection:
        options = dict(connection.get_execution_options())
        chunks = corpus_reader.iter_record_chunks(connection, export.Selection())
        records = [record for chunk in chunks for record in chunk
                   if connection.get_execution_options() == options]  # unchanged while it reads
    assert len(records) == len(approved_text_paragraphs(corpus))
    assert sum(len(r["entities"]["ar"]) + len(r["entities"]["en"]) for r in records) > 0
    assert any(r["links"] for r in records) and all(r["mt"] and r["approved_by"] for r in records)
    # On PostgreSQL the ids are one array parameter, whatever their number; SQLite has a placeholder per id.
    condition = one_of_ids(Paragraph.__table__.c.id, db.engine.dialect.name)
    compiled = condition.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": False})
    if db.engine.dialect.name == "postgresql":
        assert "= ANY (" in str(compiled) and list(compiled.binds) == ["ids"]
    else:
        assert " IN (" in str(compiled)


def test_export_times_are_iso_whatever_the_database_session_prints_dates_as(app):
    """Export times are read as text (`database.utc_text`); on PostgreSQL through `to_char`, so a server set
    to print dates another way (DateStyle) still exports ISO 8601."""
    from sqlalchemy import DateTime, literal, select

    from app.database import utc_text
    from app.services.export.corpus import iso_utc

    moment = datetime.datetime(2026, 3, 1, 7, 5, 9, 250_000)
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL DateStyle = 'SQL, DMY'")  # until the rollback
            stored = literal(moment, DateTime())
        else:
            stored = literal("2026-03-01 07:05:09.250000")  # as SQLAlchemy stores a DateTime in SQLite
        text = connection.execute(select(utc_text(stored))).scalar_one()
        connection.rollback()
    assert isinstance(text, str) and iso_utc(text) == "2026-03-01T07:05:09Z"


def jsonl_records_of(chunks) -> list[dict]:
    return [orjson.loads(line) for line in b"".join(chunks).splitlines()]


# A two-process JSONL export forks, which Mizan does only in a process without other threads (the CLI):
# this test process has some (Playwright's), so the export runs in a fresh Python process, with the
# size threshold lowered, and reports back as JSON.
FRESH_PROCESS_EXPORT = """
import json, os, sys, time
from app import create_app
from app.extensions import db
from app.models import Paragraph
from app.services import export, users
from app.services import review as review_service
from app.services.export import corpus as corpus_reader, parallel

instance, database_url, out, status, edit_id = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
parallel.PARALLEL_MIN_PARAGRAPHS = 1
corpus_reader.CHUNK = 5  # several chunks per half
ran = []
# The second process reads its half late: the edit below is committed by then, and it must still not see it
# (its snapshot is the first one's, taken before).
parent, write_half = os.getpid(), parallel._write_half

def late_second_half(*args):
    if os.getpid() != parent:
        time.sleep(0.5)
    return write_half(*args)

parallel._write_half = late_second_half
split = parallel.write_jsonl_in_two_processes
parallel.write_jsonl_in_two_processes = lambda *args: ran.append(split(*args)) or ran[-1]
app = create_app({"TESTING": True, "SECRET_KEY": "test", "INSTANCE_PATH": instance,
                  "SQLALCHEMY_DATABASE_URI": database_url})
edited = []

def edit_once(_count):
    # After this process has written its first chunk: an edit the second process must not see either.
    if edit_id and not edited:
        paragraph = db.session.get(Paragraph, edit_id)
        review_service.save_translation(edit_id, "Edited during the export.", paragraph.version,
                                        actor=users.require_user("amina"))
        edited.append(edit_id)

with app.app_context():
    report = export.write_export("jsonl", export.Selection(status=status), out, progress=edit_once)
print(json.dumps({"ran": ran, "paragraphs": report.paragraphs, "entities": report.entities,
                  "links": report.links, "edited": edited}))
"""


def export_in_fresh_process(instance_path: Path, out: Path, status: str = "approved", edit_id: int = 0) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS_EXPORT, str(instance_path), databases.database_url(instance_path), str(out),
         status, str(edit_id)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return orjson.loads(result.stdout.strip().splitlines()[-1])


def test_a_large_jsonl_export_by_two_processes_is_the_one_process_export(two_approved_articles, instance_path,
                                                                       tmp_path):
    path = tmp_path / "two-processes.jsonl"
    outcome = export_in_fresh_process(instance_path, path)
    assert outcome["ran"] == [True]  # written by two processes
    single = b"".join(export.stream_export("jsonl", export.Selection()))  # streams never fork
    assert path.read_bytes() == single
    records = jsonl_records(str(path))
    assert {r["article_id"] for r in records} == {a.id for a in two_approved_articles}
    assert outcome["paragraphs"] == len(records) and outcome["entities"] == 7 and outcome["links"] == 3
    assert sorted(f.name for f in tmp_path.iterdir() if f.name.startswith("two-processes")) == ["two-processes.jsonl"]


def test_both_processes_of_a_parallel_export_read_one_snapshot(two_approved_articles, instance_path, tmp_path):
    late = [p for p in two_approved_articles[1].paragraphs if p.kind == "body"][-1]  # in the second half
    path = tmp_path / "during.jsonl"
    outcome = export_in_fresh_process(instance_path, path, status="any", edit_id=late.id)
    assert outcome["ran"] == [True] and outcome["edited"] == [late.id]
    during = {r["paragraph_id"]: r for r in jsonl_records(str(path))}
    assert during[late.id]["status"] == "approved" and during[late.id]["en"] != "Edited during the export."
    db.session.expire_all()
    assert db.session.get(Paragraph, late.id).status == "edited"  # the edit itself went through


def test_the_second_half_is_appended_whole_when_the_kernel_copy_stops_midway(tmp_path, monkeypatch):
    from app.services.export import parallel

    first, second = tmp_path / "first", tmp_path / "second"
    first.write_bytes(b"first half\n" * 1000)
    second.write_bytes(bytes(range(256)) * 1000)
    kernel_copy, calls = os.copy_file_range, []

    def copy_then_fail(source, target, count):  # as across file systems on older kernels: EXDEV
        calls.append(count)
        if len(calls) > 1:
            raise OSError(18, "Invalid cross-device link")
        return kernel_copy(source, target, 100)

    monkeypatch.setattr(parallel.os, "copy_file_range", copy_then_fail)
    parallel._append(second, first)
    assert first.read_bytes() == b"first half\n" * 1000 + bytes(range(256)) * 1000 and len(calls) == 2


# XML formats -------------------------------------------------------------------------------------

# Each XML format, its official schema, and translate-toolkit's reader.
XML_FORMATS = [
    ("tmx", validate_tmx14, read_tmx_units),
    ("xliff2", validate_xliff20, read_xliff20_units),
    ("xliff12", validate_xliff12, read_xliff12_units),
]


@pytest.mark.parametrize("fmt, validate, read", XML_FORMATS)
def test_xml_exports_are_valid_and_read_back_by_translate_toolkit(corpus, tmp_path, fmt, validate, read):
    _, path = run_export(fmt, tmp_path)
    validate(Path(path))
    units = read(Path(path))
    expected = approved_text_paragraphs(corpus)
    assert len(units) == len(expected)
    assert units == [(p.ar, db.session.get(Translation, p.approved_revision_id).text) for p in expected]


def test_xml_exports_carry_provenance_and_workflow_state(corpus, tmp_path):
    _, tmx = run_export("tmx", tmp_path)
    text = Path(tmx).read_text(encoding="utf-8")
    assert f'<prop type="x-mizan-mt-model">{MODEL_ID}</prop>' in text
    assert '<prop type="x-mizan-approved-by">rami</prop>' in text and 'changeid="rami"' in text
    assert 'srclang="ar"' in text and 'segtype="paragraph"' in text
    _, xliff2 = run_export("xliff2", tmp_path)
    text = Path(xliff2).read_text(encoding="utf-8")
    assert text.count('state="final"') == len(approved_text_paragraphs(corpus))
    assert f'<note category="mt-model">{MODEL_ID}</note>' in text and 'srcDir="rtl"' in text
    _, xliff12 = run_export("xliff12", tmp_path)
    text = Path(xliff12).read_text(encoding="utf-8")
    assert text.count('state="signed-off"') == len(approved_text_paragraphs(corpus))
    assert f'<alt-trans origin="{MODEL_ID}" alttranstype="proposal">' in text


def test_xliff12_units_keep_paragraph_id_kind_and_article_through_xliff2po(two_approved_articles, tmp_path):
    """translate-toolkit's xliff2po keeps a unit's location context groups (as `#:` references) and only notes
    from a translator or developer: the Mizan ids reach the PO file as `a<article>/p<paragraph>/<kind>`."""
    from translate.storage import factory

    _, xliff12 = run_export("xliff12", tmp_path)
    text = Path(xliff12).read_text(encoding="utf-8")
    validate_xliff12(Path(xliff12))
    paragraphs = [p for article in two_approved_articles for p in approved_text_paragraphs(article)]
    for p in paragraphs:
        assert f'<trans-unit id="p{p.id}" resname="p{p.id}" approved="yes"' in text
    assert 'from="kind"' not in text and '<note from="mizan">kind: title</note>' in text
    named = tmp_path / "corpus.xliff"  # xliff2po reads files by their extension
    named.write_text(text, encoding="utf-8")
    po_path = tmp_path / "corpus.po"
    xliff2po = Path(sys.executable).with_name("xliff2po")  # the command translate-toolkit installs
    subprocess.run([str(xliff2po), "-i", str(named), "-o", str(po_path)], capture_output=True, text=True, check=True)
    units = [u for u in factory.getobject(str(po_path)).units if not u.isheader()]
    assert [u.getlocations() for u in units] == [[f"a{p.article_id}/p{p.id}/{p.kind}"] for p in paragraphs]
    assert [u.source for u in units] == [p.ar for p in paragraphs]


def test_xliff2_units_are_named_by_their_paragraph(corpus, tmp_path):
    _, xliff2 = run_export("xliff2", tmp_path)
    text = Path(xliff2).read_text(encoding="utf-8")
    for p in approved_text_paragraphs(corpus):
        assert f'<unit id="p{p.id}" name="p{p.id}">' in text


def test_unapproved_paragraphs_keep_their_workflow_state_in_xliff(corpus, reviewer, tmp_path):
    body = corpus.paragraphs[2]
    db.session.refresh(body)
    review_service.save_translation(body.id, "An edit that reopens the paragraph.", body.version, actor=reviewer)
    _, xliff2 = run_export("xliff2", tmp_path, export.Selection(status="any"))
    validate_xliff20(Path(xliff2))
    assert Path(xliff2).read_text(encoding="utf-8").count('state="translated"') == 1
    _, xliff12 = run_export("xliff12", tmp_path, export.Selection(status="any"))
    validate_xliff12(Path(xliff12))
    assert Path(xliff12).read_text(encoding="utf-8").count('state="translated"') == 1


def test_control_characters_never_make_invalid_xml_and_are_reported(corpus, reviewer, tmp_path):
    """No user may send them any more (services/user_text.py), but English stored before that check can
    carry them: this revision is written as an older Mizan stored a save."""
    body = corpus.paragraphs[1]
    db.session.refresh(body)
    stored_before = Translation(paragraph_id=body.id, text="A bell\x07 and a form feed\x0c inside.", origin="human",
                                author_id=reviewer.id, parent_id=body.current_revision_id)
    db.session.add(stored_before)
    db.session.flush()
    body.current_revision_id, body.status, body.version = stored_before.id, "edited", body.version + 1
    db.session.commit()
    review_service.approve_paragraph(body.id, body.version, actor=reviewer, override_reason="test")
    for fmt, validate, _ in XML_FORMATS:
        report, path = run_export(fmt, tmp_path)
        validate(Path(path))
        assert report.cleaned_for_xml == {body.id}
        assert f"paragraph(s): {body.id}" in report.warnings()[0]
        assert "A bell and a form feed inside." in Path(path).read_text(encoding="utf-8")
    _, jsonl = run_export("jsonl", tmp_path)
    kept = [r for r in jsonl_records(jsonl) if r["paragraph_id"] == body.id][0]
    assert kept["en"] == "A bell\x07 and a form feed\x0c inside."


@pytest.mark.parametrize("fmt, validate, read", XML_FORMATS)
def test_an_empty_selection_is_a_valid_empty_file(app, tmp_path, fmt, validate, read):
    report, path = run_export(fmt, tmp_path)
    validate(Path(path))
    assert read(Path(path)) == [] and report.paragraphs == 0


def test_empty_line_formats_are_empty_files(app, tmp_path):
    _, jsonl = run_export("jsonl", tmp_path)
    assert Path(jsonl).read_bytes() == b""
    report, prefix = run_export("moses", tmp_path)
    assert [Path(f).read_bytes() for f in report.files] == [b"", b"", b""]


# Moses and CoNLL ---------------------------------------------------------------------------------


def test_moses_files_are_line_aligned_and_sacrebleu_scores_the_drafts_from_them(corpus, tmp_path):
    report, prefix = run_export("moses", tmp_path)
    assert report.files == [prefix + ".ar", prefix + ".en", prefix + ".mt"]
    ar, en, mt = (Path(f).read_text(encoding="utf-8").split("\n") for f in report.files)
    expected = approved_text_paragraphs(corpus)
    assert len(ar) == len(en) == len(mt) == len(expected) + 1  # a newline ends each line
    assert ar[0] == expected[0].ar and en[0] == TITLE_EN and mt[0] == "Machine draft of paragraph A."
    # sacrebleu straight from the files, as an MT engineer would run it.
    for metric in ("bleu", "chrf", "ter"):
        result = subprocess.run(
            [sys.executable, "-m", "sacrebleu", prefix + ".en", "-i", prefix + ".mt", "-m", metric, "-b"],
            capture_output=True, text=True, check=True,
        )
        score = float(result.stdout.strip())
        by_api = {"bleu": sacrebleu.corpus_bleu, "chrf": sacrebleu.corpus_chrf, "ter": sacrebleu.corpus_ter}[metric](
            mt[:-1], [en[:-1]]).score
        assert score == pytest.approx(by_api, abs=0.05)


def test_moses_keeps_lines_aligned_when_a_paragraph_has_a_line_break(corpus, reviewer, tmp_path):
    body = corpus.paragraphs[1]
    db.session.refresh(body)
    saved = review_service.save_translation(body.id, "First line\nsecond line\u2028third.", body.version, actor=reviewer)
    review_service.approve_paragraph(body.id, saved.version, actor=reviewer, override_reason="test")
    report, prefix = run_export("moses", tmp_path)
    lines = Path(prefix + ".en").read_text(encoding="utf-8").split("\n")
    assert lines[1] == "First line second line third." and report.line_breaks_replaced == {body.id}


def conll_articles(path: str) -> list[list[str]]:
    """The paragraph blocks of a CoNLL file, article by article: it starts each article with the DOCSTART line."""
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith(DOCSTART) or text == ""
    return [article.split("\n\n")[:-1] for article in text.split(DOCSTART)[1:]]


def test_conll_tags_follow_the_entity_offsets_in_both_languages(corpus, tmp_path):
    report, prefix = run_export("conll", tmp_path)
    assert report.files == [prefix + ".ar.conll", prefix + ".en.conll"]
    [ar_blocks] = conll_articles(prefix + ".ar.conll")
    [en_blocks] = conll_articles(prefix + ".en.conll")
    assert len(ar_blocks) == len(en_blocks) == len(approved_text_paragraphs(corpus))
    ar_title = [line.split("\t") for line in ar_blocks[0].splitlines()]
    assert ar_title[:3] == [["روسيا", "B-LOC"], ["و", "O"], ["تركمانستان", "B-LOC"]]
    assert ["الاتحاد", "B-ORG"] in ar_title and ["الاقتصادي", "I-ORG"] in ar_title and ["الأوراسي", "I-ORG"] in ar_title
    en_title = [line.split("\t") for line in en_blocks[0].splitlines()]
    assert en_title[:3] == [["Russia", "B-LOC"], ["and", "O"], ["Turkmenistan", "B-LOC"]]
    assert ["Eurasian", "B-ORG"] in en_title and ["Union", "I-ORG"] in en_title
    assert report.overlapping_entities_dropped == 1  # the MISC inside the ORG
    assert all(len(line.split("\t")) == 2 for block in ar_blocks + en_blocks for line in block.splitlines())


def test_conll_cuts_a_word_an_entity_starts_inside_the_same_way_in_every_paragraph(corpus, tmp_path):
    """The title's entity تركمانستان inside وتركمانستان: the untagged وتركمانستان of the body is cut alike."""
    _, prefix = run_export("conll", tmp_path)
    tokens = [line.split("\t")[0] for article in conll_articles(prefix + ".ar.conll") for block in article
              for line in block.splitlines()]
    body_text = "".join(p.ar for p in approved_text_paragraphs(corpus)[1:])
    assert "وتركمانستان" in body_text and "وتركمانستان" not in tokens
    words = " ".join(p.ar for p in approved_text_paragraphs(corpus)).split()
    assert tokens.count("تركمانستان") == sum(word.strip('"،.') in ("تركمانستان", "وتركمانستان") for word in words)


def test_conll_tokens_rebuild_every_paragraph_without_spaces(corpus, tmp_path):
    _, prefix = run_export("conll", tmp_path)
    _, jsonl = run_export("jsonl", tmp_path)
    records = jsonl_records(jsonl)
    for side in ("ar", "en"):
        blocks = [block for article in conll_articles(f"{prefix}.{side}.conll") for block in article]
        for record, block in zip(records, blocks, strict=True):
            tokens = "".join(line.split("\t")[0] for line in block.splitlines())
            assert tokens == "".join(record[side].split())


def test_conll_of_two_articles_loads_in_spacy_convert_as_two_documents_with_every_entity(two_approved_articles,
                                                                                        tmp_path):
    """`spacy convert --converter ner` splits documents at the DOCSTART lines and finds each entity CoNLL can
    show (all but the MISC that overlaps the ORG) on the same tokens."""
    from spacy.tokens import DocBin

    import spacy

    report, prefix = run_export("conll", tmp_path)
    _, jsonl = run_export("jsonl", tmp_path)
    records = jsonl_records(jsonl)
    for side in ("ar", "en"):
        out = tmp_path / f"spacy-{side}"
        out.mkdir()
        subprocess.run([sys.executable, "-m", "spacy", "convert", f"{prefix}.{side}.conll", str(out),
                        "--converter", "ner", "--lang", side], capture_output=True, text=True, check=True)
        docs = list(DocBin().from_disk(out / f"corpus-conll.{side}.spacy").get_docs(spacy.blank(side).vocab))
        assert len(docs) == len(two_approved_articles) == 2
        found = [(ent.label_, "".join(ent.text.split())) for doc in docs for ent in doc.ents]
        entities = [e for r in records for e in r["entities"][side]]
        assert len(found) == len(entities) - (1 if side == "en" else 0) == 3
        wanted = [(e["label"], "".join(e["text"].split())) for e in entities if e["label"] != "MISC"]
        assert found == wanted
    assert report.overlapping_entities_dropped == 1


def test_spacy_docbin_of_the_jsonl_export_keeps_every_text_and_entity(two_approved_articles, tmp_path):
    """The DocBin a release ships, from the JSONL records: the texts exactly, every entity on tokens (the MISC
    that overlaps the ORG in the span group only), the paragraph ids, and the same tokens as CoNLL."""
    import spacy
    from spacy.tokens import DocBin

    from app.services.export.spacy_docs import SPAN_GROUP, DocCounts, docbin_bytes

    _, jsonl = run_export("jsonl", tmp_path)
    _, prefix = run_export("conll", tmp_path)
    records = jsonl_records(jsonl)
    for side in ("ar", "en"):
        counts = DocCounts()
        docs = list(DocBin().from_bytes(docbin_bytes(records, side, counts=counts)).get_docs(spacy.blank(side).vocab))
        assert [doc.text for doc in docs] == [r[side] for r in records]
        assert [doc.user_data["paragraph_id"] for doc in docs] == [r["paragraph_id"] for r in records]
        spans = [(s.start_char, s.end_char, s.label_) for doc in docs for s in doc.spans[SPAN_GROUP]]
        assert spans == [(e["start"], e["end"], e["label"]) for r in records for e in r["entities"][side]]
        overlapping = 1 if side == "en" else 0
        assert counts.ents == sum(len(doc.ents) for doc in docs) == len(spans) - overlapping
        assert counts.overlapping == overlapping
        conll_tokens = [line.split("\t")[0] for article in conll_articles(f"{prefix}.{side}.conll")
                        for block in article for line in block.splitlines()]
        assert [t.text for doc in docs for t in doc if not t.is_space] == conll_tokens


def test_split_clitics_option_splits_proclitics_before_the_article_only(corpus, tmp_path):
    from app.services.export.conll import tokens

    text = "وزير والقاهرة بالقدس والد وبالقاهرة"
    assert tokens(text, split_clitics=True) == ["وزير", "و", "القاهرة", "ب", "القدس", "والد", "و", "ب", "القاهرة"]
    assert tokens(text) == text.split()


def test_conll_numbers_in_both_digit_systems_stay_whole():
    from app.services.export.conll import tokens

    text = "نما ٢٨٫٢ مليار و28.2% في 2022م، COVID-19 و28th."
    assert tokens(text) == ["نما", "٢٨٫٢", "مليار", "و", "28.2", "%", "في", "2022", "م", "،", "COVID-19", "و", "28th", "."]


# CLI ---------------------------------------------------------------------------------------------


def test_cli_writes_a_prefix_pair_and_reports(corpus, app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "conll", "-o", str(tmp_path / "ner"), "--labels", "LOC,ORG"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ner.ar.conll").exists() and (tmp_path / "ner.en.conll").exists()
    assert "Exported 33 paragraphs" in result.stderr or "Exported 33 paragraphs" in result.output


def test_cli_writes_to_stdout(corpus, app):
    result = app.test_cli_runner().invoke(args=["export", "jsonl", "-o", "-"])
    assert result.exit_code == 0
    lines = result.stdout_bytes.splitlines()
    assert len(lines) == len(approved_text_paragraphs(corpus)) and orjson.loads(lines[0])["en"] == TITLE_EN


def test_cli_refuses_unknown_label_without_writing(corpus, app, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = app.test_cli_runner().invoke(args=["export", "tmx", "-o", str(out / "x.tmx"), "--labels", "NOPE"])
    assert result.exit_code == 1 and "Unknown label(s): NOPE" in result.output
    assert list(out.iterdir()) == []


def test_cli_stdout_of_a_two_file_format_needs_a_side(corpus, app):
    result = app.test_cli_runner().invoke(args=["export", "moses", "-o", "-"])
    assert result.exit_code == 1 and "choose side ar or en or mt" in result.output
    result = app.test_cli_runner().invoke(args=["export", "moses", "-o", "-", "--side", "mt"])
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "Machine draft of paragraph A."


# API and the export page -------------------------------------------------------------------------


def test_corpus_user_streams_the_export_through_the_api(corpus, client, corpus_user):
    headers = bearer(user_service.issue_api_token(corpus_user))
    response = client.get("/api/v1/export/jsonl", headers=headers)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/x-ndjson"
    assert 'filename="mizan-corpus.jsonl"' in response.headers["Content-Disposition"]
    lines = response.get_data().splitlines()
    assert len(lines) == len(approved_text_paragraphs(corpus))
    moses = client.get("/api/v1/export/moses?side=en", headers=headers)
    assert moses.get_data(as_text=True).splitlines()[0] == TITLE_EN


@pytest.mark.parametrize("fmt", ["moses", "conll"])
def test_each_side_downloaded_is_the_file_the_cli_writes(corpus, client, corpus_user, tmp_path, fmt):
    headers = bearer(user_service.issue_api_token(corpus_user))
    _, prefix = run_export(fmt, tmp_path, split_clitics=True)
    for side, path in export.output_paths(fmt, prefix).items():
        download = client.get(f"/api/v1/export/{fmt}?side={side}&split_clitics=true", headers=headers)
        assert download.status_code == 200 and download.get_data() == path.read_bytes() != b""


def test_api_export_answers_a_bad_filter_with_422(corpus, client, corpus_user):
    headers = bearer(user_service.issue_api_token(corpus_user))
    response = client.get("/api/v1/export/tmx?labels=NOPE", headers=headers)
    assert response.status_code == 422 and "Unknown label(s): NOPE" in response.get_json()["error"]["message"]
    response = client.get("/api/v1/export/conll?side=mt", headers=headers)
    assert response.status_code == 422 and "choose side ar or en" in response.get_json()["error"]["message"]
    response = client.get("/api/v1/export/moses?labels=NOPE", headers=headers)  # the zip checks its filters too
    assert response.status_code == 422 and "Unknown label(s): NOPE" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("fmt", ["moses", "conll"])
def test_a_two_file_format_without_a_side_is_both_sides_in_one_zip_each_exactly_its_download(
        corpus, client, corpus_user, fmt):
    headers = bearer(user_service.issue_api_token(corpus_user))
    download = client.get(f"/api/v1/export/{fmt}?split_clitics=true", headers=headers)
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert f'filename="mizan-corpus.{fmt}.zip"' in download.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(download.get_data()))
    assert archive.testzip() is None
    names = [export.download_name(fmt, side) for side in ("ar", "en")]
    assert archive.namelist() == names
    for side, name in zip(("ar", "en"), names):
        alone = client.get(f"/api/v1/export/{fmt}?side={side}&split_clitics=true", headers=headers).get_data()
        assert archive.read(name) == alone != b""


def test_reviewer_cannot_export(corpus, client, reviewer):
    headers = bearer(user_service.issue_api_token(reviewer))
    response = client.get("/api/v1/export/jsonl", headers=headers)
    assert response.status_code == 403 and "export rights" in response.get_json()["error"]["message"]
    log_in(client, reviewer.username)
    assert client.get("/export/").status_code == 403


def test_corpus_user_has_no_review_rights(corpus, client, corpus_user, admin):
    headers = bearer(user_service.issue_api_token(corpus_user))
    assert client.get("/api/v1/articles", headers=headers).get_json()["articles"] == []
    assert client.get(f"/api/v1/articles/{corpus.id}", headers=headers).status_code == 404
    paragraph = corpus.paragraphs[0]
    response = client.post(f"/api/v1/paragraphs/{paragraph.id}/approve", json={"version": paragraph.version},
                           headers=headers)
    assert response.status_code == 404
    with pytest.raises(assignment_service.AssignmentError, match="corpus users export"):
        assignment_service.assign_article(corpus, corpus_user, "reviewer", actor=admin)


def test_export_page_counts_and_downloads_through_the_api(corpus, client, corpus_user):
    log_in(client, corpus_user.username)
    assert client.get("/").headers["Location"].endswith("/export/")
    page = client.get("/export/?format=tmx&status=approved&kind=text&labels=LOC&check=1")
    assert page.status_code == 200 and "33 paragraphs match" in page.get_data(as_text=True)
    download = client.get("/export/?format=conll&side=ar&status=approved&kind=all&article=1&download=1")
    assert download.status_code == 302
    location = download.headers["Location"]
    assert location.startswith("/api/v1/export/conll?") and "side=ar" in location and "kind=all" in location
    streamed = client.get(location)
    assert streamed.status_code == 200 and streamed.get_data(as_text=True).startswith(f"{DOCSTART}روسيا\tB-LOC\n")


def test_export_page_downloads_both_sides_unless_one_is_chosen_and_explains_a_wrong_side(corpus, client, corpus_user):
    log_in(client, corpus_user.username)
    both = client.get("/export/?format=moses&status=approved&kind=text&download=1")
    assert both.status_code == 302 and "side=" not in both.headers["Location"]
    assert client.get(both.headers["Location"]).mimetype == "application/zip"
    page = client.get("/export/?format=conll&side=mt&status=approved&kind=text&download=1")
    assert page.status_code == 200 and "choose ar or en, or both in one zip" in page.get_data(as_text=True)
