"""Who may call what: every route of `app.url_map`, with every method, against a declared rule.

`RULES` below is the authorisation table of Mizan: for each (endpoint, method) who is let in. A route
added without a rule here fails `test_every_route_and_method_has_a_declared_rule`, which names the rule to
declare. Each declared rule is then tried as five callers:

- anonymous: pages redirect to the login page, the API answers 401;
- `reviewer`: rami, the reviewer of the article whose ids fill the path;
- `stranger`: omar, a reviewer of another article (the probes of someone else's objects);
- `corpus`: carla, export rights only;
- `curator`: cora, who adjudicates double-annotated articles (and nothing else);
- `admin`: amina.

Pages are called with a logged-in session (and a valid CSRF token on writes), the API with each user's
Bearer token. A caller the rule lets in must not be refused (401, 403, 404); any other gets 403 or 404
(404 where the object is hidden from them); nobody ever gets a 500. Path ids come from real objects of the
test's database, and JSON bodies are valid, so a refusal is the rule speaking, not the input.

Every state-changing form also refuses a missing CSRF token, and so does the API for a session without
its X-CSRFToken header.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Paragraph, TranslationJob
from app.services import entities as entity_service
from app.services import glossary as glossary_service
from app.services import labels as label_service
from app.services import users as user_service
from tests.conftest import PASSWORD, bearer, csrf_token_from, log_in
from tests.support.fixtures import make_article

ANONYMOUS, REVIEWER, STRANGER, CORPUS, CURATOR, ADMIN = (
    "anonymous", "reviewer", "stranger", "corpus", "curator", "admin")
CALLERS = (ANONYMOUS, STRANGER, CORPUS, REVIEWER, CURATOR, ADMIN)  # refused callers first: allowed writes change state
EVERYONE = frozenset({ANONYMOUS, REVIEWER, STRANGER, CORPUS, CURATOR, ADMIN})
LOGGED_IN = frozenset({REVIEWER, STRANGER, CORPUS, CURATOR, ADMIN})
REVIEWERS = frozenset({REVIEWER, ADMIN})  # the article's own reviewer, and admins
EXPORTERS = frozenset({CORPUS, ADMIN})
ADMINS = frozenset({ADMIN})
CURATORS = frozenset({CURATOR, ADMIN})  # adjudication: curators and admins, on any double-annotated article
REFUSED = (401, 403, 404)


@dataclass(frozen=True)
class Rule:
    """Who is let in. `body` builds a valid JSON body from the world; `missing` marks a route whose path
    names something absent even for the allowed callers (its 404 is then the answer, not a refusal);
    `consumes` a route that removes its object (after the first allowed caller, the next gets 404)."""

    allowed: frozenset
    body: object = None
    missing: bool = False
    consumes: bool = False
    why: str = ""
    form: dict = field(default_factory=dict)


def _version(world) -> dict:
    return {"version": world.paragraph_version()}


RULES: dict[tuple[str, str], Rule] = {
    # Public: logging in, the static files and the API's own documentation.
    ("auth.login", "GET"): Rule(EVERYONE),
    ("auth.login", "POST"): Rule(EVERYONE, form={"username": "nobody", "password": "wrong password"}),
    ("static", "GET"): Rule(EVERYONE),
    ("favicon", "GET"): Rule(EVERYONE),
    ("api-docs.openapi_json", "GET"): Rule(EVERYONE),
    ("api-docs.openapi_swagger_ui", "GET"): Rule(EVERYONE),
    ("api_docs_assets", "GET"): Rule(EVERYONE),
    # Every logged-in user: their home, their work list, logging out.
    ("auth.logout", "POST"): Rule(LOGGED_IN),
    # One's own password (a wrong current one: the form answers, nothing changes and the session goes on).
    ("auth.change_password", "GET"): Rule(LOGGED_IN),
    ("auth.change_password", "POST"): Rule(LOGGED_IN, form={
        "current_password": "not the password", "password": "a new and long passphrase 42",
        "confirm": "a new and long passphrase 42"}),
    ("review.home", "GET"): Rule(LOGGED_IN),
    ("review.my_work", "GET"): Rule(LOGGED_IN),
    # One article: its reviewers and admins; anyone else gets 404 (the article is hidden from them).
    ("review.article", "GET"): Rule(REVIEWERS),
    ("review.transition", "POST"): Rule(REVIEWERS, form={"to": "in_review"}),
    ("review.comment", "POST"): Rule(REVIEWERS, form={"body": "A comment."}),
    ("review.history", "GET"): Rule(REVIEWERS),
    ("review.restore", "POST"): Rule(REVIEWERS, form={}),
    # The export page: export rights (corpus users and admins).
    ("export.export_page", "GET"): Rule(EXPORTERS),
    ("export.release_page", "GET"): Rule(EXPORTERS),
    ("export.release_page", "POST"): Rule(EXPORTERS, form={"split": "80/10/10", "seed": "0", "name": "n",
                                                            "version": "1", "status": "approved", "kind": "text"}),
    # The admin's pages.
    ("admin.articles", "GET"): Rule(ADMINS),
    ("admin.article", "GET"): Rule(ADMINS),
    ("admin.article", "POST"): Rule(ADMINS, form={"reviewer": "rami"}),
    ("admin.translate_article", "POST"): Rule(ADMINS),
    ("admin.translate_untranslated", "POST"): Rule(ADMINS),
    ("admin.bulk_articles", "POST"): Rule(ADMINS, form={"action": "assign", "reviewer": "rami"}),
    ("admin.dashboard", "GET"): Rule(ADMINS),
    ("admin.glossary", "GET"): Rule(ADMINS),
    ("admin.glossary", "POST"): Rule(ADMINS, form={"ar": "دمشق", "en": "Damascus", "label": "LOC"}),
    ("admin.glossary_term", "GET"): Rule(ADMINS),
    ("admin.glossary_term", "POST"): Rule(ADMINS, form={"ar": "حلب", "en": "Aleppo", "label": "LOC"}),
    ("admin.delete_glossary_term", "POST"): Rule(ADMINS, consumes=True),
    ("admin.import_articles", "GET"): Rule(ADMINS),
    ("admin.import_articles", "POST"): Rule(ADMINS),
    ("admin.labels", "GET"): Rule(ADMINS),
    ("admin.labels", "POST"): Rule(ADMINS, form={"name": "WEAPON", "colour": "#123456"}),
    ("admin.label", "GET"): Rule(ADMINS),
    ("admin.label", "POST"): Rule(ADMINS, form={"name": "SPARE", "colour": "#654321"}),
    ("admin.label_action", "POST"): Rule(ADMINS),
    ("admin.models", "GET"): Rule(ADMINS),
    ("admin.models", "POST"): Rule(ADMINS),
    ("admin.remove_model", "POST"): Rule(ADMINS, missing=True, why="no model is installed in a test"),
    ("admin.memories", "GET"): Rule(ADMINS),
    ("admin.memories", "POST"): Rule(ADMINS),
    ("admin.remove_memory", "POST"): Rule(ADMINS, form={"name": "no such memory"}),
    ("admin.users", "GET"): Rule(ADMINS),
    ("admin.users", "POST"): Rule(ADMINS, form={"username": "nadia", "role": "reviewer"}),
    ("admin.user", "GET"): Rule(ADMINS),
    ("admin.set_active", "POST"): Rule(ADMINS),
    ("admin.reset_password", "POST"): Rule(ADMINS),
    # The API, for every account: the article list (each sees their own), labels, QA of any two texts.
    ("api.Articles", "GET"): Rule(LOGGED_IN),
    ("api.list_labels", "GET"): Rule(LOGGED_IN),
    ("api.run_qa", "POST"): Rule(LOGGED_IN, body=lambda w: {"ar": "في عام 2020", "en": "In 2020"}),
    # One's own notifications (each sees and marks only their own).
    ("api.list_notifications", "GET"): Rule(LOGGED_IN),
    ("api.mark_notifications_read", "POST"): Rule(LOGGED_IN, body=lambda w: {"all": True}),
    # The API on one article or paragraph: its reviewers and admins.
    ("api.ArticleDetail", "GET"): Rule(REVIEWERS),
    ("api.list_comments", "GET"): Rule(REVIEWERS),
    ("api.article_state", "GET"): Rule(REVIEWERS),
    ("api.create_comment", "POST"): Rule(REVIEWERS, body=lambda w: {"body": "A comment."}),
    ("api.mark_comments_read", "POST"): Rule(REVIEWERS, body=lambda w: {"up_to": 1}),
    ("api.list_suggestions", "GET"): Rule(REVIEWERS),
    ("api.transition_article", "POST"): Rule(REVIEWERS, body=lambda w: {"to": "in_review"}),
    ("api.get_job", "GET"): Rule(REVIEWERS),
    ("api.save_translation", "PUT"): Rule(
        REVIEWERS, body=lambda w: {"text": "Paragraph number zero, edited.", **_version(w)}),
    ("api.approve_paragraph", "POST"): Rule(REVIEWERS, body=_version),
    ("api.reopen_paragraph", "POST"): Rule(REVIEWERS, body=_version),
    ("api.list_revisions", "GET"): Rule(REVIEWERS),
    ("api.restore_revision", "POST"): Rule(REVIEWERS, body=_version),
    ("api.diff_revisions", "GET"): Rule(REVIEWERS),
    # Translation memory: a paragraph's matches for who may see the paragraph; the concordance of the approved
    # corpus and imported memories for every logged-in user (the corpus is the team's; corpus users export it).
    ("api.paragraph_matches", "GET"): Rule(REVIEWERS),
    ("api.concordance", "GET"): Rule(LOGGED_IN),
    # The 100% matches of an article's paragraphs (the workspace's badge): who may see the article.
    ("api.article_exact_matches", "GET"): Rule(REVIEWERS),
    ("api.list_entities", "GET"): Rule(REVIEWERS),
    ("api.create_entity", "POST"): Rule(
        REVIEWERS, body=lambda w: {"lang": "ar", "start": 0, "end": 4, "label": "MISC"}),
    ("api.update_entity", "PATCH"): Rule(REVIEWERS, body=lambda w: {"label": "ORG"}),
    ("api.delete_entity", "DELETE"): Rule(REVIEWERS, consumes=True),
    ("api.create_link", "POST"): Rule(
        REVIEWERS, body=lambda w: {"ar_entity_id": w.ar_entity_id, "en_entity_id": w.en_entity_id}),
    ("api.delete_link", "DELETE"): Rule(
        REVIEWERS, consumes=True, body=lambda w: {"ar_entity_id": w.ar_entity_id, "en_entity_id": w.en_entity_id}),
    # rami's tags in the world are his to undo (200); an admin has nothing to undo there (409, not a refusal)
    ("api.undo_annotation", "POST"): Rule(REVIEWERS),
    ("api.redo_annotation", "POST"): Rule(REVIEWERS),
    ("api.reject_suggestion", "POST"): Rule(
        REVIEWERS, body=lambda w: {"lang": "ar", "start": 0, "end": 4, "label": "LOC"}),
    # Admins only.
    ("api.create_assignment", "POST"): Rule(ADMINS, body=lambda w: {"username": "omar", "role": "reviewer"}),
    ("api.translate_article", "POST"): Rule(ADMINS, missing=True, why="no model is installed: 409, not a refusal"),
    # The agreement of a double-annotated article: admins only until adjudication (the world's article has no
    # independent annotator: 409 for the admin, not a refusal; tests/test_article_agreement.py tries the others).
    ("api.article_agreement", "GET"): Rule(ADMINS, missing=True, why="not double-annotated: 409, not a refusal"),
    # Export rights.
    ("api.export_corpus", "GET"): Rule(EXPORTERS),
    # Adjudication (services/adjudication.py): curators and admins. The world's article is single-annotated,
    # so they get 409 (nothing to adjudicate), not a refusal; everyone else 403.
    ("curate.articles", "GET"): Rule(CURATORS),
    ("curate.article", "GET"): Rule(CURATORS),
    ("api.adjudicate_paragraph", "POST"): Rule(CURATORS, body=lambda w: {"translation": {"from": "a"}}),
    ("api.export_release", "GET"): Rule(EXPORTERS),
}

METHODS_NOT_DECLARED = {"HEAD", "OPTIONS"}  # answered by Flask for every route, from the GET and the rule


def declared_keys(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - METHODS_NOT_DECLARED}


def test_every_route_and_method_has_a_declared_rule(app):
    routes = declared_keys(app)
    undeclared = sorted(routes - RULES.keys())
    assert not undeclared, (
        "routes without an authorisation rule: declare who may call each in RULES of "
        "tests/test_authorisation_matrix.py, e.g. "
        + "; ".join(f"({endpoint!r}, {method!r}): Rule(ADMINS)" for endpoint, method in undeclared))
    stale = sorted(RULES.keys() - routes)
    assert not stale, f"rules for routes that no longer exist (remove them from RULES): {stale}"


# --- the world the paths are filled from -----------------------------------------------------------------


class World:
    """Real objects of the test's database: an article assigned to rami, a paragraph with revisions and
    entities, a job, a glossary term, a spare label and a spare user for the admin's actions."""

    def __init__(self, app):
        admin = user_service.create_user("amina", PASSWORD, "admin", display_name="Amina Admin")
        rami = user_service.create_user("rami", PASSWORD, "reviewer", display_name="Rami Reviewer")
        omar = user_service.create_user("omar", PASSWORD, "reviewer", display_name="Omar Other")
        carla = user_service.create_user("carla", PASSWORD, "corpus", display_name="Carla Corpus")
        cora = user_service.create_user("cora", PASSWORD, "curator", display_name="Cora Curator")
        spare = user_service.create_user("yusuf", PASSWORD, "reviewer", display_name="Yusuf Spare")
        self.users = {REVIEWER: rami, STRANGER: omar, CORPUS: carla, CURATOR: cora, ADMIN: admin}
        self.tokens = {role: user_service.issue_api_token(user) for role, user in self.users.items()}
        from app.services import assignment as assignment_service

        article = make_article(2)
        assignment_service.assign_article(article, rami, "reviewer", actor=admin)
        omars = make_article(1, title="مقال آخر")
        assignment_service.assign_article(omars, omar, "reviewer", actor=admin)
        paragraph = db.session.scalar(
            select(Paragraph).where(Paragraph.article_id == article.id).order_by(Paragraph.position))
        ar = entity_service.create_entity(paragraph.id, "ar", 0, 4, "MISC", actor=rami)
        en = entity_service.create_entity(paragraph.id, "en", 0, len("Paragraph"), "MISC", actor=rami)  # "Paragraph number 0."
        entity_service.create_link(ar.id, en.id, actor=rami)
        job = TranslationJob(article_id=article.id, model_id="tiny@1.0", status="done", total=2, done=2)
        db.session.add(job)
        term = glossary_service.create_term("دمشق", "Damascus", "LOC", actor=admin)
        label = label_service.create_label("SPARE", "#abcdef", None, actor=admin)
        db.session.commit()
        self.article_id, self.paragraph_id, self.revision_id = article.id, paragraph.id, paragraph.current_revision_id
        self.ar_entity_id, self.en_entity_id, self.entity_id = ar.id, en.id, ar.id
        self.path_values = {
            "article_id": article.id, "paragraph_id": paragraph.id, "revision_id": paragraph.current_revision_id,
            "entity_id": ar.id, "job_id": job.id, "term_id": term.id, "label_id": label.id, "user_id": spare.id,
            "name": "no-such-model", "filename": None, "fmt": "jsonl",
        }

    def paragraph_version(self) -> int:
        db.session.expire_all()
        return db.session.get(Paragraph, self.paragraph_id).version

    def url(self, app, endpoint: str, method: str) -> str:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
        values = {}
        for name in rule.arguments:
            if name == "action":  # the any(…) choices: one that keeps the object
                values[name] = {"admin.label_action": "retire", "admin.set_active": "deactivate"}[endpoint]
            elif name == "filename":
                values[name] = "mizan.css" if endpoint == "static" else "swagger-ui.css"
            else:
                values[name] = self.path_values[name]
        with app.test_request_context():
            from flask import url_for

            url = url_for(endpoint, **values)
        if endpoint == "api.diff_revisions":
            url += f"?from={self.revision_id}&to={self.revision_id}"
        if endpoint == "api.concordance":
            url += "?q=%D9%81%D9%82%D8%B1%D8%A9"
        return url


