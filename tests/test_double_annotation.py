"""Double annotation (issue 18, items 1 and 4; services/layers.py, migration 0016): an admin adds an independent
annotator to an article, and until adjudication the reviewer and the independent annotator each see and change
only their own English, entities and links, in their own layer, with their own versions, QA, history and undo;
nothing of a layer is learned for suggestions or the glossary, nor exported."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from app.cli import assign_command
from app.extensions import db
from app.models import Article, Assignment, Entity, GlossaryTerm, Notification, Paragraph, ParagraphLayer, Translation
from app.services import assignment as assignment_service
from app.services import entities as entity_service
from app.services import export
from app.services import layers
from app.services import users as user_service
from app.services import workflow as workflow_service
from app.services.suggestions import build_known_forms
from tests.conftest import PASSWORD, bearer, csrf_token_from, log_in
from tests.support.fixtures import API, LETTERS, approve, first_paragraph, save, tag

RUSSIA = "روسيا"
TURKMENISTAN = "تركمانستان"
TITLE_EN = "Russia and Turkmenistan work to develop cooperation."


@pytest.fixture
def annotator(app):
    """Nadia: a reviewer account, the article's independent annotator once assigned."""
    return user_service.create_user("nadia", PASSWORD, "reviewer", display_name="Nadia Annotator")


@pytest.fixture
def nadia(annotator) -> dict:
    return bearer(user_service.issue_api_token(annotator))


@pytest.fixture
def double(article, admin, annotator):
    """The seed article (rami reviewer, salma second reviewer) with nadia as its independent annotator."""
    assignment_service.assign_article(article, annotator, "independent", actor=admin)
    return article


def paragraphs_seen(client, headers, article_id: int, **query) -> list[dict]:
    response = client.get(f"{API}/articles/{article_id}", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["paragraphs"]


def tag_via_api(client, headers, paragraph_id: int, lang: str, text: str, surface: str, label: str):
    start = text.index(surface)
    return client.post(f"{API}/paragraphs/{paragraph_id}/entities", headers=headers,
                       json={"lang": lang, "start": start, "end": start + len(surface), "label": label})


# --- assigning ----------------------------------------------------------------------------------------


def test_independent_annotator_may_not_be_the_reviewer(client, article, amina, annotator):
    for username, role_named in (("rami", "reviewer"), ("salma", "second reviewer")):
        response = client.post(f"{API}/articles/{article.id}/assignments", headers=amina,
                               json={"username": username, "role": "independent"})
        assert response.status_code == 422, response.get_json()
        error = response.get_json()["error"]
        assert f"already the {role_named}" in error["message"]
        assert error["details"] == {"json": {"username": [error["message"]]}}
    assert not layers.is_double_annotated(article.id)  # refused: nothing changed
    # Nor may the independent annotator become the reviewer or the second reviewer afterwards.
    assert client.post(f"{API}/articles/{article.id}/assignments", headers=amina,
                       json={"username": "nadia", "role": "independent"}).status_code == 201
    for role in ("reviewer", "second_reviewer"):
        response = client.post(f"{API}/articles/{article.id}/assignments", headers=amina,
                               json={"username": "nadia", "role": role})
        assert response.status_code == 422 and list(response.get_json()["error"]["details"]["json"]) == ["username"]
        assert "independent annotator" in response.get_json()["error"]["message"]


def test_an_admin_adds_an_independent_annotator_who_is_told_and_sees_the_article(client, article, amina, annotator,
                                                                                  nadia):
    response = client.post(f"{API}/articles/{article.id}/assignments", headers=amina,
                           json={"username": "nadia", "role": "independent"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["role"] == "independent"
    assert layers.is_double_annotated(article.id)
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == annotator.id)) == "assigned"
    listed = client.get(f"{API}/articles", headers=nadia).get_json()["articles"]
    assert [a["id"] for a in listed] == [article.id]
    log_in(client, "nadia")
    page = client.get("/my-work").get_data(as_text=True)
    assert "independent" in page and f"/articles/{article.id}" in page
    workspace = client.get(f"/articles/{article.id}").get_data(as_text=True)
    assert "data-own-layer" in workspace


def test_an_independent_annotator_needs_a_reviewer_first(client, app, seeded, amina, annotator):
    response = client.post(f"{API}/articles/{seeded[1]}/assignments", headers=amina,
                           json={"username": "nadia", "role": "independent"})
    assert response.status_code == 422 and list(response.get_json()["error"]["details"]["json"]) == ["role"]


def test_the_cli_assigns_an_independent_annotator_and_refuses_the_reviewer(app, article, annotator):
    runner = CliRunner()
    refused = runner.invoke(assign_command, [str(article.id), "rami", "--independent", "rami"])
    assert refused.exit_code != 0 and "independent annotator is neither" in refused.output
    done = runner.invoke(assign_command, [str(article.id), "rami", "--independent", "nadia"])
    assert done.exit_code == 0, done.output
    assert "independent nadia" in done.output
    assert layers.annotator_names(article.id) == {"reviewer": "rami", "independent": "nadia"}


def test_the_admin_page_adds_and_removes_the_independent_annotator(client, article, admin, annotator):
    log_in(client, "amina")
    page = client.get(f"/admin/articles/{article.id}").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "reviewer": "rami", "second_reviewer": "salma"}
    same = client.post(f"/admin/articles/{article.id}", data={**form, "independent": "salma"})
    assert same.status_code == 422 and "neither the reviewer nor the second reviewer" in same.get_data(as_text=True)
    assert not layers.is_double_annotated(article.id)
    added = client.post(f"/admin/articles/{article.id}", data={**form, "independent": "nadia"})
    assert added.status_code == 302
    assert layers.is_double_annotated(article.id)
    page = client.get(f"/admin/articles/{article.id}").get_data(as_text=True)
    assert "data-layer-links" in page and "?layer=nadia" in page
    removed = client.post(f"/admin/articles/{article.id}", data={**form, "independent": ""})
    assert removed.status_code == 302
    assert not layers.is_double_annotated(article.id)


