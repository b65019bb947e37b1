"""Adjudication (issue 18, items 3 and 4; services/adjudication.py, migration 0018): once both annotators of a
double-annotated article have submitted, a curator (or an admin) writes each paragraph's gold from the two
layers — an annotator's English or their own, the accepted entities and links of either layer — approved and
audited in the curator's name; refusals change nothing; the second reviewer then reviews the gold, and the
exports carry it with who adjudicated it and the two layers' agreement."""
from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from app.cli import create_user_command
from app.extensions import db
from app.models import (Article, AuditEvent, Entity, EntityLink, Paragraph, ParagraphAdjudication, ParagraphApproval,
                        Translation, User)
from app.services import assignment as assignment_service
from app.services import entities as entity_service
from app.services import export
from app.services import layers
from app.services import users as user_service
from tests.conftest import PASSWORD, bearer, csrf_token_from, log_in
from tests.support.fixtures import API, LETTERS, approve, first_paragraph, save, tag

RUSSIA = "روسيا"
TURKMENISTAN = "تركمانستان"
A_EN = "Russia and Turkmenistan work to develop cooperation."
B_EN = "Russia and Turkmenistan are working on cooperation."


@pytest.fixture
def annotator(app):
    return user_service.create_user("nadia", PASSWORD, "reviewer", display_name="Nadia Annotator")


@pytest.fixture
def nadia(annotator) -> dict:
    return bearer(user_service.issue_api_token(annotator))


@pytest.fixture
def curator(app):
    return user_service.create_user("cora", PASSWORD, "curator", display_name="Cora Curator")


@pytest.fixture
def cora(curator) -> dict:
    return bearer(user_service.issue_api_token(curator))


@pytest.fixture
def double(article, admin, annotator):
    """The seed article (rami reviewer = a, salma second reviewer) with nadia as its independent annotator (b)."""
    assignment_service.assign_article(article, annotator, "independent", actor=admin)
    return article


