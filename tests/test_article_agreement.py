"""User stories for the agreement figures served (issue 18, item 2; services/article_agreement.py): an admin asks
the API, the CLI or the dashboard how far the two independent annotators of an article agree.

The article is built through the real services: rami (the reviewer, annotator a) and nadia (the independent
annotator, b) each post-edit, tag and link in their own layer, approve and submit. The figures served are
checked against seqeval, sklearn and sacrebleu computed here on the test's own spans and texts, and against
agreement.py on the same data.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import warnings

import pytest
import sacrebleu
from click.testing import CliRunner
from flask_migrate import downgrade, upgrade
from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.scheme import IOB2
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import func, inspect, select

from app.cli import agreement_command
from app.extensions import db
from app.models import Article, ArticleAgreement, Paragraph, ParagraphAgreement, Translation
from app.services import agreement
from app.services import article_agreement
from app.services import assignment as assignment_service
from app.services import entities as entity_service
from app.services import review as review_service
from app.services import users as user_service
from app.services import workflow as workflow_service
from app.services.agreement import Annotation, ParagraphPair
from app.services.export.conll import word_spans
from tests.conftest import PASSWORD, bearer
from tests.support.fixtures import API, MODEL_ID

# Three paragraphs: (Arabic, machine draft, rami's English, nadia's English, rami's tags, nadia's tags).
# A tag is (lang, surface, label); each annotator links an Arabic tag to the English tag of the same rank.
ARTICLE = [
    ("وصل الرئيس بوتين إلى موسكو أمس.", "The president Putin arrived in Moscow yesterday.", None, None,
     [("ar", "بوتين", "PER"), ("ar", "موسكو", "LOC"), ("en", "Putin", "PER"), ("en", "Moscow", "LOC")],
     [("ar", "بوتين", "PER"), ("ar", "موسكو", "ORG"), ("en", "Putin", "PER"), ("en", "Moscow", "LOC")]),
    ("قالت وزارة الخارجية في القاهرة إن المحادثات ستستأنف.", "The Foreign Ministry in Cairo said talks would resume.",
     "The Foreign Ministry in Cairo said that the talks will resume.",
     "The Foreign Ministry in Cairo said the talks would resume soon.",
     [("ar", "القاهرة", "LOC"), ("ar", "وزارة الخارجية", "ORG"), ("en", "Cairo", "LOC"),
      ("en", "Foreign Ministry", "ORG")],
     [("ar", "القاهرة", "LOC"), ("ar", "الخارجية", "ORG"), ("en", "Cairo", "LOC"), ("en", "Foreign Ministry", "ORG")]),
    ("وقع الوزير الاتفاق في يونيو.", "The minister signed the agreement in June.", None, None,
     [("ar", "يونيو", "DATE"), ("en", "June", "DATE")], []),
]


@pytest.fixture
def nadia_user(app):
    return user_service.create_user("nadia", PASSWORD, "reviewer", display_name="Nadia Annotator")


def make_double_article(admin, reviewer, second, independent) -> Article:
    """ARTICLE machine-translated, `reviewer` its reviewer, `second` its second reviewer, `independent` its
    independent annotator, in review."""
    article = Article(title=ARTICLE[0][0], original_filename="agreement.txt", raw_bytes=b"agreement",
                      checksum=hashlib.sha256(b"agreement").hexdigest(), status="translated")
    db.session.add(article)
    db.session.flush()
    for position, (ar, draft, *_) in enumerate(ARTICLE):
        paragraph = Paragraph(article_id=article.id, position=position, kind="body", ar=ar)
        db.session.add(paragraph)
        db.session.flush()
        revision = Translation(paragraph_id=paragraph.id, text=draft, origin="machine", engine="ctranslate2",
                               engine_version="test", model_id=MODEL_ID, source_hash="x")
        db.session.add(revision)
        db.session.flush()
        paragraph.current_revision_id, paragraph.version = revision.id, 2
    db.session.commit()
    assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)
    if second is not None:
        assignment_service.assign_article(article, second, "second_reviewer", actor=admin)
    assignment_service.assign_article(article, independent, "independent", actor=admin)
    workflow_service.transition(article, "in_review", reviewer)
    return article


def annotated_and_submitted(admin, reviewer, independent) -> Article:
    """An article both annotators annotated (annotate) and submitted."""
    article = make_double_article(admin, reviewer, None, independent)
    annotate(article, reviewer, 0)
    annotate(article, independent, 1)
    workflow_service.transition(article, "submitted", reviewer)
    workflow_service.transition(article, "submitted", independent)
    return article


@pytest.fixture
def double(app, admin, reviewer, other_reviewer, nadia_user) -> Article:
    return make_double_article(admin, reviewer, other_reviewer, nadia_user)


def paragraph_ids(article: Article) -> list[int]:
    return list(db.session.scalars(select(Paragraph.id).where(Paragraph.article_id == article.id)
                                   .order_by(Paragraph.position)))


def layer_version(paragraph_id: int, user) -> int:
    article_id = db.session.scalar(select(Paragraph.article_id).where(Paragraph.id == paragraph_id))
    line = next(p for p in article_agreement.layers.annotations(article_id, user.id) if p.paragraph_id == paragraph_id)
    return line.version


def annotate(article: Article, user, which: int) -> None:
    """One annotator's work through the services: their English, their tags and links, every paragraph approved."""
    for pid, row in zip(paragraph_ids(article), ARTICLE):
        ar, draft, english, tags = row[0], row[1], row[2 + which], row[4 + which]
        if english is not None:
            review_service.save_translation(pid, english, layer_version(pid, user), actor=user)
        english = english or draft
        made = {"ar": [], "en": []}
        for lang, surface, label in tags:
            text = ar if lang == "ar" else english
            start = text.index(surface)
            made[lang].append(entity_service.create_entity(pid, lang, start, start + len(surface), label, actor=user))
        for ar_entity, en_entity in zip(made["ar"], made["en"]):
            entity_service.create_link(ar_entity.id, en_entity.id, actor=user)
        review_service.approve_paragraph(pid, layer_version(pid, user), actor=user, override_reason="test data")