@pytest.fixture
def world(app):
    return World(app)


def _is_api(url: str) -> bool:
    return url.startswith("/api/v1/") and not url.startswith(("/api/v1/docs", "/api/v1/openapi"))


def _client_for(app, world, caller: str, endpoint: str, method: str):
    """A client; logged in when the route is a page (the API is called with Bearer tokens)."""
    client = app.test_client()
    if caller != ANONYMOUS and not _is_api(world.url(app, endpoint, method)):
        assert log_in(client, world.users[caller].username).status_code == 302
    return client


def _call(app, world, client, caller: str, endpoint: str, method: str, rule: Rule, *, csrf: bool = True):
    url = world.url(app, endpoint, method)
    if _is_api(url):
        headers = bearer(world.tokens[caller]) if caller != ANONYMOUS else {}
        kwargs = {"json": rule.body(world)} if rule.body is not None else {}
        return client.open(url, method=method, headers=headers, **kwargs)
    if method == "GET":
        return client.get(url)
    data = dict(rule.form)
    if csrf:
        data["csrf_token"] = csrf_token_from(client.get("/login" if caller == ANONYMOUS else "/my-work")
                                             .get_data(as_text=True))
    return client.open(url, method=method, data=data)


def _expected(caller: str, rule: Rule) -> str:
    if caller in rule.allowed:
        return "let in"
    if caller == ANONYMOUS:
        return "asked to log in"
    return "refused"


