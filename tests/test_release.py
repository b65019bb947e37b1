"""Corpus users release the corpus: one folder and one zip that `datasets`, spaCy, sacrebleu and TMX tools load
as they are, split by article, the same bytes every time (docs/exports.md, "Releases")."""
from __future__ import annotations

import re

import datetime
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest
import sacrebleu
from sqlalchemy import update

from app.extensions import db
from app.models import Article, Paragraph, ParagraphApproval, Translation
from app.services import export
from app.services import users as user_service
from app.services.export import release
from tests.conftest import PASSWORD, bearer, csrf_token_from, log_in
from tests.support.xml_schemas import read_tmx_units, validate_tmx14

ROOT = Path(__file__).resolve().parent.parent
SPLITS = ("train", "dev", "test")


def make_release(tmp_path: Path, name: str = "release", selection: export.Selection | None = None, **options):
    options.setdefault("split", "80/10/10")
    report = export.write_release(selection or export.Selection(), export.release_options(**options), tmp_path / name)
    return report, tmp_path / name


def manifest_of(folder: Path) -> dict:
    return orjson.loads((folder / "manifest.json").read_bytes())


def records_of(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def load_offline(folder: Path, tmp_path: Path):
    """`datasets.load_dataset(FOLDER)` with no arguments, offline, its cache under tmp_path (a fresh process:
    the library reads HF_HOME and HF_DATASETS_OFFLINE when it is imported)."""
    script = (
        "import json, sys, datasets\n"
        "loaded = datasets.load_dataset(sys.argv[1])\n"
        "def iso(value):  # times and dates come typed: written back as the JSONL has them\n"
        "    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if hasattr(value, 'hour') else value.isoformat()\n"
        "print(json.dumps({'rows': {split: loaded[split].num_rows for split in loaded},\n"
        "                  'features': {split: str(loaded[split].features) for split in loaded},\n"
        "                  'records': {split: loaded[split].to_list() for split in loaded}}, default=iso))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIZAN_", "HF_"))}
    env.update(HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf-home"))
    done = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, env=env,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Ignoring part of dataset_info" not in done.stderr  # the card's metadata is read whole
    return orjson.loads(done.stdout.splitlines()[-1])


# The release as a whole -----------------------------------------------------------------------------


def test_corpus_user_loads_the_release_in_datasets_with_no_arguments(two_approved_articles, tmp_path):
    report, folder = make_release(tmp_path, split="50/50/0")
    manifest = manifest_of(folder)
    loaded = load_offline(folder, tmp_path)
    assert loaded["rows"] == {split: manifest["counts"][split]["paragraphs"] for split in ("train", "dev")}
    assert manifest["counts"]["test"]["paragraphs"] == 0 and loaded["rows"]["train"] > 0 and loaded["rows"]["dev"] > 0
    assert report.paragraphs == sum(loaded["rows"].values())
    # Every field typed by the card, none inferred: the same features for every split.
    assert len(set(loaded["features"].values())) == 1
    assert "Value('null')" not in loaded["features"]["dev"]
    for split in ("train", "dev"):  # every value as written, times and dates included
        assert loaded["records"][split] == records_of(folder / "data" / f"{split}.jsonl")


def test_late_values_where_the_first_records_have_nulls_load_as_typed(two_approved_articles, tmp_path):
    """The issue's failure: `effort.override_reason`, `mt`, `qa` and `article.published` null in the first
    10 MB, a value later. The card's features type them, so nothing is inferred from the first records."""
    first, second = two_approved_articles
    db.session.execute(update(Article).where(Article.id == second.id).values(published=datetime.date(2023, 11, 8)))
    paragraph_ids = [p.id for p in first.paragraphs]
    db.session.execute(update(ParagraphApproval).where(ParagraphApproval.paragraph_id.in_(paragraph_ids))
                       .values(override_reason=None, machine_revision_id=None))
    db.session.execute(update(Translation).where(Translation.paragraph_id.in_(paragraph_ids),
                                                 Translation.origin == "machine").values(origin="human"))
    db.session.execute(update(Paragraph).where(Paragraph.id.in_(paragraph_ids)).values(qa_findings=None))
    db.session.execute(update(Article).where(Article.id == first.id).values(published=None))
    db.session.commit()
    _, folder = make_release(tmp_path, split="100/0/0")
    records = records_of(folder / "data" / "train.jsonl")
    late = [i for i, r in enumerate(records) if r["effort"]["override_reason"] is not None]
    nulls = [i for i, r in enumerate(records) if r["mt"] is None and r["qa"] is None
             and r["article"]["published"] is None and r["effort"]["override_reason"] is None]
    assert nulls and late and max(nulls) < min(late)  # every null first, the values after
    # What `load_dataset("json")` does without the card's features when the nulls fill its first chunk:
    chunk = sum(len(line) + 1 for line in (folder / "data" / "train.jsonl").read_bytes().splitlines()[:len(nulls)])
    inferred = subprocess.run([sys.executable, "-c", (
        "import sys, datasets\n"
        f"datasets.load_dataset('json', data_files=sys.argv[1], chunksize={chunk})\n"),
        str(folder / "data" / "train.jsonl")], capture_output=True, text=True, timeout=240,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("HF_")}, "HF_DATASETS_OFFLINE": "1",
             "HF_HOME": str(tmp_path / "hf-inferred")})
    assert inferred.returncode != 0 and "cast" in inferred.stderr
    loaded = load_offline(folder, tmp_path)
    rows = loaded["records"]["train"]
    assert len(rows) == len(records)
    assert rows[late[0]]["effort"]["override_reason"] == records[late[0]]["effort"]["override_reason"]
    assert rows[late[0]]["mt"]["model_id"] and rows[late[0]]["article"]["published"] and rows[late[0]]["qa"] is not None
    assert rows[0]["mt"] is None and rows[0]["qa"] is None
    assert rows == records  # every value as written


