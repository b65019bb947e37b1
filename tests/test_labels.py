"""Admins manage the label set: create, edit, retire; a label in use is never deleted."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Entity, Label
from tests.conftest import csrf_token_from


def labels_page(client) -> str:
    response = client.get("/admin/labels")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_admin_creates_a_label_with_colour_and_hotkey(admin_client):
    token = csrf_token_from(labels_page(admin_client))
    response = admin_client.post("/admin/labels", data={"csrf_token": token, "name": "gpe", "colour": "#123ABC",
                                                        "hotkey": "g"}, follow_redirects=True)
    assert "Label GPE created." in response.get_data(as_text=True)
    label = db.session.scalar(select(Label).where(Label.name == "GPE"))
    assert (label.colour, label.hotkey, label.retired) == ("#123abc", "g", False)
    assert admin_client.get("/api/v1/labels").get_json()["labels"][-1]["name"] == "GPE"


def test_bad_labels_are_refused_with_a_reason(admin_client):
    token = csrf_token_from(labels_page(admin_client))
    for data, message in [
        ({"name": "PER", "colour": "#000000"}, "already a label PER"),
        ({"name": "NEW", "colour": "red"}, "#1f77b4"),
        ({"name": "NEW", "colour": "#000000", "hotkey": "j"}, "already a workspace key"),
        ({"name": "NEW", "colour": "#000000", "hotkey": "p"}, "PER already uses the hotkey"),
    ]:
        response = admin_client.post("/admin/labels", data={"csrf_token": token, **data}, follow_redirects=True)
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Label).where(Label.name == "NEW")) is None


def test_a_label_in_use_can_be_retired_but_not_deleted(admin_client, app, seeded, admin):
    label = db.session.scalar(select(Label).where(Label.name == "LOC"))
    from app.models import Paragraph

    paragraph = db.session.scalar(select(Paragraph))
    db.session.add(Entity(paragraph_id=paragraph.id, lang="ar", start=0, end=2, label_id=label.id,
                          text=paragraph.ar[:2]))
    db.session.commit()
    token = csrf_token_from(labels_page(admin_client))
    refused = admin_client.post(f"/admin/labels/{label.id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "retire it instead" in refused.get_data(as_text=True)
    admin_client.post(f"/admin/labels/{label.id}/retire", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Label, label.id).retired is True
    unused_id = db.session.scalar(select(Label.id).where(Label.name == "EVENT"))
    admin_client.post(f"/admin/labels/{unused_id}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Label, unused_id) is None


def test_reviewers_cannot_manage_labels(reviewer_client):
    assert reviewer_client.get("/admin/labels").status_code == 403