# --- isolation ----------------------------------------------------------------------------------------


def test_independent_annotator_cannot_see_the_reviewers_english(client, double, rami, nadia, amina):
    title = first_paragraph(double)
    assert save(client, rami, title.id, TITLE_EN, 1).status_code == 200
    mine = paragraphs_seen(client, rami, double.id)[0]
    assert mine["translation"]["text"] == TITLE_EN and mine["version"] == 2 and mine["status"] == "edited"
    theirs = paragraphs_seen(client, nadia, double.id)[0]
    assert theirs["translation"]["text"] == f"Draft of paragraph {LETTERS[0]}." and theirs["translation"]["origin"] == "machine"
    assert theirs["version"] == 1 and theirs["status"] == "draft"
    history = client.get(f"{API}/paragraphs/{title.id}/revisions", headers=nadia).get_json()["revisions"]
    assert [r["origin"] for r in history] == ["machine"]
    rami_revision = client.get(f"{API}/paragraphs/{title.id}/revisions", headers=rami).get_json()["revisions"][-1]
    assert rami_revision["text"] == TITLE_EN
    # Nor can she restore it, nor diff against it: it is not a revision of her line.
    assert client.post(f"{API}/paragraphs/{title.id}/revisions/{rami_revision['id']}/restore", headers=nadia,
                       json={"version": 1}).status_code == 404
    assert client.get(f"{API}/paragraphs/{title.id}/diff", headers=nadia,
                      query_string={"from": history[0]["id"], "to": rami_revision["id"]}).status_code == 404
    log_in(client, "nadia")
    workspace = client.get(f"/articles/{double.id}").get_data(as_text=True)
    assert TITLE_EN not in workspace
    assert TITLE_EN not in client.get(f"/paragraphs/{title.id}/history").get_data(as_text=True)
    # The gold (the ordinary line) has none of it either; an admin may look at each layer.
    assert paragraphs_seen(client, amina, double.id)[0]["translation"]["origin"] == "machine"
    assert paragraphs_seen(client, amina, double.id, layer="rami")[0]["translation"]["text"] == TITLE_EN
    assert paragraphs_seen(client, amina, double.id, layer="nadia")[0]["translation"]["origin"] == "machine"
    # Annotators may not ask for a layer; a name that is not an annotator is refused saying why.
    assert client.get(f"{API}/articles/{double.id}", headers=nadia, query_string={"layer": "rami"}).status_code == 403
    refused = client.get(f"{API}/articles/{double.id}", headers=amina, query_string={"layer": "salma"})
    assert refused.status_code == 422 and "not one of this article's two annotators" in refused.get_json()["error"]["message"]