def test_the_release_holds_every_file_and_the_manifest_checks_each(two_approved_articles, tmp_path):
    report, folder = make_release(tmp_path, name="r", seed=7, version="2.1", split_clitics=True)
    manifest = manifest_of(folder)
    expected = {f"data/{s}.jsonl" for s in SPLITS} | {f"tmx/{s}.tmx" for s in SPLITS} | {
        f"moses/{s}.{side}" for s in SPLITS for side in ("ar", "en", "mt")} | {
        f"conll/{s}.{lang}.conll" for s in SPLITS for lang in ("ar", "en")} | {"README.md"}
    if manifest["spacy"]:
        expected |= {f"spacy/{s}.{lang}.spacy" for s in SPLITS for lang in ("ar", "en")}
    assert set(manifest["files"]) == expected
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert on_disk == expected | {"manifest.json"}
    for path, described in manifest["files"].items():
        data = (folder / path).read_bytes()
        assert described == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert manifest["seed"] == 7 and manifest["version"] == "2.1" and manifest["split"] == {"train": 80, "dev": 10,
                                                                                          "test": 10}
    assert manifest["mt_models"] == ["tiny@1.0+sha256:0000000000000000"]
    assert manifest["mizan_version"] and manifest["agreement"] is None and manifest["split_clitics"] is True
    assert manifest["filters"]["status"] == "approved" and manifest["filters"]["labels"] == []
    total = manifest["counts"]["total"]
    assert total["articles"] == 2 and total["paragraphs"] == report.paragraphs
    assert total["entities"] == {"ar": {"LOC": 2, "ORG": 1}, "en": {"LOC": 2, "MISC": 1, "ORG": 1}}
    assert total["links"] == 3 and total["tokens"]["ar"] > 0 and total["tokens"]["en"] > 0
    assert report.zip_path == tmp_path / "r.zip" and report.zip_path.exists()
    # The card: YAML the Hub reads, then text for a person.
    card = (folder / "README.md").read_text(encoding="utf-8")
    import yaml

    metadata = yaml.safe_load(card.split("---\n")[1])
    assert metadata["language"] == ["ar", "en"]
    assert metadata["task_categories"] == ["translation", "token-classification"]
    assert metadata["license"] == "other" and metadata["pretty_name"] == "mizan-corpus 2.1"
    listed = [s for s in SPLITS if manifest["counts"][s]["paragraphs"]]  # datasets cannot load an empty split
    assert [c["path"] for c in metadata["configs"][0]["data_files"]] == [f"data/{s}.jsonl" for s in listed]
    assert {s["name"]: s["num_examples"] for s in metadata["dataset_info"]["splits"]} == {
        s: manifest["counts"][s]["paragraphs"] for s in listed}
    assert {s["name"]: s["num_bytes"] for s in metadata["dataset_info"]["splits"]} == {
        s: (folder / "data" / f"{s}.jsonl").stat().st_size for s in listed}
    names = [f["name"] for f in metadata["dataset_info"]["features"]]
    record = records_of(folder / "data" / "train.jsonl")[0]
    assert names == list(record)  # every field of a record, typed
    assert "tiny@1.0+sha256:0000000000000000" in card and "| LOC | 2 | 2 |" in card
    assert "## Agreement\n\nNone" in card and "load_dataset" in card and "sacrebleu" in card
    assert "1 overlapping entity could not be written as IOB2" in card  # the MISC inside the ORG


