"""Undo and redo of annotation work, per user and article (app/services/undo.py), through the API."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import AnnotationAction, AuditEvent, Entity, Paragraph
from app.services import glossary
from app.services import review as review_service
from tests.support.fixtures import API, first_paragraph

AR = "روسيا وتركمانستان تعملان على تطوير التعاون"
EN = "Russia and Turkmenistan work on developing cooperation."


@pytest.fixture
def paragraph(app, article, reviewer) -> Paragraph:
    """The first paragraph of the assigned article, with known Arabic and English."""
    paragraph = first_paragraph(article)
    paragraph.ar = AR
    db.session.commit()
    review_service.save_translation(paragraph.id, EN, paragraph.version, actor=reviewer)
    return first_paragraph(article)


def tag(client, headers, paragraph_id, lang, start, end, label="LOC", **extra):
    response = client.post(f"{API}/paragraphs/{paragraph_id}/entities",
                           json={"lang": lang, "start": start, "end": end, "label": label, **extra}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def undo(client, headers, article_id):
    return client.post(f"{API}/articles/{article_id}/undo", headers=headers)


def redo(client, headers, article_id):
    return client.post(f"{API}/articles/{article_id}/redo", headers=headers)


def listed(client, headers, paragraph_id) -> dict:
    return client.get(f"{API}/paragraphs/{paragraph_id}/entities", headers=headers).get_json()


def spans(client, headers, paragraph_id) -> list[tuple]:
    return [(e["lang"], e["text"], e["label"], e["flagged"]) for e in listed(client, headers, paragraph_id)["entities"]]


def pairs(links: list[dict]) -> list[tuple]:
    return [(found["ar_entity_id"], found["en_entity_id"]) for found in links]


def link(client, headers, ar, en, method="POST"):
    return client.open(f"{API}/entity-links", method=method, json={"ar_entity_id": ar["id"], "en_entity_id": en["id"]},
                       headers=headers)


def audit_actions() -> list[tuple]:
    return [(e.action, e.after["action"]) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("annotation.%")).order_by(AuditEvent.id))]


# Each kind of action, undone and redone ---------------------------------------------


def test_reviewer_undoes_and_redoes_a_tag(client, paragraph, rami):
    created = tag(client, rami, paragraph.id, "ar", 0, 5)

    undone = undo(client, rami, paragraph.article_id)
    assert undone.status_code == 200, undone.get_json()
    body = undone.get_json()
    assert body["undone"] == {"action": "entity.create", "entity_id": created["id"], "paragraph_id": paragraph.id,
                              "message": "Undid tagging «روسيا»."}
    assert body["paragraph"]["entities"] == [] and body["paragraph"]["id"] == paragraph.id
    assert body["article"]["id"] == paragraph.article_id and body["stack"] == {"undo": 0, "redo": 1}
    assert spans(client, rami, paragraph.id) == []

    redone = redo(client, rami, paragraph.article_id)
    assert redone.status_code == 200, redone.get_json()
    assert redone.get_json()["redone"] == {"action": "entity.create", "entity_id": created["id"], "same_id": True,
                                           "paragraph_id": paragraph.id, "message": "Redid tagging «روسيا»."}
    assert [e["id"] for e in redone.get_json()["paragraph"]["entities"]] == [created["id"]]
    assert spans(client, rami, paragraph.id) == [("ar", "روسيا", "LOC", False)]
    assert audit_actions() == [("annotation.undo", "entity.create"), ("annotation.redo", "entity.create")]


def test_undoing_a_delete_brings_the_entity_back_with_its_links_under_the_same_id(client, paragraph, rami):
    ar = tag(client, rami, paragraph.id, "ar", 0, 5)
    en = tag(client, rami, paragraph.id, "en", 0, 6)
    assert link(client, rami, ar, en).status_code == 201
    assert client.delete(f"{API}/entities/{ar['id']}", headers=rami).status_code == 204
    assert listed(client, rami, paragraph.id)["links"] == []

    undone = undo(client, rami, paragraph.article_id).get_json()
    assert undone["undone"]["action"] == "entity.delete"
    assert undone["undone"]["entity_id"] == ar["id"] and undone["undone"]["same_id"] is True
    now = listed(client, rami, paragraph.id)
    assert pairs(now["links"]) == [(ar["id"], en["id"])]
    assert pairs(undone["paragraph"]["links"]) == [(ar["id"], en["id"])]

    assert redo(client, rami, paragraph.article_id).get_json()["redone"]["action"] == "entity.delete"
    assert spans(client, rami, paragraph.id) == [("en", "Russia", "LOC", False)]
    assert listed(client, rami, paragraph.id)["links"] == []


def test_an_entity_whose_id_was_taken_meanwhile_comes_back_under_a_new_id_and_the_history_follows(
        client, paragraph, rami, reviewer):
    ar = tag(client, rami, paragraph.id, "ar", 0, 5)
    en = tag(client, rami, paragraph.id, "en", 0, 6)
    assert link(client, rami, ar, en).status_code == 201
    assert client.delete(f"{API}/entities/{ar['id']}", headers=rami).status_code == 204
    # SQLite gives the highest id again once its row is deleted: another entity can take it meanwhile.
    db.session.add(Entity(id=ar["id"], paragraph_id=paragraph.id, lang="ar", start=6, end=17, label_id=ar_label(),
                          text=AR[6:17], author_id=None))
    db.session.commit()

    undone = undo(client, rami, paragraph.article_id).get_json()["undone"]
    assert undone["same_id"] is False and undone["entity_id"] != ar["id"]
    assert f"under a new id, {undone['entity_id']}" in undone["message"]
    links = listed(client, rami, paragraph.id)["links"]
    assert pairs(links) == [(undone["entity_id"], en["id"])]
    # The older actions name it by its new id: undoing the link and the tag reach the right entity.
    assert undo(client, rami, paragraph.article_id).get_json()["undone"]["action"] == "link.create"
    assert undo(client, rami, paragraph.article_id).get_json()["undone"]["action"] == "entity.create"
    assert undo(client, rami, paragraph.article_id).get_json()["undone"] == {
        "action": "entity.create", "entity_id": undone["entity_id"], "paragraph_id": paragraph.id,
        "message": "Undid tagging «روسيا»."}
    assert spans(client, rami, paragraph.id) == [("ar", AR[6:17], "LOC", False)]


def ar_label() -> int:
    from app.models import Label

    return db.session.scalar(select(Label.id).where(Label.name == "LOC"))


def test_reviewer_undoes_and_redoes_a_relabel(client, paragraph, rami):
    created = tag(client, rami, paragraph.id, "ar", 0, 5)
    assert client.patch(f"{API}/entities/{created['id']}", json={"label": "ORG"}, headers=rami).status_code == 200

    undone = undo(client, rami, paragraph.article_id).get_json()
    assert undone["undone"]["action"] == "entity.relabel"
    assert spans(client, rami, paragraph.id) == [("ar", "روسيا", "LOC", False)]
    assert redo(client, rami, paragraph.article_id).get_json()["redone"]["action"] == "entity.relabel"
    assert spans(client, rami, paragraph.id) == [("ar", "روسيا", "ORG", False)]


def test_reviewer_undoes_and_redoes_looks_right(client, paragraph, rami, reviewer):
    tag(client, rami, paragraph.id, "en", 0, 6)  # "Russia"
    # Gluing a letter onto it flags it for a second look.
    review_service.save_translation(paragraph.id, "Russian and Turkmenistan work on developing cooperation.",
                                    first_paragraph(paragraph.article).version, actor=reviewer)
    entity = listed(client, rami, paragraph.id)["entities"][0]
    assert entity["flagged"] is True
    assert client.patch(f"{API}/entities/{entity['id']}", json={"flagged": False}, headers=rami).status_code == 200

    undone = undo(client, rami, paragraph.article_id).get_json()
    assert "undone" in undone, undone
    assert undone["undone"]["action"] == "entity.looks_right"
    assert undone["undone"]["message"] == 'Undid "looks right" on «Russia».'
    assert spans(client, rami, paragraph.id) == [("en", "Russia", "LOC", True)]
    assert redo(client, rami, paragraph.article_id).status_code == 200
    assert spans(client, rami, paragraph.id) == [("en", "Russia", "LOC", False)]


def test_reviewer_undoes_and_redoes_a_link_and_an_unlink(client, paragraph, rami):
    ar = tag(client, rami, paragraph.id, "ar", 0, 5)
    en = tag(client, rami, paragraph.id, "en", 0, 6)
    assert link(client, rami, ar, en).status_code == 201
    assert link(client, rami, ar, en, "DELETE").status_code == 204

    undone = undo(client, rami, paragraph.article_id).get_json()
    assert undone["undone"]["action"] == "link.delete"
    assert undone["undone"]["message"] == "Undid unlinking «روسيا» → «Russia»."
    assert len(listed(client, rami, paragraph.id)["links"]) == 1
    assert undo(client, rami, paragraph.article_id).get_json()["undone"]["action"] == "link.create"
    assert listed(client, rami, paragraph.id)["links"] == []
    assert redo(client, rami, paragraph.article_id).get_json()["redone"]["action"] == "link.create"
    assert len(listed(client, rami, paragraph.id)["links"]) == 1
    assert redo(client, rami, paragraph.article_id).get_json()["redone"]["action"] == "link.delete"
    assert listed(client, rami, paragraph.id)["links"] == []
    assert redo(client, rami, paragraph.article_id).status_code == 409


def test_reviewer_undoes_and_redoes_accepting_and_rejecting_suggestions(client, paragraph, rami):
    glossary.create_term("روسيا", "Russia", "LOC")
    glossary.create_term("تركمانستان", "Turkmenistan", "LOC")

    def suggested():
        found = client.get(f"{API}/articles/{paragraph.article_id}/suggestions", headers=rami).get_json()
        return sorted(s["text"] for s in found["suggestions"] if s["paragraph_id"] == paragraph.id and s["lang"] == "ar")

    assert suggested() == ["تركمانستان", "روسيا"]
    tag(client, rami, paragraph.id, "ar", 0, 5, suggestion=True)
    start = AR.index("تركمانستان")
    rejected = client.post(f"{API}/paragraphs/{paragraph.id}/suggestions/reject",
                           json={"lang": "ar", "start": start, "end": start + len("تركمانستان"), "label": "LOC"},
                           headers=rami)
    assert rejected.status_code == 204
    assert suggested() == []

    undone = undo(client, rami, paragraph.article_id).get_json()["undone"]
    assert (undone["action"], undone["message"]) == ("suggestion.reject",
                                                     "Undid rejecting the suggestion «تركمانستان».")
    assert suggested() == ["تركمانستان"]
    undone = undo(client, rami, paragraph.article_id).get_json()["undone"]
    assert (undone["action"], undone["message"]) == ("suggestion.accept",
                                                     "Undid accepting the suggestion «روسيا».")
    assert suggested() == ["تركمانستان", "روسيا"] and spans(client, rami, paragraph.id) == []

    assert redo(client, rami, paragraph.article_id).get_json()["redone"]["action"] == "suggestion.accept"
    assert redo(client, rami, paragraph.article_id).get_json()["redone"]["action"] == "suggestion.reject"
    assert suggested() == [] and spans(client, rami, paragraph.id) == [("ar", "روسيا", "LOC", False)]


# Refusals ----------------------------------------------------------------------------


def test_nothing_to_undo_or_redo_is_a_409_that_says_so(client, paragraph, rami):
    response = undo(client, rami, paragraph.article_id)
    assert response.status_code == 409
    assert response.get_json()["error"] == {"code": "nothing_to_undo", "message": "Nothing to undo in this article."}
    response = redo(client, rami, paragraph.article_id)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "nothing_to_redo"


def test_a_new_action_forgets_what_was_undone(client, paragraph, rami):
    tag(client, rami, paragraph.id, "ar", 0, 5)
    assert undo(client, rami, paragraph.article_id).status_code == 200
    tag(client, rami, paragraph.id, "en", 0, 6)
    assert redo(client, rami, paragraph.article_id).status_code == 409
    assert spans(client, rami, paragraph.id) == [("en", "Russia", "LOC", False)]


def test_the_polled_article_state_says_what_can_be_undone_and_redone(client, paragraph, rami, amina):
    def stack(headers):
        return client.get(f"{API}/articles/{paragraph.article_id}/state", headers=headers).get_json()["stack"]

    assert stack(rami) == {"undo": 0, "redo": 0}
    tag(client, rami, paragraph.id, "ar", 0, 5)
    tag(client, rami, paragraph.id, "en", 0, 6)
    assert stack(rami) == {"undo": 2, "redo": 0}
    assert undo(client, rami, paragraph.article_id).get_json()["stack"] == {"undo": 1, "redo": 1}
    assert stack(rami) == {"undo": 1, "redo": 1}
    assert stack(amina) == {"undo": 0, "redo": 0}  # one's own stack only


def test_undo_never_touches_an_approved_paragraph(client, paragraph, rami):
    ar = tag(client, rami, paragraph.id, "ar", 0, 5)
    en = tag(client, rami, paragraph.id, "en", 0, 6)
    assert link(client, rami, ar, en).status_code == 201
    approved = client.post(f"{API}/paragraphs/{paragraph.id}/approve",
                           json={"version": first_paragraph(paragraph.article).version,
                                 "override_reason": "Shortened test paragraph."}, headers=rami)
    assert approved.status_code == 200, approved.get_json()

    response = undo(client, rami, paragraph.article_id)
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == \
        "This paragraph is approved: reopen it to undo linking «روسيا» → «Russia»."
    assert len(listed(client, rami, paragraph.id)["links"]) == 1
    assert db.session.scalar(select(AnnotationAction.undone_at).order_by(AnnotationAction.id.desc())) is None


def test_undo_is_only_ones_own_and_refuses_over_another_users_later_change(client, paragraph, rami, amina):
    created = tag(client, rami, paragraph.id, "ar", 0, 5)
    # The admin has done nothing here: nothing of rami's is hers to undo.
    assert undo(client, amina, paragraph.article_id).get_json()["error"]["code"] == "nothing_to_undo"
    assert client.patch(f"{API}/entities/{created['id']}", json={"label": "ORG"}, headers=amina).status_code == 200

    refused = undo(client, rami, paragraph.article_id)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["message"] == (
        "Amina Admin has since changed this (relabelling «روسيا»): Mizan does not undo over another user's work.")
    assert spans(client, rami, paragraph.id) == [("ar", "روسيا", "ORG", False)]

    # Once she undoes her own change, his undo goes through.
    assert undo(client, amina, paragraph.article_id).get_json()["undone"]["action"] == "entity.relabel"
    assert undo(client, rami, paragraph.article_id).get_json()["undone"]["action"] == "entity.create"
    assert spans(client, rami, paragraph.id) == []


def test_undo_refuses_when_the_english_was_edited_since(client, paragraph, rami, reviewer):
    tag(client, rami, paragraph.id, "en", 0, 6)
    review_service.save_translation(paragraph.id, EN + " Again.", first_paragraph(paragraph.article).version,
                                    actor=reviewer)
    response = undo(client, rami, paragraph.article_id)
    assert response.status_code == 409
    assert "was edited since" in response.get_json()["error"]["message"]
    assert spans(client, rami, paragraph.id) == [("en", "Russia", "LOC", False)]


def test_a_reviewer_of_another_article_cannot_undo_there(client, paragraph, rami, app):
    from app.services import users as user_service
    from tests.conftest import PASSWORD, bearer

    omar = user_service.create_user("omar", PASSWORD, "reviewer")
    tag(client, rami, paragraph.id, "ar", 0, 5)
    assert undo(client, bearer(user_service.issue_api_token(omar)), paragraph.article_id).status_code == 404
    assert len(spans(client, rami, paragraph.id)) == 1


# The table comes and goes with its migration -------------------------------------------


def test_the_undo_table_comes_and_goes_with_migration_0012(app, paragraph, client, rami):
    from flask_migrate import downgrade, upgrade

    tag(client, rami, paragraph.id, "ar", 0, 5)
    db.session.remove()
    downgrade(revision="0011")
    assert "annotation_actions" not in inspect(db.engine).get_table_names()
    upgrade()
    assert "annotation_actions" in inspect(db.engine).get_table_names()
    assert undo(client, rami, paragraph.article_id).status_code == 409  # the history went with the table