def test_independent_annotator_cannot_see_the_reviewers_entities(client, double, reviewer, rami, nadia, amina):
    title = first_paragraph(double)
    assert save(client, rami, title.id, TITLE_EN, 1).status_code == 200
    russia_ar = tag_via_api(client, rami, title.id, "ar", title.ar, RUSSIA, "LOC").get_json()
    russia_en = tag_via_api(client, rami, title.id, "en", TITLE_EN, "Russia", "LOC").get_json()
    assert client.post(f"{API}/entity-links", headers=rami,
                       json={"ar_entity_id": russia_ar["id"], "en_entity_id": russia_en["id"]}).status_code == 201
    assert [e["text"] for e in paragraphs_seen(client, rami, double.id)[0]["entities"]] == [RUSSIA, "Russia"]

    seen = paragraphs_seen(client, nadia, double.id)[0]
    assert seen["entities"] == [] and seen["links"] == []
    listed = client.get(f"{API}/paragraphs/{title.id}/entities", headers=nadia).get_json()
    assert listed == {"entities": [], "links": []}
    # Hers is her own: the same span is no duplicate, and his entities are not there for her to change.
    mine = tag_via_api(client, nadia, title.id, "ar", title.ar, RUSSIA, "ORG")
    assert mine.status_code == 201, mine.get_json()
    same_as_his = tag_via_api(client, nadia, title.id, "ar", title.ar, TURKMENISTAN, "LOC")
    assert same_as_his.status_code == 201
    assert client.patch(f"{API}/entities/{russia_ar['id']}", headers=nadia, json={"label": "PER"}).status_code == 404
    assert client.delete(f"{API}/entities/{russia_ar['id']}", headers=nadia).status_code == 404
    assert client.post(f"{API}/entity-links", headers=nadia, json={
        "ar_entity_id": mine.get_json()["id"], "en_entity_id": russia_en["id"]}).status_code == 404
    # Undo is per layer: hers takes back her last tag, never his.
    undone = client.post(f"{API}/articles/{double.id}/undo", headers=nadia)
    assert undone.status_code == 200, undone.get_json()
    assert [e["text"] for e in undone.get_json()["paragraph"]["entities"]] == [RUSSIA]
    assert [(e["text"], e["label"]) for e in paragraphs_seen(client, rami, double.id)[0]["entities"]] == [
        (RUSSIA, "LOC"), ("Russia", "LOC")]
    # QA is per layer: his link leaves nothing unlinked; her Arabic entity has no English link.
    her_qa = {f["check"] for f in paragraphs_seen(client, nadia, double.id)[0]["qa"]}
    his_qa = {f["check"] for f in paragraphs_seen(client, rami, double.id)[0]["qa"]}
    assert "unlinked_entity" in her_qa and "unlinked_entity" not in his_qa
    # The admin's gold has none of them; each layer is there on request.
    assert paragraphs_seen(client, amina, double.id)[0]["entities"] == []
    assert [e["label"] for e in paragraphs_seen(client, amina, double.id, layer="nadia")[0]["entities"]] == ["ORG"]
    # The workspace page draws only the viewer's own entities.
    log_in(client, "nadia")
    page = client.get(f"/articles/{double.id}").get_data(as_text=True)
    assert f"[{russia_ar['id']}," not in page and f"[{mine.get_json()['id']}," in page