def test_the_card_shows_agreement_figures_when_the_manifest_has_them():
    manifest = {"name": "c", "version": "1", "license": "cc-by-4.0", "seed": 0, "mizan_version": "0.1.0",
                "split": {"train": 80, "dev": 10, "test": 10}, "mt_models": [], "spacy": False,
                "filters": {"status": "approved", "kind": "text"}, "conll_overlapping_entities_dropped": 0,
                "agreement": {"pairs": [pair("rami", "nadia", 0.8), pair("omar", "nadia", 1.0)], "all": pair("", "", 0.9)},
                "counts": {split: {"articles": 0, "paragraphs": 0, "links": 0, "tokens": {"ar": 0, "en": 0},
                                   "entities": {"ar": {}, "en": {}}} for split in (*SPLITS, "total")}}
    manifest["counts"]["total"]["articles"] = 12
    card = release.dataset_card(manifest)
    assert "2 of the 12 articles were annotated by two people independently" in card and "`cc-by-4.0`" in card
    assert "| entity F1 | 0.900 | n/a |" in card and "| Cohen's κ over tokens | 0.850 | n/a |" in card
    assert "| LOC | 0.900 | n/a |" in card and "chrF 61.2, TER 30.0" in card and "F1: n/a" in card
    assert "| rami & nadia | 1 | 0.800 | n/a |" in card and "| omar & nadia | 1 | 1.000 | n/a |" in card


def pair(a: str, b: str, f1: float) -> dict:
    """One annotator pair's figures as the manifest holds them (article_agreement.project_agreement): Arabic
    entities only, no link, some post-edited English."""
    side = {"f1": f1, "precision": f1, "recall": f1, "kappa": 0.85, "by_label": {"LOC": {"f1": f1, "a": 5, "b": 5, "both": 4}}}
    none = {"f1": None, "precision": None, "recall": None, "kappa": None, "by_label": {}}
    return {"annotators": [a, b], "articles": 2 if not a else 1, "entities": {"ar": side, "en": none},
            "links": {"f1": None}, "translation": {"chrf": 61.23, "ter": 30.0}}


# The split -----------------------------------------------------------------------------------------


def test_the_split_is_by_article_deterministic_and_balanced_by_paragraphs():
    articles = [(article_id, 5 + article_id % 7) for article_id in range(1, 201)]
    split_of = release.assign_splits(articles, (80, 10, 10), seed=3)
    assert split_of == release.assign_splits(list(reversed(articles)), (80, 10, 10), seed=3)  # input order is moot
    assert split_of != release.assign_splits(articles, (80, 10, 10), seed=4)
    total = sum(n for _, n in articles)
    given = {split: sum(n for a, n in articles if split_of[a] == split) for split in SPLITS}
    for split, share in zip(SPLITS, (80, 10, 10)):
        assert abs(given[split] - total * share / 100) <= 11  # within one article of its share
    assert release.assign_splits([(1, 4)], (80, 10, 10), 0) == {1: "train"}
    assert sorted(release.assign_splits([(1, 4), (2, 9)], (80, 10, 10), 0).values()) == ["dev", "train"]
    assert set(release.assign_splits(articles, (0, 0, 100), 1).values()) == {"test"}


def test_records_carry_their_split_and_no_article_is_in_two(two_approved_articles, tmp_path):
    _, folder = make_release(tmp_path, split="50/50/0", seed=1)
    manifest = manifest_of(folder)
    seen = {}
    for split in SPLITS:
        for record in records_of(folder / "data" / f"{split}.jsonl"):
            assert record["split"] == split
            assert seen.setdefault(record["article_id"], split) == split
    assert {str(a): s for a, s in seen.items()} == manifest["articles"]
    assert sorted(seen.values()) == ["dev", "train"]