@pytest.mark.parametrize(("endpoint", "method"), sorted(RULES), ids=[f"{m} {e}" for e, m in sorted(RULES)])
def test_each_caller_gets_what_the_rule_declares_and_never_a_500(app, world, endpoint, method):
    rule = RULES[(endpoint, method)]
    outcomes = {}
    for caller in CALLERS:
        client = _client_for(app, world, caller, endpoint, method)
        with _call(app, world, client, caller, endpoint, method, rule) as response:
            outcomes[caller] = (response.status_code, response.headers.get("Location", ""))
    failures = []
    consumed = False
    for caller, (status, location) in outcomes.items():
        expected = _expected(caller, rule)
        if status >= 500:
            failures.append(f"{caller}: {status}")
        elif expected == "let in":
            if status in REFUSED and not (rule.missing and status in (404, 409)) and not (consumed and status == 404):
                failures.append(f"{caller} should be let in, got {status}")
            consumed = consumed or (rule.consumes and status < 400)
        elif expected == "asked to log in":
            api = _is_api(world.url(app, endpoint, method))
            if api and status != 401:
                failures.append(f"anonymous should get 401 from the API, got {status}")
            if not api and not (status == 302 and location.startswith("/login")):
                failures.append(f"anonymous should be sent to the login page, got {status} {location}")
        elif status not in (403, 404):
            failures.append(f"{caller} should be refused (403 or 404), got {status}")
    assert not failures, f"{method} {endpoint}: " + "; ".join(failures)


