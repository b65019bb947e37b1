"""Post-editing through the API: saves with optimistic locking, approval, history, workflow, comments."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Article, AuditEvent, Comment, Paragraph, ParagraphApproval, Translation
from tests.support.fixtures import API, approve, first_paragraph, save


def revisions(client, headers, paragraph_id) -> list[dict]:
    response = client.get(f"{API}/paragraphs/{paragraph_id}/revisions", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["revisions"]


def article_status(article_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Article, article_id).status


# Saving ----------------------------------------------------------------------


def test_reviewer_saves_a_correction_as_a_new_revision(client, article, rami, reviewer):
    paragraph = first_paragraph(article)
    machine_revision = paragraph.current_revision_id

    response = save(client, rami, paragraph.id, "Russia and Turkmenistan develop their cooperation.", paragraph.version)

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == paragraph.version + 1
    assert body["status"] == "edited" and body["created"] is True
    history = revisions(client, rami, paragraph.id)
    assert [r["origin"] for r in history] == ["machine", "human"]
    assert history[-1] == {
        "id": body["revision_id"], "text": "Russia and Turkmenistan develop their cooperation.", "origin": "human",
        "author": "rami", "model_id": None, "created_at": history[-1]["created_at"], "parent_id": machine_revision,
    }
    assert history[0]["text"] == "Draft of paragraph A."  # the machine draft is still there
    assert article_status(article.id) == "in_review"  # the first save starts the review


def test_each_save_appends_and_nothing_is_overwritten(client, article, rami):
    paragraph = first_paragraph(article)
    version = paragraph.version
    for text in ("First try.", "Second try.", "Third try."):
        response = save(client, rami, paragraph.id, text, version)
        assert response.status_code == 200
        version = response.get_json()["version"]
    texts = [r["text"] for r in revisions(client, rami, paragraph.id)]
    assert texts == ["Draft of paragraph A.", "First try.", "Second try.", "Third try."]
    parents = [r["parent_id"] for r in revisions(client, rami, paragraph.id)]
    ids = [r["id"] for r in revisions(client, rami, paragraph.id)]
    assert parents == [None, *ids[:-1]]


def test_a_stale_save_gets_409_with_the_current_text_and_changes_nothing(client, article, rami, amina):
    paragraph = first_paragraph(article)
    opened_at = paragraph.version
    assert save(client, amina, paragraph.id, "The admin's fix.", opened_at).status_code == 200

    response = save(client, rami, paragraph.id, "The reviewer's fix.", opened_at)

    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "edit_conflict"
    assert body["text"] == "The admin's fix."
    assert body["version"] == opened_at + 1
    assert [r["text"] for r in revisions(client, rami, paragraph.id)] == ["Draft of paragraph A.", "The admin's fix."]
    # The reviewer merges and saves against the version the conflict named.
    merged = save(client, rami, paragraph.id, "The reviewer's and the admin's fix.", body["version"])
    assert merged.status_code == 200


@pytest.mark.parametrize("payload, message", [
    ({"text": "", "version": 2}, "cannot be empty"),
    ({"text": "  \n\t ", "version": 2}, "cannot be empty"),
    ({"text": "x" * 20_001, "version": 2}, "at most 20,000"),
    ({"text": 42, "version": 2}, None),
    ({"text": ["a"], "version": 2}, None),
    ({"version": 2}, None),
    ({"text": "Fine.", "version": "2"}, None),
    ({"text": "Fine."}, None),
    ({"text": "Fine.", "version": 2, "seconds": -1}, None),
])
def test_invalid_saves_get_422_and_write_nothing(client, article, rami, payload, message):
    paragraph = first_paragraph(article)
    before = db.session.scalar(select(func.count()).select_from(Translation))
    response = client.put(f"{API}/paragraphs/{paragraph.id}/translation", json=payload, headers=rami)
    assert response.status_code == 422, response.get_json()
    if message:
        assert message in response.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Translation)) == before
    assert first_paragraph(article).version == paragraph.version


def test_saved_english_is_stored_nfc_with_unix_line_ends(client, article, rami):
    paragraph = first_paragraph(article)
    response = save(client, rami, paragraph.id, "Cafe\u0301 talks\r\nin Ashgabat  ", paragraph.version)
    assert response.status_code == 200
    assert revisions(client, rami, paragraph.id)[-1]["text"] == "Caf\u00e9 talks\nin Ashgabat"


def test_saving_the_current_text_again_is_not_a_new_revision(client, article, rami):
    paragraph = first_paragraph(article)
    first = save(client, rami, paragraph.id, "Same text.", paragraph.version).get_json()
    again = save(client, rami, paragraph.id, "Same text.", first["version"])
    assert again.status_code == 200
    assert again.get_json() == {**first, "created": False}
    assert len(revisions(client, rami, paragraph.id)) == 2


def test_reviewer_cannot_save_in_an_unassigned_article(client, app, seeded, article, salma, rami):
    other = db.session.scalar(select(Paragraph).where(Paragraph.article_id == seeded[1]))
    response = save(client, rami, other.id, "Not mine.", other.version)
    assert response.status_code == 404
    assert client.get(f"{API}/paragraphs/{other.id}/revisions", headers=rami).status_code == 404


def test_second_reviewer_edits_only_once_the_article_is_submitted(client, article, salma):
    paragraph = first_paragraph(article)
    response = save(client, salma, paragraph.id, "Too early.", paragraph.version)
    assert response.status_code == 409
    assert "once it is submitted" in response.get_json()["error"]["message"]


# Approving -------------------------------------------------------------------


def test_approval_pins_the_current_revision_and_records_the_effort(client, article, rami):
    paragraph = first_paragraph(article)
    saved = save(client, rami, paragraph.id, "Draft of the first paragraph.", paragraph.version, seconds=42).get_json()

    response = approve(client, rami, paragraph.id, saved["version"], seconds=8)

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "approved"
    assert body["approved_revision_id"] == saved["revision_id"]
    assert body["version"] == saved["version"]  # approval does not change the text
    assert body["seconds_spent"] == 50
    assert body["char_edit_distance"] == len("the first ") + len(" A")
    # sacrebleu's default TER splits on white space: "Draft of paragraph A." → "Draft of the first
    # paragraph." is 3 edits (paragraph→the, A.→first, +paragraph.) over 5 reference tokens.
    assert body["hter"] == pytest.approx(3 / 5, abs=1e-3)
    approval = db.session.scalar(select(ParagraphApproval))
    assert approval.revision_id == saved["revision_id"]
    assert approval.machine_revision_id is not None


def test_approving_the_machine_draft_unchanged_costs_zero_edits(client, article, rami):
    paragraph = first_paragraph(article)
    body = approve(client, rami, paragraph.id, paragraph.version).get_json()
    assert body["status"] == "approved"
    assert body["char_edit_distance"] == 0 and body["hter"] == 0.0


def test_a_stale_approval_gets_409(client, article, rami, amina):
    paragraph = first_paragraph(article)
    save(client, amina, paragraph.id, "Changed meanwhile.", paragraph.version)
    response = approve(client, rami, paragraph.id, paragraph.version)
    assert response.status_code == 409
    assert response.get_json()["text"] == "Changed meanwhile."
    assert first_paragraph(article).status == "edited"


def test_editing_an_approved_paragraph_reopens_it_and_is_recorded(client, article, rami):
    paragraph = first_paragraph(article)
    approved = approve(client, rami, paragraph.id, paragraph.version).get_json()

    response = save(client, rami, paragraph.id, "A later fix.", approved["version"])

    assert response.get_json()["status"] == "edited"
    reopened = first_paragraph(article)
    assert reopened.status == "edited"
    assert reopened.approved_revision_id == approved["approved_revision_id"]  # what was approved stays known
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "paragraph")).all()
    assert actions == ["paragraph.approve", "paragraph.reopen"]


def test_reopen_takes_an_approved_paragraph_back_to_edited(client, article, rami):
    paragraph = first_paragraph(article)
    approve(client, rami, paragraph.id, paragraph.version)
    response = client.post(f"{API}/paragraphs/{paragraph.id}/reopen", json={"version": paragraph.version}, headers=rami)
    assert response.status_code == 200
    assert response.get_json()["status"] == "edited"
    again = client.post(f"{API}/paragraphs/{paragraph.id}/reopen", json={"version": paragraph.version}, headers=rami)
    assert again.status_code == 422


def test_nothing_to_approve_without_english(client, article, rami):
    paragraph = first_paragraph(article)
    paragraph.current_revision_id = None
    db.session.commit()
    response = approve(client, rami, paragraph.id, paragraph.version)
    assert response.status_code == 422
    assert "no English" in response.get_json()["error"]["message"]


# History ---------------------------------------------------------------------


def test_restore_creates_a_new_revision_with_the_old_text(client, article, rami):
    paragraph = first_paragraph(article)
    first = save(client, rami, paragraph.id, "Good version.", paragraph.version).get_json()
    second = save(client, rami, paragraph.id, "Bad version.", first["version"]).get_json()

    response = client.post(f"{API}/paragraphs/{paragraph.id}/revisions/{first['revision_id']}/restore",
                           json={"version": second["version"]}, headers=rami)

    assert response.status_code == 200
    history = revisions(client, rami, paragraph.id)
    assert [r["text"] for r in history] == ["Draft of paragraph A.", "Good version.", "Bad version.", "Good version."]
    assert history[-1]["parent_id"] == second["revision_id"]


def test_word_diff_between_two_revisions(client, article, rami):
    paragraph = first_paragraph(article)
    machine = revisions(client, rami, paragraph.id)[0]["id"]
    saved = save(client, rami, paragraph.id, "Draft of the first paragraph.", paragraph.version).get_json()

    response = client.get(f"{API}/paragraphs/{paragraph.id}/diff?from={machine}&to={saved['revision_id']}", headers=rami)

    assert response.status_code == 200
    parts = [(p["op"], p["text"]) for p in response.get_json()["parts"]]
    assert parts == [("equal", "Draft of "), ("insert", "the first "), ("equal", "paragraph"),
                     ("delete", " A"), ("equal", ".")]
    other = client.get(f"{API}/paragraphs/{paragraph.id}/diff?from={machine}&to=999999", headers=rami)
    assert other.status_code == 404


# Article workflow ------------------------------------------------------------


def approve_all(client, headers, article):
    """Approve every paragraph; the placeholder drafts miss the Arabic's numbers, so QA is overridden, with a reason."""
    for paragraph in db.session.scalars(select(Paragraph).where(Paragraph.article_id == article.id)):
        response = approve(client, headers, paragraph.id, paragraph.version,
                           override_reason="Placeholder draft in a workflow test.")
        assert response.status_code == 200, response.get_json()