# Each format with its tool -------------------------------------------------------------------------


def test_moses_tmx_and_conll_per_split_load_in_their_tools(two_approved_articles, tmp_path):
    report, folder = make_release(tmp_path, split="50/50/0")
    manifest = manifest_of(folder)
    for split in SPLITS:
        records = records_of(folder / "data" / f"{split}.jsonl")
        moses = {side: (folder / "moses" / f"{split}.{side}").read_text(encoding="utf-8").splitlines()
                 for side in ("ar", "en", "mt")}
        assert moses["en"] == [r["en"] for r in records] and len(moses["ar"]) == len(moses["mt"]) == len(records)
        if records:  # sacrebleu's command line scores the drafts against the approved English, as the card says
            scored = subprocess.run([sys.executable, "-m", "sacrebleu", str(folder / "moses" / f"{split}.en"),
                                     "-i", str(folder / "moses" / f"{split}.mt"), "-m", "bleu", "chrf", "ter"],
                                    capture_output=True, text=True, timeout=120)
            assert scored.returncode == 0, scored.stderr
            results = orjson.loads(scored.stdout)
            assert [r["name"] for r in results] == ["BLEU", "chrF2", "TER"]
            assert results[0]["score"] == pytest.approx(sacrebleu.corpus_bleu(moses["mt"], [moses["en"]]).score,
                                                        abs=0.05)
        tmx = (folder / "tmx" / f"{split}.tmx").read_bytes()
        validate_tmx14(tmx)
        assert b"creationdate=\"2" not in tmx.split(b"<body>")[0]  # no build time in the header
        assert read_tmx_units(tmx) == [(r["ar"], r["en"]) for r in records]
        from spacy.training.converters import conll_ner_to_docs

        for lang in ("ar", "en"):
            text = (folder / "conll" / f"{split}.{lang}.conll").read_text(encoding="utf-8")
            articles = len({r["article_id"] for r in records})
            assert text.count("-DOCSTART- -X- O O\n\n") == articles
            entities = sum(len(r["entities"][lang]) for r in records)
            dropped = 1 if lang == "en" and any(r["entities"]["en"] for r in records) else 0  # MISC inside ORG
            assert text.count("\tB-") == entities - dropped
            if records:
                docs = list(conll_ner_to_docs(text, n_sents=0))
                assert len(docs) == articles  # one spaCy Doc per article
                assert sum(len(doc.ents) for doc in docs) == entities - dropped
    assert manifest["conll_overlapping_entities_dropped"] == 1


def test_spacy_docbins_hold_every_entity_and_cut_words_alike_in_every_split(two_approved_articles, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    _, folder = make_release(tmp_path, split="50/50/0")
    tokens_of_form: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    for split in SPLITS:
        records = records_of(folder / "data" / f"{split}.jsonl")
        for lang in ("ar", "en"):
            docs = list(DocBin().from_bytes((folder / "spacy" / f"{split}.{lang}.spacy").read_bytes())
                        .get_docs(spacy.blank(lang).vocab))
            assert [doc.text for doc in docs] == [r[lang] for r in records]  # white space kept
            for doc, record in zip(docs, records):
                assert doc.user_data["paragraph_id"] == record["paragraph_id"]
                assert sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["mizan"]) == sorted(
                    (e["start"], e["end"], e["label"]) for e in record["entities"][lang])  # every entity
                for word in re.finditer(r"\S+", doc.text):  # each white-space word's tokens, wherever it stands
                    span = doc.char_span(word.start(), word.end(), alignment_mode="expand")
                    tokens_of_form.setdefault((lang, word.group()), set()).add(tuple(t.text for t in span))
    assert any(len(next(iter(forms))) > 1 for forms in tokens_of_form.values())  # some word was cut
    assert all(len(forms) == 1 for forms in tokens_of_form.values()), {
        form: cut for form, cut in tokens_of_form.items() if len(cut) > 1}