def seen(client, headers, article_id: int) -> list[dict]:
    response = client.get(f"{API}/articles/{article_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["paragraphs"]


def approve_all_and_submit(client, headers, article_id: int) -> None:
    for p in seen(client, headers, article_id):
        if p["status"] != "approved":
            assert approve(client, headers, p["id"], p["version"], override_reason="placeholder").status_code == 200
    response = client.post(f"{API}/articles/{article_id}/transitions", headers=headers, json={"to": "submitted"})
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def disagreement(client, double, reviewer, annotator, rami, nadia):
    """Both annotators submitted. On the title they disagree on the English and on Turkmenistan's label
    (a: PER, b: LOC); both tag Russia LOC; b also tags and links the English Turkmenistan."""
    title = first_paragraph(double)
    assert save(client, rami, title.id, A_EN, 1).status_code == 200
    assert save(client, nadia, title.id, B_EN, 1).status_code == 200
    ids = {
        "a_russia": tag(title.id, "ar", title.ar, RUSSIA, "LOC", reviewer).id,
        "a_turkmenistan": tag(title.id, "ar", title.ar, TURKMENISTAN, "PER", reviewer).id,
        "b_russia": tag(title.id, "ar", title.ar, RUSSIA, "LOC", annotator).id,
        "b_turkmenistan": tag(title.id, "ar", title.ar, TURKMENISTAN, "LOC", annotator).id,
        "b_turkmenistan_en": tag(title.id, "en", B_EN, "Turkmenistan", "LOC", annotator).id,
        "b_working": tag(title.id, "en", B_EN, "working", "MISC", annotator).id,
    }
    entity_service.create_link(ids["b_turkmenistan"], ids["b_turkmenistan_en"], actor=annotator)
    approve_all_and_submit(client, rami, double.id)
    approve_all_and_submit(client, nadia, double.id)
    db.session.expire_all()
    assert db.session.get(Article, double.id).status == "submitted"
    return {"title": title.id, **ids}


def adjudicate(client, headers, paragraph_id: int, english=None, entities=(), links=()):
    return client.post(f"{API}/paragraphs/{paragraph_id}/adjudicate", headers=headers, json={
        "translation": english or {"from": "a"}, "entities": {"accept": list(entities)},
        "links": {"accept": [list(link) if isinstance(link, tuple) else link for link in links]}})


def gold_of(paragraph_id: int) -> dict:
    db.session.expire_all()
    paragraph = db.session.get(Paragraph, paragraph_id)
    revision = db.session.get(Translation, paragraph.current_revision_id)
    entities = db.session.scalars(select(Entity).where(
        Entity.paragraph_id == paragraph_id, Entity.layer_user_id.is_(None),
        (Entity.lang == "ar") | (Entity.translation_id == revision.id)).order_by(Entity.lang, Entity.start)).all()
    by_id = {e.id: e for e in entities}
    links = db.session.execute(select(EntityLink.ar_entity_id, EntityLink.en_entity_id)
                               .where(EntityLink.ar_entity_id.in_(by_id))).all()
    return {"status": paragraph.status, "version": paragraph.version, "english": revision.text,
            "revision": revision, "approved": paragraph.approved_revision_id == revision.id,
            "entities": [(e.lang, e.text, e.label.name, e.start, e.end) for e in entities],
            "links": [(by_id[ar].text, by_id[en].text) for ar, en in links]}


def everything() -> tuple:
    """A fingerprint of all that adjudication could write."""
    db.session.expire_all()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return (count(Translation), count(Entity), count(EntityLink), count(ParagraphApproval),
            count(ParagraphAdjudication), count(AuditEvent),
            [(p.id, p.status, p.version, p.current_revision_id) for p in db.session.scalars(select(Paragraph))],
            [(a.id, a.status, a.adjudicated_at) for a in db.session.scalars(select(Article))])


# --- the story ----------------------------------------------------------------------------------------------


def test_curator_takes_as_english_and_bs_entity_and_the_gold_is_exactly_that(client, double, disagreement, cora,
                                                                              curator, reviewer, rami, nadia):
    d = disagreement
    response = adjudicate(client, cora, d["title"], {"from": "a"},
                          entities=[d["a_russia"], d["b_turkmenistan"], d["b_turkmenistan_en"]],
                          links=[(d["b_turkmenistan"], d["b_turkmenistan_en"])])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["adjudicated_by"] == "cora" and body["english_from"] == "a"
    assert body["entities"] == 3 and body["links"] == 1 and body["remaining"] == len(double.paragraphs) - 1
    assert 0 < body["agreement"]["entities_f1"] < 1 and 0 < body["agreement"]["translation_chrf"] < 100
    gold = gold_of(d["title"])
    # a's English, b's Turkmenistan (LOC, Arabic and English, found in a's English, linked), the agreed Russia.
    assert gold["english"] == A_EN and gold["status"] == "approved" and gold["approved"]
    assert gold["entities"] == [
        ("ar", RUSSIA, "LOC", 0, len(RUSSIA)),
        ("ar", TURKMENISTAN, "LOC", *((s := first_paragraph(double).ar.index(TURKMENISTAN)), s + len(TURKMENISTAN))),
        ("en", "Turkmenistan", "LOC", A_EN.index("Turkmenistan"), A_EN.index("Turkmenistan") + len("Turkmenistan"))]
    assert gold["links"] == [(TURKMENISTAN, "Turkmenistan")]
    # The English taken from a is a's words: its author is rami; the approval and the audit are the curator's.
    assert gold["revision"].author_id == reviewer.id and gold["revision"].origin == "human"
    assert gold["revision"].layer_user_id is None
    approval = db.session.scalars(select(ParagraphApproval).where(ParagraphApproval.paragraph_id == d["title"])).one()
    assert approval.approved_by_id == curator.id and approval.revision_id == gold["revision"].id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "paragraph.adjudicate")).one()
    assert event.actor_id == curator.id and event.object_id == d["title"]
    assert event.after["english_from"] == "a" and event.after["annotators"] == {"reviewer": "rami",
                                                                                 "independent": "nadia"}
    # The layers are as they were: each annotator still reads their own until the article is adjudicated.
    assert seen(client, nadia, double.id)[0]["translation"]["text"] == B_EN
    assert seen(client, rami, double.id)[0]["translation"]["text"] == A_EN