def test_annotators_do_not_read_each_others_comments_until_adjudication(client, double, reviewer, annotator, rami,
                                                                        nadia, amina):
    from app.services.comment_reads import unread_comments

    title = first_paragraph(double)

    def comment(headers, body: str, paragraph_id: int | None = title.id) -> int:
        response = client.post(f"{API}/articles/{double.id}/comments", headers=headers,
                               json={"body": body, "paragraph_id": paragraph_id})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def bodies(headers) -> list[str]:
        return [c["body"] for c in client.get(f"{API}/articles/{double.id}/comments", headers=headers)
                .get_json()["comments"]]

    own = comment(nadia, "Checked the date against the agency's text.")
    hint = comment(rami, "ORG here, not LOC, @nadia?")
    told = comment(amina, "Both of you: mind the honorifics. @rami @nadia", None)
    # Each annotator reads their own and the admin's, never the other's; the admin reads all.
    assert bodies(rami) == ["ORG here, not LOC, @nadia?", "Both of you: mind the honorifics. @rami @nadia"]
    assert bodies(nadia) == ["Checked the date against the agency's text.",
                             "Both of you: mind the honorifics. @rami @nadia"]
    assert len(bodies(amina)) == 3
    log_in(client, "nadia")
    assert "ORG here, not LOC" not in client.get(f"/articles/{double.id}").get_data(as_text=True)
    # Nor is she told of it: no mention, nothing unread, and reading does not move past it.
    mentioned = db.session.scalars(select(Notification.comment_id).where(
        Notification.user_id == annotator.id, Notification.kind == "mention")).all()
    assert mentioned == [told]
    assert unread_comments(annotator, double.id) == {}
    assert unread_comments(reviewer, double.id) == {}
    marked = client.post(f"{API}/paragraphs/{title.id}/comments/read", headers=nadia, json={"up_to": hint})
    assert marked.get_json()["read_up_to"] == own and marked.get_json()["unread"] == 0
    # Once the article is adjudicated everyone reads every comment.
    double.adjudicated_at = datetime.now(timezone.utc)
    db.session.commit()
    assert len(bodies(nadia)) == 3 and len(bodies(rami)) == 3
    assert unread_comments(reviewer, double.id) == {title.id: [own]}
    assert unread_comments(annotator, double.id) == {title.id: [hint]}


def test_each_annotator_saves_with_their_own_version(client, double, rami, nadia):
    title = first_paragraph(double)
    assert save(client, rami, title.id, "Rami's first English.", 1).get_json()["version"] == 2
    hers = save(client, nadia, title.id, "Nadia's English.", 1)  # her layer is still at version 1
    assert hers.status_code == 200 and hers.get_json()["version"] == 2
    assert save(client, rami, title.id, "Rami's second English.", 2).status_code == 200
    stale = save(client, rami, title.id, "Rami from an old tab.", 2)
    assert stale.status_code == 409
    # The conflict shows his own current text, never hers.
    assert stale.get_json()["text"] == "Rami's second English." and stale.get_json()["version"] == 3
    state = client.get(f"{API}/articles/{double.id}/state", headers=nadia).get_json()
    assert state["paragraphs"][0] == {"id": title.id, "version": 2, "status": "edited"}
    assert state["edited"] == 1
    approved = approve(client, nadia, title.id, 2, override_reason="placeholder")
    assert approved.status_code == 200, approved.get_json()
    log_in(client, "nadia")  # My work shows her own progress
    progress = f'1 approved · 0 edited · {len(double.paragraphs) - 1} draft <span class="of">of {len(double.paragraphs)}'
    assert progress in client.get("/my-work").get_data(as_text=True)
    assert paragraphs_seen(client, nadia, double.id)[0]["status"] == "approved"
    assert paragraphs_seen(client, rami, double.id)[0]["status"] == "edited"
    db.session.expire_all()
    gold = db.session.get(Paragraph, title.id)
    assert gold.status == "draft" and gold.approved_revision_id is None  # a layer's approval is not the gold's