@pytest.fixture
def annotated(double, reviewer, nadia_user) -> Article:
    """Both annotators annotated every paragraph and approved it, neither submitted yet."""
    annotate(double, reviewer, 0)
    annotate(double, nadia_user, 1)
    return double


@pytest.fixture
def submitted(annotated, reviewer, nadia_user) -> Article:
    workflow_service.transition(annotated, "submitted", reviewer)
    workflow_service.transition(annotated, "submitted", nadia_user)
    db.session.expire_all()
    assert db.session.get(Article, annotated.id).status == "submitted"
    return annotated


# --- what the test computes itself ------------------------------------------------------------------------


def spans(text: str, tags: list, lang: str) -> list[tuple[int, int, str]]:
    return [(text.index(surface), text.index(surface) + len(surface), label)
            for side, surface, label in tags if side == lang]


def iob2(text: str, entities: list[tuple[int, int, str]]) -> tuple[list[str], list[str]]:
    """IOB2 tags and token labels over the test's tokens (every tag here covers whole tokens)."""
    tokens = word_spans(text)
    tags, labels = ["O"] * len(tokens), ["O"] * len(tokens)
    for start, end, label in entities:
        inside = [i for i, (s, e) in enumerate(tokens) if s >= start and e <= end]
        for n, i in enumerate(inside):
            tags[i], labels[i] = ("B-" if n == 0 else "I-") + label, label
    return tags, labels


def english_of(row, which: int) -> str:
    return row[2 + which] or row[1]


