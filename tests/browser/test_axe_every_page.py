"""axe-core over every page a person can reach, as the role that reaches it, at a desk (1440×900) and on a phone
(390×844, touch): no serious or critical violation anywhere.

The pages (`flask --app wsgi routes`, the GET routes of the blueprints): the login page, the 429 page of a locked
account, My work, the workspace (a reviewer's and an admin's), a paragraph's history, the password page, the API
docs, the export page (a corpus user's and an admin's), every admin page (articles, an article assigned and one
not, import with its report, users, a user, labels, a label, glossary, a term, models with a model installed,
dashboard), and the 404 and 403 pages. The data stretches them as real use does (a URL in a translation and a
comment, a long glossary term, a QA finding, an approved paragraph) — see test_layout_in_browser.stretch_the_data.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Paragraph
from tests.browser.conftest import axe_violations, format_violations, log_in
from tests.browser.test_layout_in_browser import stretch_the_data
from tests.conftest import PASSWORD
from tests.support.live_server import LOGIN_PATH

pytestmark = pytest.mark.slow

class Audit:
    """Visits pages and keeps axe's serious and critical findings on each, with the status it answered."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        self.visited: list[tuple[str, int]] = []

    def visit(self, path: str, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        self.check(path)

    def check(self, what: str) -> None:
        self.page.wait_for_load_state("load")
        self.visited.append((what, self.page.url))
        report = format_violations(axe_violations(self.page), f"{what} ")
        if report:
            self.found.append(report)

    def assert_clean(self) -> None:
        assert not self.found, "axe found serious or critical violations:\n" + "\n".join(self.found)


def approve_a_paragraph_with_an_override(live_server, paragraph_id: int) -> None:
    """A QA finding overridden: the workspace shows the overridden mark and reason."""
    from app.services import review as review_service
    from app.services import users as user_service

    with live_server.services():
        paragraph = db.session.get(Paragraph, paragraph_id)
        review_service.approve_paragraph(paragraph_id, paragraph.version,
                                         actor=user_service.get_user_by_username("rev1"),
                                         override_reason="Checked against the source.")


def second_paragraph(live_server, article_id: int) -> int:
    with live_server.services():
        return db.session.scalars(select(Paragraph.id).where(Paragraph.article_id == article_id)
                                  .order_by(Paragraph.position).offset(1)).first()


def test_reviewer_pages_have_no_serious_accessibility_violations(screen, live_server):
    from tests.support.fixtures import add_machine_draft

    ids = stretch_the_data(live_server)
    second = second_paragraph(live_server, ids["article"])
    with live_server.services():
        add_machine_draft(db.session.get(Paragraph, second), "The delegation arrived in the capital.")
    approve_a_paragraph_with_an_override(live_server, second)
    audit = Audit(screen)

    audit.visit(LOGIN_PATH)
    log_in(screen, "rev1")
    for path in ["/my-work", f"/articles/{ids['article']}", f"/paragraphs/{ids['paragraph']}/history",
                 f"/paragraphs/{second}/history", "/account/password"]:
        audit.visit(path)
    # The API docs (Swagger UI), drawn by script: once drawn, then with an operation opened and tried out.
    screen.goto("/api/v1/docs")
    screen.locator(".opblock-summary-control").first.wait_for()
    audit.check("/api/v1/docs")
    screen.locator(".opblock-summary-control").first.click()
    screen.get_by_role("button", name="Try it out").first.click()
    screen.get_by_role("button", name="Execute").first.wait_for()
    audit.check("/api/v1/docs with an operation tried out")
    # The workspace with its keyboard help open.
    screen.goto(f"/articles/{ids['article']}")
    screen.locator("[data-paragraph-id][data-entities-rendered]").first.wait_for()
    screen.keyboard.press("?")
    screen.locator("#keys-help").wait_for()
    audit.check("the workspace's keyboard help")
    audit.visit("/articles/99999999", 404)
    audit.visit("/admin/", 403)
    audit.assert_clean()


def test_admin_pages_have_no_serious_accessibility_violations(screen, live_server, tiny_model):
    from app.services import mt_packages

    ids = stretch_the_data(live_server)
    with live_server.services():
        mt_packages.install_package(tiny_model, live_server.app.instance_path)
    audit = Audit(screen)
    log_in(screen, "admin")
    for path in ["/admin/", "/admin/?status=assigned&q=%D8%B1%D9%88%D8%B3%D9%8A%D8%A7",
                 f"/admin/articles/{ids['article']}", f"/admin/articles/{ids['unassigned']}", "/admin/import",
                 "/admin/users", f"/admin/users/{ids['user']}", "/admin/labels", f"/admin/labels/{ids['label']}",
                 "/admin/glossary", f"/admin/glossary/{ids['term']}", "/admin/models", "/admin/memories", "/admin/dashboard",
                 "/export/", "/curate", f"/articles/{ids['article']}", f"/paragraphs/{ids['paragraph']}/history"]:
        audit.visit(path)
    # The admin's own user page, and pages showing a refusal beside a field or a report.
    screen.goto("/admin/users")
    with screen.expect_navigation():
        screen.get_by_role("link", name="admin", exact=True).click()
    audit.check("the admin's own user page")
    screen.goto("/admin/glossary")
    screen.get_by_label("Arabic form").fill("Gazprom")
    screen.get_by_label("English form").fill("Gazprom")
    with screen.expect_navigation():
        screen.get_by_role("button", name="Save term").click()
    audit.check("/admin/glossary with a refused term")
    screen.goto("/admin/import")
    screen.get_by_label("Article files (.txt, UTF-8)").set_input_files(files=[
        {"name": "one.txt", "mimeType": "text/plain", "buffer": "عنوان الخبر\n\nنص الخبر هنا.\n".encode()},
        {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""}])
    with screen.expect_navigation():
        screen.get_by_role("button", name="Import").click()
    audit.check("/admin/import with its report")
    audit.assert_clean()


def test_corpus_and_error_pages_have_no_serious_accessibility_violations(screen, live_server):
    from app.services import users as user_service

    with live_server.services():
        user_service.create_user("carla", PASSWORD, "corpus", display_name="Carla Corpus")
    audit = Audit(screen)
    log_in(screen, "carla")
    audit.visit("/export/")
    audit.visit("/export/release")
    audit.visit("/my-work")
    audit.visit("/no-such-page", 404)
    audit.visit("/admin/users", 403)
    screen.context.clear_cookies()

    # The page of a locked account: five wrong passwords, then the right one answers 429.
    for _ in range(5):
        screen.goto(LOGIN_PATH)
        screen.get_by_label("Username").fill("rev2")
        screen.get_by_label("Password", exact=True).fill("not the password")
        with screen.expect_navigation():
            screen.get_by_role("button", name="Log in").click()
    screen.goto(LOGIN_PATH)
    screen.get_by_label("Username").fill("rev2")
    screen.get_by_label("Password", exact=True).fill(PASSWORD)
    with screen.expect_response(lambda r: r.url.endswith(LOGIN_PATH) and r.request.method == "POST") as answer:
        screen.get_by_role("button", name="Log in").click()
    assert answer.value.status == 429
    audit.check("the 429 page of a locked account")
    audit.assert_clean()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    from tests.support.tiny_argos import build_argos_package

    return build_argos_package(tmp_path_factory.mktemp("axe-model"))