def test_each_annotator_submits_their_own_layer_and_the_article_waits_for_both(client, double, admin, reviewer,
                                                                                annotator, rami, nadia, salma):
    paragraphs = paragraphs_seen(client, rami, double.id)
    for headers in (rami, nadia):
        for p in paragraphs:
            assert approve(client, headers, p["id"], 1, override_reason="placeholder").status_code == 200
    first = client.post(f"{API}/articles/{double.id}/transitions", headers=rami, json={"to": "submitted"})
    assert first.status_code == 200 and first.get_json()["status"] == "in_review"
    # Submitted: his layer is his no more until it is sent back; hers goes on.
    assert save(client, rami, paragraphs[0]["id"], "Too late.", 1).status_code == 409
    assert client.post(f"{API}/articles/{double.id}/transitions", headers=nadia,
                       json={"to": "submitted"}).get_json()["status"] == "submitted"
    # The gold is not adjudicated: the second reviewer cannot approve the article yet.
    refused = client.post(f"{API}/articles/{double.id}/transitions", headers=salma, json={"to": "approved"})
    assert refused.status_code == 409 and "not adjudicated" in refused.get_json()["error"]["message"]
    back = client.post(f"{API}/articles/{double.id}/transitions", headers=salma,
                       json={"to": "changes_requested", "comment": "Look again at the names."})
    assert back.status_code == 200
    db.session.expire_all()
    assert [a.submitted_at for a in db.session.scalars(select(Assignment).where(
        Assignment.article_id == double.id, Assignment.role.in_(("reviewer", "independent"))))] == [None, None]


def test_an_annotator_who_submitted_is_not_overdue_while_the_other_is(client, double, admin, rami, nadia, amina):
    from datetime import timedelta

    from app.services.article_lists import ListQuery, admin_list
    from app.services.effort import dashboard

    yesterday = assignment_service.today_utc() - timedelta(days=1)
    for role in ("reviewer", "independent"):
        db.session.scalar(select(Assignment).where(Assignment.article_id == double.id, Assignment.role == role)
                          ).due = yesterday
    db.session.commit()
    for p in paragraphs_seen(client, rami, double.id):
        assert approve(client, rami, p["id"], 1, override_reason="placeholder").status_code == 200
    assert client.post(f"{API}/articles/{double.id}/transitions", headers=rami,
                       json={"to": "submitted"}).get_json()["status"] == "in_review"
    db.session.expire_all()
    listed = next(row for row in admin_list(ListQuery()).rows if row.article.id == double.id)
    assert [a.role for a in listed.overdue] == ["independent"]  # rami's part is done, nadia's is not
    assert [row.article.id for row in admin_list(ListQuery(overdue=True)).rows] == [double.id]
    assert [(a.article_id, a.role) for a in dashboard().overdue] == [(double.id, "independent")]