def test_the_admin_gets_the_issues_figures_equal_to_seqeval_sklearn_and_sacrebleu(client, submitted, amina):
    response = client.get(f"{API}/articles/{submitted.id}/agreement", headers=amina)
    assert response.status_code == 200, response.get_json()
    figures = response.get_json()
    assert figures["annotators"] == ["rami", "nadia"]
    assert set(figures) == {"annotators", "entities", "links", "translation", "paragraphs"}

    # Arabic: seqeval (strict IOB2, a the truth) and sklearn's κ over the test's own token labels.
    tags = [iob2(row[0], spans(row[0], row[4 + which], "ar")) for row in ARTICLE for which in (0, 1)]
    tags_a, tags_b = [t for t, _ in tags[0::2]], [t for t, _ in tags[1::2]]
    labels_a = [label for _, labels in tags[0::2] for label in labels]
    labels_b = [label for _, labels in tags[1::2] for label in labels]
    ar = figures["entities"]["ar"]
    kwargs = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
    assert ar["f1"] == pytest.approx(f1_score(tags_a, tags_b, **kwargs))
    assert ar["precision"] == pytest.approx(precision_score(tags_a, tags_b, **kwargs))
    assert ar["recall"] == pytest.approx(recall_score(tags_a, tags_b, **kwargs))
    assert ar["kappa"] == pytest.approx(cohen_kappa_score(labels_a, labels_b))
    assert ar["by_label"]["LOC"] == {"a": 1 + 1, "b": 1, "both": 1, "f1": pytest.approx(2 / 3)}
    assert ar["by_label"]["ORG"] == {"a": 1, "b": 2, "both": 0, "f1": 0.0}

    # English κ over the paragraphs whose two English texts are the same (the first and the last).
    same = [row for row in ARTICLE if english_of(row, 0) == english_of(row, 1)]
    en_a = [label for row in same for label in iob2(row[1], spans(row[1], row[4], "en"))[1]]
    en_b = [label for row in same for label in iob2(row[1], spans(row[1], row[5], "en"))[1]]
    assert figures["entities"]["en"]["kappa"] == pytest.approx(cohen_kappa_score(en_a, en_b))
    # English F1: the second paragraph's texts differ, its names match by their words and label.
    assert figures["entities"]["en"]["by_label"]["ORG"] == {"a": 1, "b": 1, "both": 1, "f1": 1.0}
    assert figures["entities"]["en"]["f1"] == pytest.approx(2 * 4 / (5 + 4))

    # Translation: sacrebleu, nadia's English the hypothesis, rami's the reference.
    references = [english_of(row, 0) for row in ARTICLE]
    hypotheses = [english_of(row, 1) for row in ARTICLE]
    assert figures["translation"]["chrf"] == pytest.approx(sacrebleu.corpus_chrf(hypotheses, [references]).score)
    assert figures["translation"]["ter"] == pytest.approx(sacrebleu.corpus_ter(hypotheses, [references]).score)
    ids = paragraph_ids(submitted)
    assert [p["id"] for p in figures["paragraphs"]] == ids
    for row, reference, hypothesis in zip(figures["paragraphs"], references, hypotheses):
        assert row["translation_chrf"] == pytest.approx(sacrebleu.sentence_chrf(hypothesis, [reference]).score)
    assert figures["paragraphs"][2]["entities_f1"] == 0.0  # rami tagged June twice, nadia nothing
    # Links agree on their two spans (labels aside): both of the first paragraph's, the second's Cairo link.
    assert figures["links"]["f1"] == pytest.approx(2 * 3 / (5 + 4))

    # And all of it is what agreement.py gives on the same data, built here from the texts and tags.
    pairs = []
    for pid, row in zip(ids, ARTICLE):
        layers_ = []
        for which in (0, 1):
            english = english_of(row, which)
            ar_spans, en_spans = spans(row[0], row[4 + which], "ar"), spans(english, row[4 + which], "en")
            layers_.append(Annotation(english, [("ar", *s) for s in ar_spans] + [("en", *s) for s in en_spans],
                                      [((a[0], a[1]), (e[0], e[1])) for a, e in zip(ar_spans, en_spans)]))
        pairs.append(ParagraphPair(pid, row[0], *layers_))
    assert figures == json.loads(json.dumps(agreement.article_agreement(["rami", "nadia"], pairs)))


def test_figures_are_computed_on_demand_before_both_have_submitted(client, annotated, amina):
    response = client.get(f"{API}/articles/{annotated.id}/agreement", headers=amina)
    assert response.status_code == 200
    assert response.get_json()["entities"]["ar"]["by_label"]["PER"] == {"a": 1, "b": 1, "both": 1, "f1": 1.0}
    assert db.session.scalar(select(func.count()).select_from(ParagraphAgreement)) == 0  # stored at submission