def test_a_release_on_an_install_without_spacy_has_every_other_file_and_says_so(two_approved_articles, tmp_path,
                                                                               monkeypatch):
    """A web-tier install (requirements/web.txt) has no spaCy: its release has no spacy/ folder, and its manifest
    and card say so; the other files are those of a release with spaCy."""
    with_spacy, with_folder = make_release(tmp_path, name="with", seed=3)
    monkeypatch.setitem(sys.modules, "spacy", None)  # what `import spacy` meets where it is not installed
    without, folder = make_release(tmp_path, name="without", seed=3)
    assert with_spacy.manifest["spacy"] is True and without.manifest["spacy"] is False
    assert not (folder / "spacy").exists()
    assert set(with_spacy.manifest["files"]) - set(without.manifest["files"]) == {
        f"spacy/{s}.{lang}.spacy" for s in SPLITS for lang in ("ar", "en")}
    for path in without.manifest["files"]:
        if path != "README.md":
            assert (folder / path).read_bytes() == (with_folder / path).read_bytes(), path
    assert "spacy/" in (with_folder / "README.md").read_text(encoding="utf-8")
    assert "spacy/" not in (folder / "README.md").read_text(encoding="utf-8")


# Reproducible, and the same from the CLI, the API and the page ---------------------------------------


def test_two_releases_of_the_same_data_and_seed_are_byte_identical(two_approved_articles, tmp_path):
    make_release(tmp_path, name="one", seed=5)
    make_release(tmp_path, name="two", seed=5)
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert one == two
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert all(i.filename.startswith("mizan-corpus-1.0.0/") for i in infos)
        assert archive.read("mizan-corpus-1.0.0/manifest.json") == (tmp_path / "one" / "manifest.json").read_bytes()
    make_release(tmp_path, name="other-seed", seed=6)
    assert manifest_of(tmp_path / "other-seed")["seed"] == 6


def test_the_zip_holds_every_file_as_written_and_reads_with_zip64_fields_too(corpus, tmp_path, monkeypatch):
    from app.services.export import zipping

    for name, limit in (("plain", zipping.ZIP64_LIMIT), ("zip64", 0)):
        monkeypatch.setattr(zipping, "ZIP64_LIMIT", limit)  # 0: every size and offset in Zip64 fields
        _, folder = make_release(tmp_path, name=name)
        with zipfile.ZipFile(tmp_path / f"{name}.zip") as archive:
            assert archive.testzip() is None  # every CRC-32 right
            on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
            assert archive.namelist() == [f"mizan-corpus-1.0.0/{path}" for path in on_disk]
            for path in on_disk:
                assert archive.read(f"mizan-corpus-1.0.0/{path}") == (folder / path).read_bytes()
            assert all(info.external_attr >> 16 == 0o100644 for info in archive.infolist())
    assert (tmp_path / "plain.zip").read_bytes() != (tmp_path / "zip64.zip").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("mizan-zip-")] == []  # no scratch left


def test_the_cli_the_api_and_the_page_give_the_same_zip(two_approved_articles, app, client, corpus_user, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["release", "-o", str(tmp_path / "cli"), "--seed", "9", "--split", "60/20/20",
                                 "--labels", "LOC,ORG", "--name", "news", "--version", "3"])
    assert result.exit_code == 0, result.output
    assert "Released" in result.output and "cli.zip" in result.output
    cli = (tmp_path / "cli.zip").read_bytes()
    headers = bearer(user_service.issue_api_token(corpus_user))
    api = client.get("/api/v1/export/release?seed=9&split=60/20/20&labels=LOC,ORG&name=news&version=3",
                     headers=headers)
    assert api.status_code == 200, api.get_data(as_text=True)
    assert api.mimetype == "application/zip" and 'filename="news-3.zip"' in api.headers["Content-Disposition"]
    assert api.get_data() == cli
    log_in(client, "carla", PASSWORD)
    page = client.get("/export/release")
    assert page.status_code == 200 and "Download the release" in page.get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "seed": "9", "split": "60/20/20",
            "labels": ["LOC", "ORG"], "name": "news", "version": "3", "status": "approved", "kind": "text",
            "reviewer": ""}
    posted = client.post("/export/release", data=form)
    assert posted.status_code == 200 and posted.mimetype == "application/zip"
    assert posted.get_data() == cli
    with zipfile.ZipFile(io.BytesIO(cli)) as archive:
        manifest = orjson.loads(archive.read("news-3/manifest.json"))
    assert manifest["filters"]["labels"] == ["LOC", "ORG"] and manifest["counts"]["total"]["entities"]["en"] == {
        "LOC": 2, "ORG": 1}