def test_adding_the_independent_annotator_moves_the_reviewers_work_into_their_layer(client, article, admin,
                                                                                     reviewer, annotator, rami,
                                                                                     nadia, amina):
    title = first_paragraph(article)
    assert save(client, rami, title.id, TITLE_EN, title.version).status_code == 200
    russia = tag(title.id, "ar", title.ar, RUSSIA, "LOC", reviewer)
    before = paragraphs_seen(client, rami, article.id)[0]
    assignment_service.assign_article(article, annotator, "independent", actor=admin)
    after = paragraphs_seen(client, rami, article.id)[0]
    assert after["translation"] == before["translation"] and after["version"] == before["version"]
    assert [e["id"] for e in after["entities"]] == [russia.id]  # nothing lost, same ids
    theirs = paragraphs_seen(client, nadia, article.id)[0]
    assert theirs["translation"]["origin"] == "machine" and theirs["entities"] == []
    gold = paragraphs_seen(client, amina, article.id)[0]
    assert gold["translation"]["origin"] == "machine" and gold["entities"] == [] and gold["status"] == "draft"
    # Removing nadia before she did anything gives the reviewer's layer back to the ordinary line.
    assignment_service.unassign_article(article, "independent", actor=admin)
    back = paragraphs_seen(client, amina, article.id)[0]
    assert back["translation"]["text"] == TITLE_EN and [e["id"] for e in back["entities"]] == [russia.id]
    assert db.session.scalar(select(func.count()).select_from(ParagraphLayer)) == 0


def test_an_independent_annotator_who_has_worked_is_not_removed(client, double, admin, nadia):
    title = first_paragraph(double)
    assert save(client, nadia, title.id, "Her English.", 1).status_code == 200
    with pytest.raises(assignment_service.AssignmentError, match="would hide that work"):
        assignment_service.unassign_article(double, "independent", actor=admin)
    assert layers.is_double_annotated(double.id)


def test_adjudication_reads_both_layers_as_plain_data(client, double, reviewer, annotator, rami, nadia):
    title = first_paragraph(double)
    save(client, rami, title.id, TITLE_EN, 1)
    ar = tag(title.id, "ar", title.ar, RUSSIA, "LOC", reviewer)
    en = tag(title.id, "en", TITLE_EN, "Russia", "LOC", reviewer)
    entity_service.create_link(ar.id, en.id, actor=reviewer)
    approve(client, rami, title.id, 2, override_reason="placeholder")
    tag(title.id, "ar", title.ar, TURKMENISTAN, "LOC", annotator)
    a = layers.annotations(double.id, reviewer.id)
    b = layers.annotations(double.id, annotator.id)
    assert len(a) == len(b) == len(double.paragraphs)
    assert a[0].approved_english == TITLE_EN and a[0].status == "approved"
    assert [(e.lang, e.start, e.end, e.label) for e in a[0].entities] == [
        ("ar", ar.start, ar.end, "LOC"), ("en", en.start, en.end, "LOC")]
    assert [(x.text, y.text) for x, y in a[0].links] == [(RUSSIA, "Russia")]
    assert b[0].current_english == f"Draft of paragraph {LETTERS[0]}." and b[0].approved_english is None
    assert [e.text for e in b[0].entities] == [TURKMENISTAN] and b[0].links == ()
    assert layers.annotations(double.id, None)[0].entities == ()


# --- nothing of a layer is learned or exported --------------------------------------------------------