def test_an_article_that_is_not_double_annotated_answers_409_saying_why(client, app, admin, reviewer, amina):
    from tests.support.fixtures import make_article

    single = make_article(2)
    assignment_service.assign_article(single, reviewer, "reviewer", actor=admin)
    response = client.get(f"{API}/articles/{single.id}/agreement", headers=amina)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "not_double_annotated" and "not double-annotated" in error["message"]
    assert client.get(f"{API}/articles/999999/agreement", headers=amina).status_code == 404


def test_only_admins_see_the_figures_until_adjudication(client, submitted, reviewer, nadia_user, other_reviewer,
                                                        app, admin):
    omar = user_service.create_user("omar", PASSWORD, "reviewer")
    carla = user_service.create_user("carla", PASSWORD, "corpus")
    url = f"{API}/articles/{submitted.id}/agreement"
    for user, status in ((reviewer, 403), (nadia_user, 403), (other_reviewer, 403), (omar, 404), (carla, 404)):
        response = client.get(url, headers=bearer(user_service.issue_api_token(user)))
        assert response.status_code == status, (user.username, response.get_json())
        if status == 403:
            assert "Only admins" in response.get_json()["error"]["message"]
    assert client.get(url).status_code == 401


def test_the_agreement_reads_each_layer_as_layers_annotations_does(annotated, reviewer, nadia_user):
    """The API's own fast reader and layers.annotations (which adjudication reads) never disagree, also after
    an annotator rewrote an English they had tagged."""
    first = paragraph_ids(annotated)[0]
    review_service.save_translation(first, "President Putin reached Moscow yesterday.", layer_version(first, reviewer),
                                    actor=reviewer)
    pairs = article_agreement.paragraph_pairs(annotated.id, article_agreement.layers.annotator_ids(annotated.id))
    for which, user in (("a", reviewer), ("b", nadia_user)):
        expected = [(p.paragraph_id, p.current_english or "", sorted((e.lang, e.start, e.end, e.label) for e in p.entities),
                     sorted(((ar.start, ar.end), (en.start, en.end)) for ar, en in p.links))
                    for p in article_agreement.layers.annotations(annotated.id, user.id)]
        read = [(pair.id, getattr(pair, which).english, sorted(getattr(pair, which).entities),
                 sorted(getattr(pair, which).links)) for pair in pairs]
        assert read == expected
    assert pairs[0].a.english == "President Putin reached Moscow yesterday."


def test_the_answer_and_the_409_match_the_api_document(app, submitted, admin, reviewer):
    from tests.support.fixtures import make_article
    from tests.test_api_schemathesis import load_schema

    operation = load_schema(app)["/api/v1/articles/{article_id}/agreement"]["GET"]
    token = bearer(user_service.issue_api_token(admin))
    answer = operation.Case(path_parameters={"article_id": submitted.id}).call_and_validate(headers=token)
    assert answer.status_code == 200 and answer.json()["annotators"] == ["rami", "nadia"]
    single = make_article(1)
    assert operation.Case(path_parameters={"article_id": single.id}).call_and_validate(headers=token).status_code == 409
    refused = operation.Case(path_parameters={"article_id": submitted.id})
    assert refused.call_and_validate(headers=bearer(user_service.issue_api_token(reviewer))).status_code == 403


# --- stored statistics ------------------------------------------------------------------------------------


def test_the_second_submission_stores_each_paragraphs_translation_statistics(submitted):
    rows = {pid: (digest, value) for pid, digest, value in db.session.execute(
        select(ParagraphAgreement.paragraph_id, ParagraphAgreement.texts_hash, ParagraphAgreement.translation))}
    ids = paragraph_ids(submitted)
    assert set(rows) == set(ids)
    for pid, row in zip(ids, ARTICLE):
        reference, hypothesis = english_of(row, 0), english_of(row, 1)
        digest, value = rows[pid]
        assert digest == article_agreement.texts_hash(reference, hypothesis)
        chrf, ter = agreement.translation_statistics(reference, hypothesis)
        assert value == [list(chrf), list(ter)]