def test_the_release_form_needs_its_csrf_token(corpus, client, corpus_user):
    log_in(client, "carla", PASSWORD)
    refused = client.post("/export/release", data={"seed": "1", "split": "80/10/10", "name": "n", "version": "1"})
    assert refused.status_code in (400, 422) and refused.mimetype != "application/zip"


# Refusals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("options, message", [
    ({"split": "80/10"}, "three whole percentages"),
    ({"split": "0/0/0"}, "adding up to 100"),
    ({"split": "80/30/-10"}, "three whole percentages"),
    ({"split": "a/b/c"}, "three whole percentages"),
    ({"seed": -1}, "seed -1 must be a whole number"),
    ({"name": "../etc"}, "The name"),
    ({"version": "1 0"}, "The version"),
    ({"name": "news\n"}, "The name"),
])
def test_bad_release_options_are_refused_with_a_message(options, message):
    with pytest.raises(export.ReleaseError, match=message):
        export.release_options(**options)


def test_refusals_write_nothing_from_the_cli_or_the_api(corpus, app, client, corpus_user, tmp_path):
    tmp_path = tmp_path / "releases"
    tmp_path.mkdir()
    runner = app.test_cli_runner()
    for args, message in (
        (["--split", "80/10"], "three whole percentages"),
        (["--split", "0/0/0"], "adding up to 100"),
        (["--seed", "-3"], "seed -3"),
        (["--labels", "NOPE"], "Unknown label(s): NOPE"),
    ):
        result = runner.invoke(args=["release", "-o", str(tmp_path / "out"), *args])
        assert result.exit_code == 1 and message in result.output, result.output
        assert list(tmp_path.iterdir()) == []
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    result = runner.invoke(args=["release", "-o", str(taken)])
    assert result.exit_code == 1 and "is not an empty folder" in result.output
    assert [p.name for p in taken.iterdir()] == ["notes.txt"] and not (tmp_path / "taken.zip").exists()
    (tmp_path / "zipped.zip").write_bytes(b"older")
    result = runner.invoke(args=["release", "-o", str(tmp_path / "zipped")])
    assert result.exit_code == 1 and "zipped.zip already exists" in result.output
    assert (tmp_path / "zipped.zip").read_bytes() == b"older" and not (tmp_path / "zipped").exists()
    headers = bearer(user_service.issue_api_token(corpus_user))
    for query, message in (("split=80/10", "three whole percentages"), ("seed=-1", "seed"),
                           ("split=0/0/0", "adding up to 100"), ("name=../x", "The name"),
                           ("labels=NOPE", "Unknown label(s)")):
        response = client.get(f"/api/v1/export/release?{query}", headers=headers)
        assert response.status_code == 422 and message in response.get_data(as_text=True), response.get_data()


def test_an_empty_folder_may_be_the_release_folder_and_one_article_loads_as_train_alone(corpus, tmp_path):
    (tmp_path / "one").mkdir()
    report, folder = make_release(tmp_path, name="one")
    manifest = manifest_of(folder)
    assert manifest["counts"]["train"]["articles"] == 1 and report.paragraphs == manifest["counts"]["train"]["paragraphs"]
    assert (folder / "data" / "dev.jsonl").read_bytes() == b"" and (folder / "conll" / "test.ar.conll").read_bytes() == b""
    loaded = load_offline(folder, tmp_path)
    assert loaded["rows"] == {"train": report.paragraphs}  # datasets cannot load an empty split: the card omits it
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "The empty split(s) (dev, test) are left out" in card


def test_an_empty_selection_is_refused_before_anything_is_written(corpus, tmp_path):
    tmp_path = tmp_path / "releases"
    tmp_path.mkdir()
    with pytest.raises(export.ReleaseError, match="No paragraph matches these filters"):
        make_release(tmp_path, name="none", selection=export.Selection(article_ids=(10**6,)))
    assert list(tmp_path.iterdir()) == []


def test_reviewers_cannot_release(corpus, client, reviewer):
    log_in(client, "rami", PASSWORD)
    assert client.get("/export/release").status_code == 403
    headers = bearer(user_service.issue_api_token(reviewer))
    assert client.get("/api/v1/export/release", headers=headers).status_code == 403