STATE_CHANGING = sorted(key for key in RULES if key[1] not in ("GET", "HEAD", "OPTIONS"))
FORM_WRITES = [key for key in STATE_CHANGING if not key[0].startswith("api.")]
API_WRITES = [key for key in STATE_CHANGING if key[0].startswith("api.")]


@pytest.mark.parametrize(("endpoint", "method"), FORM_WRITES, ids=[f"{m} {e}" for e, m in FORM_WRITES])
def test_every_form_that_changes_something_refuses_a_missing_csrf_token(app, world, endpoint, method):
    rule = RULES[(endpoint, method)]
    caller = next(c for c in (REVIEWER, ADMIN, STRANGER) if c in rule.allowed) if rule.allowed != EVERYONE else STRANGER
    client = _client_for(app, world, caller, endpoint, method)
    response = _call(app, world, client, caller, endpoint, method, rule, csrf=False)
    assert response.status_code == 400, (method, endpoint, caller, response.status_code)
    assert "CSRF" in response.get_data(as_text=True)


@pytest.mark.parametrize(("endpoint", "method"), API_WRITES, ids=[f"{m} {e}" for e, m in API_WRITES])
def test_every_api_write_from_a_session_refuses_a_missing_csrf_header(app, world, endpoint, method):
    rule = RULES[(endpoint, method)]
    caller = REVIEWER if REVIEWER in rule.allowed else ADMIN
    client = app.test_client()
    assert log_in(client, world.users[caller].username).status_code == 302
    url = world.url(app, endpoint, method)
    kwargs = {"json": rule.body(world)} if rule.body is not None else {}
    response = client.open(url, method=method, **kwargs)  # the session cookie, no X-CSRFToken, no Bearer token
    assert response.status_code == 403, (method, endpoint, response.status_code)
    assert response.get_json()["error"]["code"] == "csrf_failed"