def move(client, headers, article_id, to, comment=None):
    body = {"to": to} | ({"comment": comment} if comment is not None else {})
    return client.post(f"{API}/articles/{article_id}/transitions", json=body, headers=headers)


def test_whole_review_round_trip_with_changes_requested(client, article, rami, salma, amina):
    assert move(client, rami, article.id, "in_review").get_json()["status"] == "in_review"
    refused = move(client, rami, article.id, "submitted")
    assert refused.status_code == 409 and "not approved yet" in refused.get_json()["error"]["message"]

    approve_all(client, rami, article)
    assert move(client, rami, article.id, "submitted").get_json()["status"] == "submitted"
    # The reviewer can no longer edit; the second reviewer can.
    paragraph = first_paragraph(article)
    assert save(client, rami, paragraph.id, "Late.", paragraph.version).status_code == 409

    no_reason = move(client, salma, article.id, "changes_requested")
    assert no_reason.status_code == 422 and "requires a comment" in no_reason.get_json()["error"]["message"]
    sent_back = move(client, salma, article.id, "changes_requested", "Paragraph 3: the date is wrong.")
    assert sent_back.get_json()["status"] == "changes_requested"
    assert db.session.scalar(select(Comment.body)) == "Paragraph 3: the date is wrong."

    # The reviewer's next save resumes the review.
    saved = save(client, rami, paragraph.id, "Fixed after review.", paragraph.version)
    assert saved.status_code == 200
    assert article_status(article.id) == "in_review"
    assert approve(client, rami, paragraph.id, saved.get_json()["version"]).status_code == 200
    assert move(client, rami, article.id, "submitted").status_code == 200
    assert move(client, rami, article.id, "approved").status_code == 403  # not the reviewer's call
    assert move(client, salma, article.id, "approved").get_json()["status"] == "approved"

    locked = save(client, amina, paragraph.id, "Even the admin waits.", first_paragraph(article).version)
    assert locked.status_code == 409 and "approved and locked" in locked.get_json()["error"]["message"]
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("article.%"), AuditEvent.object_id == article.id)
        .order_by(AuditEvent.id)
    ).all()
    assert events[events.index("article.start_review"):] == ["article.start_review", "article.submit", "article.request_changes", "article.start_review",
                      "article.submit", "article.approve"]


