"""One map of domain refusals to HTTP: every ServiceError class declares its status and code, the API
answers any of them as `{"error": {"code", "message"}}` from that, pages show them as a message, and
no route catches them by hand."""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import app.services
from app.services import Conflict, Forbidden, NotFound, ServiceError
from app.services import entities as entity_service
from app.services import mt as mt_service
from app.services import review as review_service
from app.services import workflow as workflow_service
from tests.conftest import csrf_token_from
from tests.support.fixtures import API, first_paragraph, page_of

APP = Path(app.services.__file__).parent.parent


def every_service_error() -> set[type[ServiceError]]:
    for module in pkgutil.walk_packages(app.services.__path__, "app.services."):
        importlib.import_module(module.name)
    found, todo = set(), [ServiceError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_domain_refusal_declares_its_http_status_and_code():
    classes = every_service_error()
    assert len(classes) > 15
    for cls in classes:
        assert cls.status in (403, 404, 409, 422), cls
        assert re.fullmatch(r"[a-z_]+", cls.code), cls
    assert (NotFound.status, Forbidden.status, Conflict.status, ServiceError.status) == (404, 403, 409, 422)
    for state_refusal in (workflow_service.InvalidTransition, workflow_service.ArticleLocked,
                          entity_service.DuplicateEntity, entity_service.StaleRevision,
                          review_service.EditConflict, mt_service.NoModelInstalled):
        assert state_refusal.status == 409, state_refusal
    assert review_service.EditConflict.code == "edit_conflict"


def test_no_view_catches_domain_refusals_by_hand():
    for package in ("api", "admin", "review", "export", "auth"):
        for path in (APP / package).rglob("*.py"):
            source = path.read_text()
            assert "service_errors" not in source, path
            assert not re.search(r"except\s+\(?[\w.]*(ServiceError|NotFound|Forbidden|PackageError|"
                                 r"SelectionError|NoModelInstalled)", source), path


def test_the_api_answers_each_kind_of_refusal_with_its_status_code_and_message(client, article, rami):
    paragraph = first_paragraph(article)
    not_found = client.get(f"{API}/paragraphs/999999999/revisions", headers=rami)
    assert not_found.status_code == 404 and not_found.get_json()["error"]["code"] == "not_found"

    saved = client.put(f"{API}/paragraphs/{paragraph.id}/translation", headers=rami,
                       json={"text": "The presidents met.", "version": paragraph.version})
    assert saved.status_code == 200
    stale = client.put(f"{API}/paragraphs/{paragraph.id}/translation", headers=rami,
                       json={"text": "Another text.", "version": paragraph.version})
    body = stale.get_json()
    assert stale.status_code == 409 and body["error"]["code"] == "edit_conflict"
    assert (body["version"], body["text"]) == (saved.get_json()["version"], "The presidents met.")

    illegal = client.post(f"{API}/articles/{article.id}/transitions", headers=rami, json={"to": "approved"})
    assert illegal.status_code in (403, 409)
    assert illegal.get_json()["error"]["code"] == {403: "forbidden", 409: "conflict"}[illegal.status_code]
    assert illegal.get_json()["error"]["message"]

    empty = client.post(f"{API}/articles/{article.id}/transitions", headers=rami,
                        json={"to": "changes_requested"})
    assert empty.status_code in (403, 409, 422) and set(empty.get_json()) == {"error"}


def test_an_admin_page_shows_a_refusal_as_a_message_and_changes_nothing(admin_client, reviewer):
    token = csrf_token_from(page_of(admin_client, "/admin/users"))
    response = admin_client.post("/admin/users", follow_redirects=True, data={
        "csrf_token": token, "username": "rami", "display_name": "Rami again", "role": "reviewer",
        "password": "Quartz-lantern-47-orbit", "confirm": "Quartz-lantern-47-orbit"})
    assert response.status_code == 422
    assert "A user named &#39;rami&#39; already exists." in response.get_data(as_text=True)


def test_a_label_that_does_not_exist_is_a_404_page(admin_client):
    token = csrf_token_from(page_of(admin_client, "/admin/labels"))
    assert admin_client.get("/admin/labels/999999").status_code == 404
    response = admin_client.post("/admin/labels/999999/retire", data={"csrf_token": token})
    assert response.status_code == 404


@pytest.mark.parametrize("to", ["submitted", "approved"])
def test_a_refused_transition_on_the_review_page_is_a_message(reviewer_client, assigned, to):
    token = csrf_token_from(page_of(reviewer_client, f"/articles/{assigned.id}"))
    response = reviewer_client.post(f"/articles/{assigned.id}/transition", follow_redirects=True,
                                    data={"csrf_token": token, "to": to})
    assert response.status_code == 200
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
