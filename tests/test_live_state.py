"""Live state of the workspace through the API (issue 15): writes answer with the article's state, the state
endpoint, and the dashboard counting a re-approval once."""
from __future__ import annotations

from app.services import effort
from tests.support.fixtures import API, approve, first_paragraph


def test_an_approval_answers_with_the_article_state_and_the_state_endpoint_agrees(client, assigned, rami):
    paragraph = first_paragraph(assigned)
    response = approve(client, rami, paragraph.id, paragraph.version)
    assert response.status_code == 200, response.get_json()
    article = response.get_json()["article"]
    assert article == {"id": assigned.id, "status": "in_review", "approved": 1, "total": 3, "edited": 0, "draft": 2,
                       "transitions": []}
    assert response.get_json()["override"] is None

    state = client.get(f"{API}/articles/{assigned.id}/state", headers=rami).get_json()
    assert {k: state[k] for k in article} == article
    statuses = {p["id"]: p["status"] for p in state["paragraphs"]}
    assert len(statuses) == 3
    assert statuses.pop(paragraph.id) == "approved"
    assert "approved" not in statuses.values()


def test_a_re_approval_counts_once_on_the_dashboard_and_in_the_reviewers_row(client, assigned, rami, reviewer):
    paragraph = first_paragraph(assigned)
    assert approve(client, rami, paragraph.id, paragraph.version).status_code == 200
    reopened = client.post(f"{API}/paragraphs/{paragraph.id}/reopen", json={"version": paragraph.version}, headers=rami)
    assert reopened.status_code == 200, reopened.get_json()
    assert approve(client, rami, paragraph.id, paragraph.version).status_code == 200

    board = effort.dashboard()
    row = next(r for r in board.reviewers if r.user.id == reviewer.id)
    assert board.approved_paragraphs == 1
    assert row.effort.paragraphs == 1
    assert sum(row.per_day.values()) == 1