@pytest.mark.parametrize("to", ["approved", "changes_requested"])
def test_illegal_transitions_are_refused_with_a_clear_message(client, article, amina, to):
    response = move(client, amina, article.id, to, "why")
    assert response.status_code == 409
    assert "Cannot" in response.get_json()["error"]["message"]
    assert article_status(article.id) == "assigned"


def test_unknown_target_status_is_a_422(client, article, amina):
    assert move(client, amina, article.id, "published").status_code == 422


# Comments --------------------------------------------------------------------


def test_comments_on_the_article_and_on_a_paragraph(client, article, rami, salma):
    paragraph = first_paragraph(article)
    on_article = client.post(f"{API}/articles/{article.id}/comments", json={"body": "Starting today."}, headers=rami)
    on_paragraph = client.post(f"{API}/articles/{article.id}/comments",
                               json={"body": "Is «الاتحاد» Union or Alliance?", "paragraph_id": paragraph.id},
                               headers=salma)
    assert on_article.status_code == 201 and on_paragraph.status_code == 201
    listed = client.get(f"{API}/articles/{article.id}/comments", headers=rami).get_json()["comments"]
    assert [(c["author"], c["paragraph_id"], c["body"]) for c in listed] == [
        ("rami", None, "Starting today."), ("salma", paragraph.id, "Is «الاتحاد» Union or Alliance?"),
    ]
    assert client.post(f"{API}/articles/{article.id}/comments", json={"body": " "}, headers=rami).status_code == 422