def test_suggestions_never_learn_from_a_layer(client, double, admin, reviewer, rami, nadia, amina):
    title = first_paragraph(double)
    save(client, rami, title.id, TITLE_EN, 1)
    ar = tag(title.id, "ar", title.ar, RUSSIA, "LOC", reviewer)
    en = tag(title.id, "en", TITLE_EN, "Russia", "LOC", reviewer)
    entity_service.create_link(ar.id, en.id, actor=reviewer)
    assert approve(client, rami, title.id, 2, override_reason="placeholder").status_code == 200
    # The gold of the title: an admin tags Turkmenistan only, and approves it.
    gold = db.session.get(Paragraph, title.id)
    tag(title.id, "ar", title.ar, TURKMENISTAN, "LOC", admin)
    assert approve(client, amina, title.id, gold.version, override_reason="placeholder").status_code == 200
    forms = build_known_forms()
    assert forms.form_of(TURKMENISTAN) is not None  # the gold teaches (the test can see learning)
    assert forms.form_of(RUSSIA) is None  # rami's layer does not
    assert db.session.scalar(select(func.count()).select_from(GlossaryTerm)) == 0
    suggested = client.get(f"{API}/articles/{double.id}/suggestions", headers=nadia).get_json()["suggestions"]
    assert TURKMENISTAN in {s["text"] for s in suggested} and RUSSIA not in {s["text"] for s in suggested}
    # And his entities do not hide suggestions from her: she is offered Turkmenistan in the title too.
    assert any(s["paragraph_id"] == title.id and s["text"] == TURKMENISTAN for s in suggested)
    # Her rejection hides a suggestion from her, not from him; his rejection not from her.
    first = next(s for s in suggested if s["text"] == TURKMENISTAN and s["paragraph_id"] != title.id)
    span = {key: first[key] for key in ("lang", "start", "end", "label")}
    assert client.post(f"{API}/paragraphs/{first['paragraph_id']}/suggestions/reject", headers=nadia,
                       json=span).status_code == 204

    def offered(headers) -> bool:
        listed = client.get(f"{API}/articles/{double.id}/suggestions", headers=headers).get_json()["suggestions"]
        return any(s["paragraph_id"] == first["paragraph_id"] and s["start"] == first["start"] for s in listed)

    assert not offered(nadia) and offered(rami)
    assert client.post(f"{API}/paragraphs/{first['paragraph_id']}/suggestions/reject", headers=rami,
                       json=span).status_code == 204
    assert not offered(rami)
    assert client.post(f"{API}/articles/{double.id}/undo", headers=nadia).status_code == 200  # her rejection
    assert offered(nadia) and not offered(rami)


def test_exports_carry_no_layer_work(client, double, admin, reviewer, annotator, rami, nadia, amina, tmp_path):
    title = first_paragraph(double)
    save(client, rami, title.id, TITLE_EN, 1)
    tag(title.id, "ar", title.ar, RUSSIA, "LOC", reviewer)
    tag(title.id, "en", TITLE_EN, "Russia", "LOC", reviewer)
    tag(title.id, "ar", title.ar, RUSSIA, "PER", annotator)
    approve(client, rami, title.id, 2, override_reason="placeholder")
    approve(client, nadia, title.id, 1, override_reason="placeholder")
    gold = db.session.get(Paragraph, title.id)
    tag(title.id, "ar", title.ar, TURKMENISTAN, "LOC", admin)
    assert approve(client, amina, title.id, gold.version, override_reason="placeholder").status_code == 200
    path = str(tmp_path / "gold.jsonl")
    export.write_export("jsonl", export.Selection(status="any"), path)
    records = [orjson.loads(line) for line in Path(path).read_bytes().splitlines()]
    record = next(r for r in records if r["paragraph_id"] == title.id)
    assert record["en"] == f"Draft of paragraph {LETTERS[0]}."
    assert [(e["text"], e["label"]) for e in record["entities"]["ar"]] == [(TURKMENISTAN, "LOC")]
    assert record["entities"]["en"] == [] and record["links"] == []
    assert not any(TITLE_EN in line for line in Path(path).read_text().splitlines())
    assert {r["role"] for r in record["reviewers"]} == {"reviewer", "second_reviewer", "independent"}