def test_stored_statistics_are_used_and_an_edit_after_them_is_not_served_stale(client, submitted, amina, reviewer,
                                                                               other_reviewer, nadia_user):
    ids = paragraph_ids(submitted)
    url = f"{API}/articles/{submitted.id}/agreement"
    true_chrf = client.get(url, headers=amina).get_json()["paragraphs"][1]["translation_chrf"]
    # Stored statistics that say the second paragraph's texts share nothing: served as stored, so they are used.
    row = db.session.scalar(select(ParagraphAgreement).where(ParagraphAgreement.paragraph_id == ids[1]))
    nothing_shared = [[10, 10, 0] * 6, [10.0, 10.0]]
    row.translation = nothing_shared
    db.session.commit()
    agreement.clear_caches()
    served = client.get(url, headers=amina).get_json()
    assert served["paragraphs"][1]["translation_chrf"] == 0.0 and true_chrf > 50
    # Sent back, rami edits that paragraph: its texts are not those of the stored row any more.
    workflow_service.transition(db.session.get(Article, submitted.id), "changes_requested", other_reviewer,
                                "Look again.")
    edited = "The Foreign Ministry in Cairo said the talks would resume soon."  # now nadia's English exactly
    review_service.save_translation(ids[1], edited, layer_version(ids[1], reviewer), actor=reviewer)
    fresh = client.get(url, headers=amina).get_json()
    assert fresh["paragraphs"][1]["translation_chrf"] == pytest.approx(
        sacrebleu.sentence_chrf(edited, [edited]).score)
    assert fresh["translation"]["ter"] == pytest.approx(sacrebleu.corpus_ter(
        [english_of(r, 1) for r in ARTICLE], [[english_of(ARTICLE[0], 0), edited, english_of(ARTICLE[2], 0)]]).score)
    # Submitted again by both: the stale row is replaced by the statistics of the texts now.
    review_service.approve_paragraph(ids[1], layer_version(ids[1], reviewer), actor=reviewer,
                                     override_reason="test data")
    article = db.session.get(Article, submitted.id)
    workflow_service.transition(article, "submitted", reviewer)
    workflow_service.transition(article, "submitted", nadia_user)
    db.session.expire_all()
    row = db.session.scalar(select(ParagraphAgreement).where(ParagraphAgreement.paragraph_id == ids[1]))
    assert row.texts_hash == article_agreement.texts_hash(edited, edited) and row.translation != nothing_shared


def test_the_project_adds_the_counts_stored_at_the_second_submission_while_those_submissions_hold(
        submitted, reviewer, nadia_user, other_reviewer):
    row = db.session.scalar(select(ArticleAgreement).where(ArticleAgreement.article_id == submitted.id))
    ids = article_agreement.layers.annotator_ids(submitted.id)
    counts, _ = agreement.article_counts(article_agreement.paragraph_pairs(submitted.id, ids))
    assert agreement.figures(article_agreement.counts_from_json(row.counts)) == agreement.figures(counts)
    article_figures = article_agreement.agreement_of_article(submitted.id)
    project = article_agreement.project_agreement()
    assert project["all"]["entities"] == article_figures["entities"]
    # The stored counts are what the project adds up: changed in the table, the project says so.
    row.counts = {**row.counts, "links": [4, 4, 4]}
    db.session.commit()
    assert article_agreement.project_agreement()["all"]["links"]["f1"] == 1.0
    # Sent back: the article counts no more; submitted again by both, its counts are stored afresh.
    article = db.session.get(Article, submitted.id)
    workflow_service.transition(article, "changes_requested", other_reviewer, "Look again.")
    assert article_agreement.project_agreement()["pairs"] == []
    workflow_service.transition(article, "in_review", reviewer)
    workflow_service.transition(article, "submitted", reviewer)
    workflow_service.transition(article, "submitted", nadia_user)
    db.session.expire_all()
    project = article_agreement.project_agreement()
    assert project["all"]["links"]["f1"] == article_figures["links"]["f1"] != 1.0
    assert project["pairs"][0]["annotators"] == ["rami", "nadia"]


# --- the project level: the CLI -------------------------------------------------------------------------