# QA blocks approval ------------------------------------------------------------------


def test_blocking_qa_findings_stop_approval_until_the_reviewer_gives_a_reason(client, article, rami):
    # "... talks of the two presidents today, Friday 10 June 2022, in the capital ..."
    paragraph = db.session.scalar(select(Paragraph).where(Paragraph.article_id == article.id,
                                                          Paragraph.ar.contains("10 يونيو/حزيران 2022")))
    saved = save(client, rami, paragraph.id, "This came in the declaration signed after the presidents' talks "
                 "on Friday in the capital.", paragraph.version).get_json()
    assert any(f["check"] == "numbers" and f["severity"] == "error" for f in saved["qa"])

    blocked = approve(client, rami, paragraph.id, saved["version"])

    assert blocked.status_code == 422
    error = blocked.get_json()["error"]
    assert "Approval blocked by QA" in error["message"]
    assert {f["check"] for f in error["details"]["qa"]} == {"numbers"}  # the date and the year
    assert first_paragraph_status(paragraph.id) == "edited"

    overridden = approve(client, rami, paragraph.id, saved["version"], override_reason="The date is in the dateline.")
    assert overridden.status_code == 200
    approval = db.session.scalar(select(ParagraphApproval))
    assert approval.override_reason == "The date is in the dateline."
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "paragraph.approve"))
    assert event.after["overridden"] == ["numbers"]


def first_paragraph_status(paragraph_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Paragraph, paragraph_id).status


def test_each_paragraph_in_the_article_lists_its_qa_findings(client, article, rami):
    paragraphs = client.get(f"{API}/articles/{article.id}", headers=rami).get_json()["paragraphs"]
    dated = next(p for p in paragraphs if "2022" in p["ar"])
    assert {"check": "unchanged_mt", "severity": "info", "message": "The English is identical to the machine draft"} \
        in dated["qa"]
    assert any(f["check"] == "numbers" for f in dated["qa"])


def test_qa_runs_on_any_pair_of_texts(client, rami):
    response = client.post(f"{API}/qa", json={"ar": "بلغ حجم التجارة ٢٨٫٢ مليار دولار", "en": "Trade reached $28.2 billion."},
                           headers=rami)
    assert response.status_code == 200
    assert response.get_json() == {"findings": []}
    wrong = client.post(f"{API}/qa", json={"ar": "بلغ حجم التجارة ٢٨٫٢ مليار دولار", "en": "Trade reached $82 billion."},
                        headers=rami).get_json()["findings"]
    assert [f["message"] for f in wrong] == ["28.2 billion in the Arabic (٢٨٫٢ مليار) is missing from the English",
                                             "82 billion in the English ($82 billion) is not in the Arabic"]


def test_the_length_ratio_qa_accepts_is_a_setting(client, app, rami):
    pair = {"ar": "وصل الرئيس الروسي فلاديمير بوتين إلى أستانا", "en": "Putin arrived."}
    assert [f["check"] for f in client.post(f"{API}/qa", json=pair, headers=rami).get_json()["findings"]] == []
    app.config["QA_LENGTH_RATIO"] = (0.9, 2.5)
    findings = client.post(f"{API}/qa", json=pair, headers=rami).get_json()["findings"]
    assert [f["check"] for f in findings] == ["length_ratio"]