def test_the_translation_memory_never_offers_layer_work(client, double, admin, other_reviewer, rami, salma, amina):
    title = first_paragraph(double)
    save(client, rami, title.id, TITLE_EN, 1)
    assert approve(client, rami, title.id, 2, override_reason="placeholder").status_code == 200
    elsewhere = Article(title="نسخة", original_filename="copy.txt", raw_bytes=b"copy", checksum="copy-of-the-title",
                        status="translated")
    db.session.add(elsewhere)
    db.session.flush()
    db.session.add(Paragraph(article_id=elsewhere.id, position=0, kind="title", ar=title.ar))
    db.session.commit()
    assignment_service.assign_article(elsewhere, other_reviewer, "reviewer", actor=admin)
    copy = first_paragraph(elsewhere)

    def matched() -> list[str]:
        response = client.get(f"{API}/paragraphs/{copy.id}/matches", headers=salma)
        assert response.status_code == 200, response.get_json()
        return [m["en"] for m in response.get_json()["matches"]]

    assert matched() == []  # rami's approval in his layer is no unit of the memory
    gold = db.session.get(Paragraph, title.id)
    assert approve(client, amina, title.id, gold.version, override_reason="placeholder").status_code == 200
    assert matched() == [f"Draft of paragraph {LETTERS[0]}."]  # the gold, once approved, is


# --- the schema -------------------------------------------------------------------------------------


def test_the_migration_of_layers_goes_down_and_up(app, double, reviewer, client, rami):
    title = first_paragraph(double)
    save(client, rami, title.id, TITLE_EN, 1)
    tag(title.id, "ar", title.ar, RUSSIA, "LOC", reviewer)
    article_id, title_id, count = double.id, title.id, len(double.paragraphs)
    db.session.remove()
    downgrade(revision="0015")
    tables = inspect(db.engine)
    assert "paragraph_layers" not in tables.get_table_names()
    assert "layer_user_id" not in {c["name"] for c in tables.get_columns("entities")}
    assert "submitted_at" not in {c["name"] for c in tables.get_columns("assignments")}
    assert [u["name"] for u in tables.get_unique_constraints("suggestion_rejections")] == [
        "uq_suggestion_rejections_paragraph_id_lang_start_end_label_id"]
    upgrade()
    tables = inspect(db.engine)
    assert {c["name"] for c in tables.get_columns("paragraph_layers")} == {
        "id", "paragraph_id", "user_id", "status", "version", "current_revision_id", "approved_revision_id",
        "qa_findings", "pending_seconds"}
    assert "layer_user_id" in {c["name"] for c in tables.get_columns("translations")}
    assert {i["name"] for i in tables.get_indexes("suggestion_rejections") if i["unique"]} == {
        "uq_suggestion_rejections_ordinary", "uq_suggestion_rejections_layer"}
    # Down dropped the layer work, and the independent assignment; the ordinary line is as it was.
    assert db.session.scalar(select(func.count()).select_from(Entity)) == 0
    assert db.session.scalar(select(func.count()).select_from(Translation).where(Translation.origin == "human")) == 0
    assert not layers.is_double_annotated(article_id)
    assert db.session.scalar(select(Paragraph.current_revision_id).where(Paragraph.id == title_id)) is not None
    assert workflow_service.paragraph_counts(article_id)[1] == count


def test_reading_the_ordinary_line_uses_the_paragraph_index_not_the_layer_index(app):
    """The layer index holds layer rows only, so `layer_user_id IS NULL` (every export chunk, the workspace)
    cannot pick it: a plain one made SQLite read every entity of the corpus per chunk (JSONL export 3.5×
    slower at 100,000 paragraphs)."""
    from sqlalchemy import text

    with db.engine.connect() as connection:
        for table in ("entities", "translations"):
            if db.engine.dialect.name == "sqlite":
                plan = " ".join(str(row[-1]) for row in connection.execute(text(
                    f"EXPLAIN QUERY PLAN SELECT id FROM {table} WHERE paragraph_id IN (1, 2, 3) "
                    "AND layer_user_id IS NULL")))
                assert f"ix_{table}_paragraph_id" in plan and "layer_user_id" not in plan, plan
            indexes = {i["name"]: i for i in inspect(connection).get_indexes(table)}
            where = indexes[f"ix_{table}_layer_user_id"]["dialect_options"]
            assert "layer_user_id IS NOT NULL" in str(where.get("sqlite_where", where.get("postgresql_where"))), where