def test_the_curator_may_write_the_english_and_take_entities_whose_text_it_holds(client, double, disagreement, cora,
                                                                                 curator):
    d = disagreement
    written = "Russia and Turkmenistan develop their cooperation."
    response = adjudicate(client, cora, d["title"], {"text": written}, entities=[d["b_turkmenistan_en"]])
    assert response.status_code == 200, response.get_json()
    gold = gold_of(d["title"])
    assert gold["english"] == written and gold["revision"].author_id == curator.id
    assert gold["entities"] == [("en", "Turkmenistan", "LOC", written.index("Turkmenistan"),
                                 written.index("Turkmenistan") + len("Turkmenistan"))]
    # Adjudicating again before the article is done replaces the gold of that paragraph.
    again = adjudicate(client, cora, d["title"], {"from": "b"}, entities=[d["b_working"]])
    assert again.status_code == 200 and gold_of(d["title"])["entities"] == [
        ("en", "working", "MISC", B_EN.index("working"), B_EN.index("working") + len("working"))]
    assert db.session.scalar(select(func.count()).select_from(ParagraphAdjudication)) == 1


def test_refusals_change_nothing(client, double, disagreement, cora, rami, other_reviewer):
    d = disagreement
    before = everything()
    elsewhere = seen(client, rami, double.id)[1]
    cases = [
        ({"from": "a"}, [999_999], [], 422, "not an entity of this paragraph"),
        ({"from": "a"}, [d["a_russia"], d["b_russia"]], [], 422, "accept one of them"),
        ({"from": "a"}, [d["b_working"]], [], 422, "not in the gold English"),  # "working" is not in a's English
        ({"from": "a"}, [d["b_turkmenistan_en"]], [(d["b_turkmenistan"], d["b_turkmenistan_en"])], 422,
         "not in the gold"),  # the link's Arabic end left out
        ({"from": "a"}, [], [424242], 422, "not a link of this paragraph"),
        ({"from": "c"}, [], [], 422, None),
        ({"text": "   "}, [], [], 422, None),
    ]
    for english, entities, links, status, message in cases:
        response = adjudicate(client, cora, d["title"], english, entities, links)
        assert response.status_code == status, (english, entities, links, response.get_json())
        if message:
            assert message in response.get_json()["error"]["message"]
    # An entity of another paragraph's layer is not this paragraph's.
    other = seen(client, rami, double.id)[0]["entities"][0]["id"]
    refused = adjudicate(client, cora, elsewhere["id"], {"from": "a"}, [other])
    assert refused.status_code == 422
    assert everything() == before


def test_who_may_adjudicate(client, app, double, disagreement, cora, rami, nadia, salma, amina, corpus_user):
    d = disagreement
    carla = bearer(user_service.issue_api_token(corpus_user))
    before = everything()
    for headers in (rami, nadia, salma, carla):
        response = adjudicate(client, headers, d["title"], {"from": "a"})
        assert response.status_code == 403, response.get_json()
    assert client.post(f"{API}/paragraphs/{d['title']}/adjudicate",
                       json={"translation": {"from": "a"}}).status_code == 401
    assert everything() == before
    assert adjudicate(client, amina, d["title"], {"from": "b"}).status_code == 200  # admins may


def test_only_a_submitted_double_annotated_article_is_adjudicated(client, article, admin, annotator, cora, rami,
                                                                  nadia):
    single = first_paragraph(article)
    response = adjudicate(client, cora, single.id)
    assert response.status_code == 409 and "not annotated twice" in response.get_json()["error"]["message"]
    assignment_service.assign_article(article, annotator, "independent", actor=admin)
    approve_all_and_submit(client, rami, article.id)  # only one of the two has submitted
    before = everything()
    response = adjudicate(client, cora, single.id)
    assert response.status_code == 409 and "both annotators" in response.get_json()["error"]["message"]
    assert everything() == before
    assert client.post(f"{API}/paragraphs/999999/adjudicate", headers=cora,
                       json={"translation": {"from": "a"}}).status_code == 404


