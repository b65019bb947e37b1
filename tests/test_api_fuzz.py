"""Every JSON endpoint fuzzed with hostile strings and shapes (hypothesis): lone surrogates, controls, BOMs,
bidi overrides, combining marks alone, huge numbers, NaN, wrong types, nesting. Never a 5xx, and nothing a
request stored carries a character the text rule refuses, so no export can meet one.

schemathesis (tests/test_api_schemathesis.py) explores what the OpenAPI document describes; this test sends
what a hostile client writes by hand, which JSON allows and the document does not.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Comment, Translation, User
from app.services.user_text import ENGLISH, NAME, PROSE, refusal
from tests.support.fixtures import API, first_paragraph

HOSTILE_STRINGS = ["\ud800", "x\udfffy", "\x00", "Bell\x07", "\x1b[31mred", "\ufeffThe end.", "\ufffe", "\uffff",
                   "\u202eevil", "\u2067", "\u0301\u0302", "", " \t\n ", "\r\n", "a" * 25_000, "١٢٣", "💥",
                   "PER", "per", "in_review", "changes_requested", "ar", "en", "utf16", "rami", "salma"]
TEXT = st.sampled_from(HOSTILE_STRINGS) | st.text(max_size=30)
FIELDS = ["text", "version", "seconds", "override_reason", "to", "comment", "body", "paragraph_id", "lang",
          "start", "end", "label", "revision_id", "unit", "flagged", "ar_entity_id", "en_entity_id", "ar", "en",
          "machine", "username", "role", "due"]
SCALAR = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
          | st.floats(allow_nan=True, allow_infinity=True) | TEXT)
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)
BODY = st.dictionaries(st.sampled_from(FIELDS) | TEXT, VALUE, max_size=6) | VALUE

# Each endpoint with a body it accepts ({v}: the paragraph's version now, {e}: an entity's id); the fuzzer
# sends it with one field replaced by a hostile value, or sends a hostile body of any shape.
ENDPOINTS = [
    ("PUT", "/paragraphs/{p}/translation", {"text": "The presidents met.", "version": "{v}"}),
    ("POST", "/paragraphs/{p}/approve", {"version": "{v}", "override_reason": "Checked."}),
    ("POST", "/paragraphs/{p}/reopen", {"version": "{v}"}),
    ("POST", "/paragraphs/{p}/revisions/{r}/restore", {"version": "{v}"}),
    ("POST", "/articles/{a}/transitions", {"to": "in_review", "comment": "Starting."}),
    ("POST", "/articles/{a}/comments", {"body": "Check the name."}),
    ("POST", "/paragraphs/{p}/entities", {"lang": "ar", "start": 0, "end": 2, "label": "PER"}),
    ("PATCH", "/entities/{e}", {"label": "LOC"}),
    ("POST", "/entity-links", {"ar_entity_id": "{e}", "en_entity_id": "{e}"}),
    ("DELETE", "/entity-links", {"ar_entity_id": "{e}", "en_entity_id": "{e}"}),
    ("POST", "/qa", {"ar": "اجتمع الرئيسان", "en": "The presidents met.", "machine": "Presidents met."}),
    ("POST", "/paragraphs/{p}/suggestions/reject", {"lang": "ar", "start": 0, "end": 2, "label": "PER"}),
    ("POST", "/articles/{a}/assignments", {"username": "salma", "role": "second_reviewer"}),
]


def stored_text_refusals() -> list[str]:
    """Every stored text a user could have sent that the text rule would refuse now."""
    found: list[str] = []
    found += [text for text in db.session.scalars(select(Translation.text)) if refusal(text, ENGLISH) is not None]
    found += [body for body in db.session.scalars(select(Comment.body)) if refusal(body, PROSE) is not None]
    found += [name for name in db.session.scalars(select(User.display_name)) if refusal(name, NAME) is not None]
    return found


@pytest.mark.parametrize("method, url, accepted", ENDPOINTS, ids=[f"{m} {u}" for m, u, _ in ENDPOINTS])
def test_no_hostile_json_breaks_an_endpoint_or_stores_refused_text(client, article, amina, rami, method, url,
                                                                   accepted):
    paragraph = first_paragraph(article)
    entity = client.post(f"{API}/paragraphs/{paragraph.id}/entities", headers=rami,
                         json={"lang": "ar", "start": 0, "end": 2, "label": "PER"}).get_json()
    target = f"{API}{url.format(a=article.id, p=paragraph.id, e=entity['id'], r=paragraph.current_revision_id)}"

    def filled(value):
        if value == "{v}":
            return first_paragraph(article).version
        return entity["id"] if value == "{e}" else value

    one_field_hostile = st.tuples(st.sampled_from(sorted(accepted)), st.sampled_from(HOSTILE_STRINGS) | VALUE) | (
        st.tuples(st.sampled_from(FIELDS) | TEXT, VALUE))

    @given(hostile=st.one_of(one_field_hostile, one_field_hostile, BODY), as_admin=st.booleans())
    @settings(max_examples=100, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    def send(hostile, as_admin):
        if isinstance(hostile, tuple):
            body = {**{key: filled(value) for key, value in accepted.items()}, hostile[0]: hostile[1]}
        else:
            body = hostile
        data = json.dumps(body, ensure_ascii=True, allow_nan=True)  # lone surrogates as \ud800 escapes, NaN bare
        response = client.open(target, method=method, data=data,
                               headers={**(amina if as_admin else rami), "Content-Type": "application/json"})
        assert response.status_code < 500, (data[:300], response.get_data(as_text=True)[:300])
        if response.status_code >= 400:
            assert set(response.get_json()) >= {"error"}

    send()
    db.session.expire_all()
    assert stored_text_refusals() == []