def test_release_records_match_the_documented_schema_with_their_split(two_approved_articles, tmp_path):
    import jsonschema_rs

    _, folder = make_release(tmp_path, split="50/50/0")
    validator = jsonschema_rs.validator_for(orjson.loads((ROOT / "docs" / "jsonl-record.schema.json").read_bytes()))
    for split in SPLITS:
        for record in records_of(folder / "data" / f"{split}.jsonl"):
            validator.validate(record)


def test_a_download_leaves_no_temporary_files_read_or_dropped(corpus, client, corpus_user, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    headers = bearer(user_service.issue_api_token(corpus_user))
    read = client.get("/api/v1/export/release", headers=headers)
    assert read.status_code == 200 and zipfile.ZipFile(io.BytesIO(read.get_data())).testzip() is None
    read.close()
    assert list(scratch.iterdir()) == []
    dropped = client.get("/api/v1/export/release", headers=headers, buffered=False)
    assert dropped.status_code == 200 and list(scratch.iterdir())  # built, not sent yet
    dropped.close()  # the client went away before the first byte
    assert list(scratch.iterdir()) == []


# A release of many paragraphs from the CLI: a second process writes the CoNLL files and the Arabic DocBins
# (release.CONLL_PROCESS_DOCBINS) from the same snapshot. It forks, which Mizan does only in a process without
# other threads, so it runs in a fresh Python process (as test_exports does for JSONL), the threshold lowered, an
# edit committed while the second process waits.
FRESH_PROCESS_RELEASE = """
import json, os, sys, time
from app import create_app
from app.extensions import db
from app.services import export
from app.services.export import corpus as corpus_reader, release

instance, database_url, out, paragraph_id = sys.argv[1:5]
release.PARALLEL_MIN_PARAGRAPHS = 1
corpus_reader.CHUNK = 5
parent, write = os.getpid(), release._ConllFiles.write
ran = []

def late(self, records):
    if os.getpid() != parent:
        time.sleep(0.3)  # the parent's edit below is committed by now: the snapshot must hide it
    return write(self, records)

release._ConllFiles.write = late
start = release._ConllProcess.__init__
def counted(self, *args):
    ran.append(1)
    start(self, *args)
release._ConllProcess.__init__ = counted
app = create_app({"TESTING": True, "SECRET_KEY": "test", "INSTANCE_PATH": instance,
                  "SQLALCHEMY_DATABASE_URI": database_url})
edited = []

def edit_once(_count):
    # A later chunk's Arabic changed by a commit after both processes began (an approved paragraph cannot be
    # changed through the services): neither may see it.
    if not edited:
        from sqlalchemy import text
        db.session.execute(text("UPDATE paragraphs SET ar = 'تعديل ' || ar WHERE id = :p"), {"p": int(paragraph_id)})
        db.session.commit()
        edited.append(1)

with app.app_context():
    report = export.write_release(export.Selection(), export.release_options(seed=2), out, progress=edit_once)
print(json.dumps({"ran": len(ran), "edited": len(edited), "paragraphs": report.paragraphs}))
"""


def test_a_large_release_writes_conll_and_docbins_in_a_second_process_with_the_same_bytes(two_approved_articles, instance_path,
                                                                              tmp_path):
    from tests.support import databases

    make_release(tmp_path, name="one", seed=2)  # one process: under PARALLEL_MIN_PARAGRAPHS
    last = [p for p in two_approved_articles[1].paragraphs if p.kind in ("title", "body")][-1]  # its last chunk
    result = subprocess.run([sys.executable, "-c", FRESH_PROCESS_RELEASE, str(instance_path),
                             databases.database_url(instance_path), str(tmp_path / "two"), str(last.id)],
                            capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = orjson.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"ran": 1, "edited": 1, "paragraphs": manifest_of(tmp_path / "one")["counts"]["total"]["paragraphs"]}
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert one == two  # the edit made while it ran is in neither
    three = export.write_release(export.Selection(), export.release_options(seed=2), tmp_path / "three")
    assert "تعديل" in (three.directory / "conll" / f"{three.manifest['articles'][str(last.article_id)]}.ar.conll"
                       ).read_text(encoding="utf-8")  # a release made after sees it
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("mizan-zip-")] == []