def test_once_adjudicated_everyone_reads_the_gold_and_the_second_reviewer_reviews_it(
        client, double, disagreement, cora, rami, nadia, salma, reviewer, annotator, other_reviewer):
    d = disagreement
    paragraphs = seen(client, rami, double.id)
    # Before adjudication the second reviewer cannot touch the gold.
    assert save(client, salma, paragraphs[1]["id"], "Too early.", seen(client, salma, double.id)[1]["version"]
                ).status_code == 409
    for p in paragraphs:
        response = adjudicate(client, cora, p["id"], {"from": "a"},
                              entities=[d["a_russia"]] if p["id"] == d["title"] else [])
        assert response.status_code == 200, response.get_json()
    assert response.get_json()["article_adjudicated"] and response.get_json()["remaining"] == 0
    db.session.expire_all()
    article = db.session.get(Article, double.id)
    assert article.status == "submitted" and article.adjudicated_at is not None  # on to the second reviewer
    assert layers.line_of(double.id, annotator) is None and layers.line_of(double.id, reviewer) is None
    for headers in (rami, nadia, salma):
        title = seen(client, headers, double.id)[0]
        assert title["translation"]["text"] == A_EN and [e["text"] for e in title["entities"]] == [RUSSIA]
    # The curator cannot adjudicate again: the gold is the second reviewer's now.
    assert adjudicate(client, cora, d["title"]).status_code == 409
    gold = seen(client, salma, double.id)[1]
    assert save(client, salma, gold["id"], "The second reviewer's English.", gold["version"]).status_code == 200
    # My work shows the annotators the gold's progress now, not their layer's (all approved there).
    total = len(paragraphs)
    log_in(client, "nadia")
    assert (f'{total - 1} approved · 1 edited · 0 draft <span class="of">of {total}'
            in client.get("/my-work").get_data(as_text=True))
    assert approve(client, salma, gold["id"], gold["version"] + 1, override_reason="placeholder").status_code == 200
    approved = client.post(f"{API}/articles/{double.id}/transitions", headers=salma, json={"to": "approved"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"


def test_without_a_second_reviewer_the_adjudicated_article_is_approved(client, double, admin, disagreement, cora):
    assignment_service.unassign_article(double, "second_reviewer", actor=admin)
    for p in seen(client, cora_as_admin(client), double.id):
        assert adjudicate(client, cora, p["id"]).status_code == 200
    db.session.expire_all()
    assert db.session.get(Article, double.id).status == "approved"


def cora_as_admin(client) -> dict:
    """The admin's token: curators read the article through the curation view, not the reviewers' API."""
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    return bearer(user_service.issue_api_token(admin))


# --- exports -------------------------------------------------------------------------------------------------


def test_exports_carry_the_gold_with_who_adjudicated_it(client, double, disagreement, cora, tmp_path):
    d = disagreement
    adjudicate(client, cora, d["title"], {"from": "a"}, entities=[d["b_turkmenistan"]])
    path = str(tmp_path / "gold.jsonl")
    export.write_export("jsonl", export.Selection(status="any"), path)
    records = [orjson.loads(line) for line in Path(path).read_bytes().splitlines()]
    title = next(r for r in records if r["paragraph_id"] == d["title"])
    assert title["en"] == A_EN and title["adjudicated_by"] == "cora" and title["approved_by"] == "cora"
    assert [(e["text"], e["label"]) for e in title["entities"]["ar"]] == [(TURKMENISTAN, "LOC")]
    assert title["entities"]["en"] == [] and title["links"] == []
    assert set(title["agreement"]) == {"entities_f1", "translation_chrf"}
    assert title["agreement"]["entities_f1"] == pytest.approx(
        db.session.get(ParagraphAdjudication, d["title"]).entities_f1)
    other = next(r for r in records if r["article_id"] == double.id and r["paragraph_id"] != d["title"])
    assert other["adjudicated_by"] is None and other["agreement"] is None
    assert other["en"] == f"Draft of paragraph {LETTERS[other['position']]}."  # not a layer's work
    assert not any(B_EN in line for line in Path(path).read_text().splitlines())


def test_a_release_carries_the_gold_and_the_agreement_it_was_adjudicated_from(client, double, admin, disagreement,
                                                                              cora, tmp_path):
    from app.services.article_agreement import agreement_of_article
    from tests.test_release import load_offline

    assignment_service.unassign_article(double, "second_reviewer", actor=admin)  # approved once adjudicated
    d = disagreement
    figures = agreement_of_article(double.id)
    for p in seen(client, cora_as_admin(client), double.id):
        chosen = [d["b_turkmenistan"], d["b_turkmenistan_en"]] if p["id"] == d["title"] else []
        assert adjudicate(client, cora, p["id"], {"from": "b"}, entities=chosen).status_code == 200
    folder = tmp_path / "gold"
    export.write_release(export.Selection(), export.release_options(split="100/0/0"), folder)
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    agreement = manifest["agreement"]
    assert agreement["all"]["articles"] == 1 and agreement["pairs"][0]["annotators"] == ["rami", "nadia"]
    for side in ("ar", "en"):
        assert agreement["all"]["entities"][side]["f1"] == pytest.approx(figures["entities"][side]["f1"])
    assert agreement["all"]["translation"]["chrf"] == pytest.approx(figures["translation"]["chrf"])
    card = (folder / "README.md").read_text()
    assert "1 of the 1 articles were annotated by two people independently" in card
    assert f"| entity F1 | {figures['entities']['ar']['f1']:.3f} |" in card
    # datasets loads the gold with the card's types: who adjudicated it and the agreement, never inferred.
    loaded = load_offline(folder, tmp_path)
    assert "'adjudicated_by': Value('string')" in loaded["features"]["train"]
    assert "'entities_f1': Value('float64')" in loaded["features"]["train"]
    title = next(r for r in loaded["records"]["train"] if r["paragraph_id"] == d["title"])
    assert title["en"] == B_EN and title["adjudicated_by"] == "cora"
    assert [e["text"] for e in title["entities"]["ar"]] == [TURKMENISTAN]
    assert title["agreement"]["entities_f1"] == pytest.approx(
        db.session.get(ParagraphAdjudication, d["title"]).entities_f1)


# --- the curator role ----------------------------------------------------------------------------------------


def test_the_cli_and_the_admin_page_create_curators(app, client, admin):
    result = CliRunner().invoke(create_user_command, ["cleo", "--role", "curator", "--password-stdin"],
                                input=f"{PASSWORD}\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert user_service.get_user_by_username("cleo").role == "curator"
    log_in(client, "amina")
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="curator">' in page
    response = client.post("/admin/users", data={"csrf_token": csrf_token_from(page), "username": "clara",
                                                 "role": "curator", "password": PASSWORD, "confirm": PASSWORD,
                                                 "display_name": "Clara"})
    assert response.status_code in (200, 302)
    assert user_service.get_user_by_username("clara").role == "curator"


def test_a_curator_is_sent_to_the_curation_list(client, double, disagreement, curator):
    log_in(client, "cora")
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/curate")
    page = client.get("/curate").get_data(as_text=True)
    assert f"/curate/articles/{double.id}" in page
    assert client.get(f"/articles/{double.id}").status_code == 404  # not a reviewer of it


# --- the schema ----------------------------------------------------------------------------------------------


def test_the_migration_of_adjudication_goes_down_and_up(app, double, disagreement, cora, curator):
    adjudicate(client_of(app), cora, disagreement["title"])
    db.session.remove()
    downgrade(revision="0017")
    tables = inspect(db.engine)
    assert "paragraph_adjudications" not in tables.get_table_names()
    assert "adjudicated_at" not in {c["name"] for c in tables.get_columns("articles")}
    with db.engine.connect() as connection:
        role, active = connection.exec_driver_sql("SELECT role, active FROM users WHERE username = 'cora'").one()
    assert role == "reviewer" and not active
    upgrade()
    tables = inspect(db.engine)
    assert {c["name"] for c in tables.get_columns("paragraph_adjudications")} == {
        "paragraph_id", "curator_id", "adjudicated_at", "revision_id", "english_from", "entities_f1",
        "translation_chrf"}
    assert "adjudicated_at" in {c["name"] for c in tables.get_columns("articles")}
    user_service.create_user("cleo", PASSWORD, "curator")  # the role is accepted again
    # The gold stays: it is the ordinary line.
    assert gold_of(disagreement["title"])["english"] == A_EN


def client_of(app):
    return app.test_client()


def test_the_curation_view_shows_both_layers_aligned(client, double, disagreement, curator, reviewer):
    d = disagreement
    log_in(client, "cora")
    page = client.get(f"/curate/articles/{double.id}").get_data(as_text=True)
    # Both Englishes, and their word diff: a's words struck through, b's underlined.
    assert A_EN in page and B_EN in page and "<del>" in page and "<ins>" in page
    # Russia LOC, tagged alike, is accepted already; Turkmenistan (PER for a, LOC for b) is a choice.
    assert f'name="agreed" value="{d["a_russia"]}" data-b="{d["b_russia"]}" data-side="ar" checked' in page
    assert f'data-ids="{d["a_turkmenistan"]}"' in page and f'data-ids="{d["b_turkmenistan"]}"' in page
    assert f'data-pairs="{d["b_turkmenistan"]}-{d["b_turkmenistan_en"]}"' in page
    assert '<p dir="rtl" lang="ar" class="curate-ar">' in page
    # Reviewers may not open it; an article not awaiting adjudication is said to be so.
    theirs = client.application.test_client()
    log_in(theirs, "rami")
    assert theirs.get(f"/curate/articles/{double.id}").status_code == 403
    assert theirs.get("/curate").status_code == 403


@pytest.mark.parametrize(("a", "b"), [
    (A_EN, B_EN), ("", "New text."), ("Old text.", ""), ("Same, same.", "Same, same."),
    ("The president arrived in Moscow.", "The President arrived at Moscow yesterday."),
])
def test_the_curation_diff_rebuilds_both_texts_and_reads_as_the_review_diff(a, b):
    from app.services.adjudication import word_diff
    from app.services.review import word_diff as review_diff

    parts = word_diff(a, b)
    assert "".join(p["text"] for p in parts if p["op"] != "insert") == a
    assert "".join(p["text"] for p in parts if p["op"] != "delete") == b
    if a and b:  # where there is anything to align, the same changes as the review's history shows
        assert [(p["op"], p["text"]) for p in parts] == [(p.op, p.text) for p in review_diff(a, b)]


def test_an_adjudicated_article_sent_back_returns_its_gold_to_the_reviewer(client, double, disagreement, cora, rami,
                                                                           salma):
    for p in seen(client, rami, double.id):
        assert adjudicate(client, cora, p["id"]).status_code == 200
    back = client.post(f"{API}/articles/{double.id}/transitions", headers=salma,
                       json={"to": "changes_requested", "comment": "One more look at the title."})
    assert back.status_code == 200
    title = seen(client, rami, double.id)[0]  # the gold, no longer his layer
    assert title["translation"]["text"] == A_EN and title["status"] == "approved"
    assert save(client, rami, title["id"], "Russia and Turkmenistan develop cooperation.",
                title["version"]).status_code == 200
    assert approve(client, rami, title["id"], title["version"] + 1, override_reason="placeholder").status_code == 200
    submitted = client.post(f"{API}/articles/{double.id}/transitions", headers=rami, json={"to": "submitted"})
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    db.session.expire_all()
    gold = db.session.get(Paragraph, disagreement["title"])
    assert db.session.get(Translation, gold.approved_revision_id).text == "Russia and Turkmenistan develop cooperation."
