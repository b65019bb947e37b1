"""One rule for the text users send (services/user_text.py), whatever the door: the API, the forms, the CLI.
Beyond what no engine can store: no byte order mark in the English and comments, no bidirectional
controls in names and labels, English that holds a letter or digit, and every text stored NFC.
A refusal names the field and changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Comment, Label, User
from app.services import user_text
from tests.conftest import csrf_token_from
from tests.support.fixtures import API, first_paragraph, page_of

GOOD_PASSWORD = "Quartz-lantern-47-orbit"


def comment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


@pytest.mark.parametrize("text, message", [
    ("\ufeffThe presidents met in Moscow.", "The value contains a byte order mark (U+FEFF at character 1), which is not text."),
    ("The presidents\ufeff met.", "The value contains a byte order mark (U+FEFF at character 15), which is not text."),
    ("\u0301\u0302\u0303", "The value has no letter or digit."),
    ("... — !", "The value has no letter or digit."),
], ids=["leading BOM", "BOM inside", "combining marks only", "punctuation only"])
def test_english_with_a_byte_order_mark_or_without_a_letter_is_refused_naming_the_field(
        client, article, rami, text, message):
    paragraph = first_paragraph(article)
    response = client.put(f"{API}/paragraphs/{paragraph.id}/translation",
                          json={"text": text, "version": paragraph.version}, headers=rami)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"]["json"]["text"] == [message]
    assert first_paragraph(article).version == paragraph.version


@pytest.mark.parametrize("text", ["1998", "Ω", "٣", "Tab\tand\nlines."])
def test_english_holding_any_letter_or_digit_is_accepted(client, article, rami, text):
    paragraph = first_paragraph(article)
    response = client.put(f"{API}/paragraphs/{paragraph.id}/translation",
                          json={"text": text, "version": paragraph.version}, headers=rami)
    assert response.status_code == 200, response.get_json()


def test_the_english_and_comments_are_stored_nfc(client, article, rami):
    paragraph = first_paragraph(article)
    decomposed = "Cafe\u0301 talks."
    saved = client.put(f"{API}/paragraphs/{paragraph.id}/translation",
                       json={"text": decomposed, "version": paragraph.version}, headers=rami)
    assert saved.status_code == 200
    revisions = client.get(f"{API}/paragraphs/{paragraph.id}/revisions", headers=rami).get_json()["revisions"]
    assert revisions[-1]["text"] == "Caf\u00e9 talks."
    comment = client.post(f"{API}/articles/{article.id}/comments", json={"body": decomposed}, headers=rami)
    assert comment.status_code == 201 and comment.get_json()["body"] == "Caf\u00e9 talks."


@pytest.mark.parametrize("field, body", [
    ("body", {"body": "Check\ufeff the name."}),
])
def test_a_comment_with_a_byte_order_mark_is_refused_by_the_api(client, article, rami, field, body):
    response = client.post(f"{API}/articles/{article.id}/comments", json=body, headers=rami)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["json"]) == [field]
    assert comment_count() == 0


def test_a_comment_with_a_byte_order_mark_is_refused_by_the_page(reviewer_client, assigned):
    token = csrf_token_from(page_of(reviewer_client, f"/articles/{assigned.id}"))
    response = reviewer_client.post(f"/articles/{assigned.id}/comments", follow_redirects=True,
                                    data={"csrf_token": token, "body": "Check\ufeff the name."})
    assert "The comment contains a byte order mark (U+FEFF at character 6), which is not text." in (
        response.get_data(as_text=True))
    assert comment_count() == 0


def test_a_transition_comment_and_an_approval_reason_with_a_byte_order_mark_are_refused(client, article, rami):
    paragraph = first_paragraph(article)
    approve = client.post(f"{API}/paragraphs/{paragraph.id}/approve", headers=rami,
                          json={"version": paragraph.version, "override_reason": "\ufeffchecked"})
    assert approve.status_code == 422 and list(approve.get_json()["error"]["details"]["json"]) == ["override_reason"]
    move = client.post(f"{API}/articles/{article.id}/transitions", headers=rami,
                       json={"to": "in_review", "comment": "go\ufeff"})
    assert move.status_code == 422 and list(move.get_json()["error"]["details"]["json"]) == ["comment"]
    assert first_paragraph(article).status != "approved"


BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("control", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_a_display_name_with_a_bidi_control_is_refused_by_the_form(admin_client, control):
    token = csrf_token_from(page_of(admin_client, "/admin/users"))
    response = admin_client.post("/admin/users", data={
        "csrf_token": token, "username": "huda", "display_name": f"Huda{control}gnp.exe", "role": "reviewer",
        "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert response.status_code == 422
    assert (f"The display name contains a bidirectional control character (U+{ord(control):04X} at character 5), "
            "which could disguise it.") in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "huda")) is None


def test_a_display_name_with_a_bidi_override_is_refused_by_the_cli(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "huda", "--display-name", "Huda\u202egnp.exe",
                                                "--password-stdin"], input=GOOD_PASSWORD + "\n")
    assert result.exit_code == 1
    assert "The display name contains a bidirectional control character (U+202E at character 5)" in result.output
    assert db.session.scalar(select(User).where(User.username == "huda")) is None


def test_a_display_name_in_arabic_is_still_welcome(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "huda", "--display-name", "هدى",
                                                "--password-stdin"], input=GOOD_PASSWORD + "\n")
    assert result.exit_code == 0, result.output


def test_an_entity_label_or_an_assigned_username_with_a_bidi_control_is_refused_by_the_api(
        client, article, rami, amina):
    paragraph = first_paragraph(article)
    entity = client.post(f"{API}/paragraphs/{paragraph.id}/entities", headers=rami,
                         json={"lang": "ar", "start": 0, "end": 2, "label": "PER\u202e"})
    assert entity.status_code == 422
    assert ("The value contains a bidirectional control character (U+202E at character 4), which could disguise it."
            in entity.get_json()["error"]["details"]["json"]["label"])
    assign = client.post(f"{API}/articles/{article.id}/assignments", headers=amina,
                         json={"username": "\u2067rami", "role": "reviewer"})
    assert assign.status_code == 422 and list(assign.get_json()["error"]["details"]["json"]) == ["username"]


def test_a_label_name_with_a_bidi_control_is_refused_by_the_admin_page(admin_client):
    token = csrf_token_from(page_of(admin_client, "/admin/labels"))
    response = admin_client.post("/admin/labels", follow_redirects=True,
                                 data={"csrf_token": token, "name": "GPE\u202e", "colour": "#123abc"})
    assert "contains a bidirectional control character (U+202E at character 4)" in response.get_data(as_text=True)
    assert db.session.scalar(select(Label).where(Label.name.like("GPE%"))) is None


def test_the_rule_by_kind_of_text():
    refusal = user_text.refusal
    assert refusal("\u202eabc", user_text.TEXT) is None  # Arabic and mixed free text may carry bidi marks
    assert refusal("\u202eabc", user_text.PROSE) is None
    assert refusal("\u202eabc", user_text.NAME) is not None
    assert refusal("a\ufeffb", user_text.TEXT) is None
    assert all(refusal("a\ufeffb", kind) is not None for kind in (user_text.PROSE, user_text.ENGLISH, user_text.NAME))
    assert refusal("\u0301", user_text.ENGLISH) == "has no letter or digit"
    assert refusal("\u0301", user_text.PROSE) is None
    assert refusal("x\r\ny\tz", user_text.ENGLISH) is None
    assert all(refusal("a\ud800", kind) is not None for kind in user_text.KINDS)