def test_the_cli_prints_one_articles_figures_as_json_and_csv(app, submitted):
    runner = CliRunner()
    as_json = runner.invoke(agreement_command, ["--article", str(submitted.id), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output) == article_agreement.agreement_of_article(submitted.id)
    as_csv = runner.invoke(agreement_command, ["--article", str(submitted.id), "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    figures = article_agreement.agreement_of_article(submitted.id)
    loc = next(r for r in rows if r["side"] == "ar" and r["label"] == "LOC")
    assert (loc["annotator_a"], loc["annotator_b"], loc["a"], loc["b"], loc["both"]) == ("rami", "nadia", "2", "1", "1")
    assert float(loc["f1"]) == pytest.approx(2 / 3)
    total = next(r for r in rows if r["side"] == "ar" and r["label"] == "(all)")
    assert float(total["kappa"]) == pytest.approx(figures["entities"]["ar"]["kappa"])
    assert (total["a"], total["b"], total["both"]) == ("5", "4", "2")
    translation = next(r for r in rows if r["side"] == "translation")
    assert float(translation["chrf"]) == pytest.approx(figures["translation"]["chrf"])
    links = next(r for r in rows if r["side"] == "links")
    assert float(links["f1"]) == pytest.approx(figures["links"]["f1"])


def test_the_cli_prints_the_project_per_pair_and_over_all(app, submitted):
    runner = CliRunner()
    as_json = runner.invoke(agreement_command, ["--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    project = json.loads(as_json.output)
    article = article_agreement.agreement_of_article(submitted.id)
    assert [p["annotators"] for p in project["pairs"]] == [["rami", "nadia"]]
    for scope in (project["pairs"][0], project["all"]):
        assert scope["articles"] == 1
        assert scope["entities"] == article["entities"] and scope["translation"] == article["translation"]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(agreement_command, ["--format", "csv"]).output)))
    assert {(r["annotator_a"], r["annotator_b"]) for r in rows} == {("rami", "nadia"), ("(all)", "(all)")}
    assert all(r["articles"] == "1" for r in rows)


def test_the_cli_says_why_it_cannot_and_an_empty_project_is_a_header_alone(app, admin, reviewer):
    runner = CliRunner()
    missing = runner.invoke(agreement_command, ["--article", "424242"])
    assert missing.exit_code == 1 and "Article 424242 not found" in missing.output
    empty = runner.invoke(agreement_command, ["--format", "csv"])
    assert empty.exit_code == 0
    lines = empty.output.splitlines()
    assert lines[0].startswith("annotator_a,annotator_b,articles,side,label") and len(lines) == 1


# --- the dashboard ----------------------------------------------------------------------------------------


def test_the_dashboard_charts_agreement_per_label_and_pair(admin_client, submitted):
    html = admin_client.get("/admin/dashboard").get_data(as_text=True)
    section = html[html.index('id="agreement"'):]
    assert "rami" in section and "nadia" in section and "<svg" in section
    figures = article_agreement.agreement_of_article(submitted.id)
    assert f'{figures["entities"]["ar"]["by_label"]["LOC"]["f1"]:.2f}' in section
    assert "1 double-annotated article" in section


def test_the_dashboard_says_when_no_article_was_annotated_twice(admin_client, annotated):
    html = admin_client.get("/admin/dashboard").get_data(as_text=True)
    section = html[html.index('id="agreement"'):]
    assert "No double-annotated article has been submitted by both its annotators yet." in section
    assert "<svg" not in section[:section.index("</section>")]


# --- the schema ---------------------------------------------------------------------------------------------


def test_the_migration_of_stored_statistics_goes_down_and_up(app, submitted):
    article_id = submitted.id
    db.session.remove()
    downgrade(revision="0016")
    assert not {"paragraph_agreements", "article_agreements"} & set(inspect(db.engine).get_table_names())
    upgrade()
    assert {c["name"] for c in inspect(db.engine).get_columns("paragraph_agreements")} == {
        "id", "paragraph_id", "texts_hash", "translation"}
    assert {c["name"] for c in inspect(db.engine).get_columns("article_agreements")} == {
        "id", "article_id", "submitted_key", "counts"}
    assert article_agreement.project_agreement()["all"]["articles"] == 1  # computed from the layers
    # Nothing stored now: the figures are computed on demand all the same.
    figures = article_agreement.agreement_of_article(article_id)
    assert not math.isnan(figures["translation"]["chrf"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert article_agreement.store_translation_statistics(article_id) == 3
