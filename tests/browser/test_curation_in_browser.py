"""The curation view in a real browser (issue 18, item 3; services/adjudication.py): a curator adjudicates a
double-annotated article paragraph by paragraph, by keys and by mouse, on a page axe finds nothing serious in,
which fits a phone's width; the gold is exactly what was chosen. A long article comes a page of paragraphs at
a time: a finished page leads to the next one with work left."""
from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Article, Entity, Label, Paragraph, Translation, User
from tests.browser.conftest import axe_violations, format_violations, log_in
from tests.conftest import PASSWORD

A_ZERO = "Paragraph number zero."  # a's English of the first paragraph; b kept the machine draft
WRITTEN = "Paragraph one, as the curator wrote it."


def arrange(live_server) -> tuple[int, list[int]]:
    """A three-paragraph article annotated by rev1 (a) and rev2 (b), both submitted; a curator, cora.
    Paragraph 1: a edited the English, b did not; a tagged فقرة LOC, b PER; both tagged رقم MISC.
    Paragraph 2: both tagged فقرة, a LOC, b ORG. Paragraph 3: the same English, nothing tagged."""
    from app.services import assignment as assignment_service
    from app.services import entities as entity_service
    from app.services import layers
    from app.services import review as review_service
    from app.services import users as user_service
    from app.services import workflow as workflow_service
    from tests.support.fixtures import make_article

    with live_server.services():
        admin = db.session.scalars(select(User).where(User.role == "admin")).first()
        a, b = (db.session.scalars(select(User).where(User.username == name)).one() for name in ("rev1", "rev2"))
        user_service.create_user("cora", PASSWORD, "curator", display_name="Cora Curator")
        article = make_article(3, title="مقال للتحكيم")
        assignment_service.assign_article(article, a, "reviewer", actor=admin)
        assignment_service.assign_article(article, b, "independent", actor=admin)
        ids = [p.id for p in db.session.scalars(select(Paragraph).where(Paragraph.article_id == article.id)
                                                .order_by(Paragraph.position))]
        review_service.save_translation(ids[0], A_ZERO, 1, actor=a)
        for who, label in ((a, "LOC"), (b, "PER")):
            entity_service.create_entity(ids[0], "ar", 0, 4, label, actor=who)
            entity_service.create_entity(ids[0], "ar", 5, 8, "MISC", actor=who)
        for who, label in ((a, "LOC"), (b, "ORG")):
            entity_service.create_entity(ids[1], "ar", 0, 4, label, actor=who)
        for who in (a, b):
            for paragraph in layers.annotations(article.id, who.id):
                review_service.approve_paragraph(paragraph.paragraph_id, paragraph.version, actor=who,
                                                 override_reason="placeholder")
            workflow_service.submit_article(db.session.get(Article, article.id), who)
        assert db.session.get(Article, article.id).status == "submitted"
        return article.id, ids


def gold(live_server, paragraph_id: int) -> tuple[str, list[tuple[str, str]]]:
    with live_server.services():
        paragraph = db.session.get(Paragraph, paragraph_id)
        english = db.session.get(Translation, paragraph.approved_revision_id).text
        entities = db.session.execute(
            select(Entity.text, Label.name).join(Label, Label.id == Entity.label_id)
            .where(Entity.paragraph_id == paragraph_id, Entity.layer_user_id.is_(None), Entity.lang == "ar")
            .order_by(Entity.start)).all()
        return english, [tuple(row) for row in entities]


def test_a_curator_adjudicates_by_keys_and_by_mouse(page, live_server):
    article_id, ids = arrange(live_server)
    log_in(page, "cora")
    assert page.url.endswith("/curate")
    page.get_by_role("link", name="مقال للتحكيم").click()
    page.locator("#curation").wait_for()
    assert page.locator(f'[data-paragraph-id="{ids[0]}"] .curate-ar[dir="rtl"][lang="ar"]').count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "curation view: ")
    # On a phone's width nothing runs off the side of the page.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "curation view on a phone: ")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Paragraph 1 by keys: j to the English, b takes b's; j to the differing entity, a takes a's; Enter.
    page.keyboard.press("j")
    first = page.locator(f'[data-paragraph-id="{ids[0]}"]')
    page.keyboard.press("b")
    assert first.locator('input[name="english"][value="b"]').is_checked()
    page.keyboard.press("j")
    page.keyboard.press("a")
    assert first.locator('[data-choice="entities"] input[value="a"]').is_checked()
    page.keyboard.press("Enter")
    page.locator("#curate-status").filter(has_text="2 to go").wait_for()
    assert "adjudicated by cora" in first.locator("[data-state]").text_content()
    assert gold(live_server, ids[0]) == ("Paragraph number 0.", [("فقرة", "LOC"), ("رقم", "MISC")])

    # Paragraph 2 by mouse: adjudicating with a choice open is refused on the page, nothing sent.
    second = page.locator(f'[data-paragraph-id="{ids[1]}"]')
    second.get_by_role("button", name="Adjudicate paragraph 2").click()
    second.locator("[data-error]").filter(has_text="1 choice is still open").wait_for()
    second.get_by_label("b's:", exact=False).click()
    second.get_by_role("button", name="Adjudicate paragraph 2").click()
    page.locator("#curate-status").filter(has_text="1 to go").wait_for()
    assert gold(live_server, ids[1]) == ("Paragraph number 1.", [("فقرة", "ORG")])

    # Paragraph 3: both wrote the same and tagged nothing: one click. The article, without a second reviewer,
    # is approved.
    page.locator(f'[data-paragraph-id="{ids[2]}"]').get_by_role("button", name="Adjudicate paragraph 3").click()
    page.locator("#curate-status").filter(has_text="the article is approved").wait_for()
    with live_server.services():
        assert db.session.get(Article, article_id).status == "approved"


def test_a_curator_edits_the_english_by_keys(page, live_server):
    article_id, ids = arrange(live_server)
    log_in(page, "cora")
    page.goto(f"/curate/articles/{article_id}")
    page.keyboard.press("j")
    page.keyboard.press("e")
    editor = page.locator(f'[data-paragraph-id="{ids[0]}"] textarea')
    assert editor.is_visible() and editor.evaluate("element => element === document.activeElement")
    editor.fill(WRITTEN)
    page.keyboard.press("j")  # typed into the English, not a move
    assert editor.input_value() == WRITTEN + "j"
    editor.fill(WRITTEN)
    page.keyboard.press("n")  # still in the editor
    editor.fill(WRITTEN)
    editor.press("Control+Enter")
    # The entity group is open: refused on the page, focus on it; a takes a's, Enter adjudicates.
    page.locator(f'[data-paragraph-id="{ids[0]}"] [data-error]').filter(has_text="still open").wait_for()
    page.keyboard.press("a")
    page.keyboard.press("Enter")
    page.locator("#curate-status").filter(has_text="2 to go").wait_for()
    assert gold(live_server, ids[0]) == (WRITTEN, [("فقرة", "LOC"), ("رقم", "MISC")])


@pytest.fixture
def curation_pages_of_two(instance_path):
    """The server shows the curation view two paragraphs a page (CURATION_PAGE_SIZE in the instance's config.py,
    written before the server starts, as an installation would set it)."""
    (instance_path / "config.py").write_text(f"SECRET_KEY = {secrets.token_hex(32)!r}\nCURATION_PAGE_SIZE = 2\n")
    return 2


def test_a_curator_goes_from_a_finished_page_to_the_next_one(curation_pages_of_two, page, live_server):
    article_id, ids = arrange(live_server)
    log_in(page, "cora")
    page.goto(f"/curate/articles/{article_id}")
    assert page.locator("[data-paragraph-id]").count() == 2  # paragraphs 1 and 2 of 3
    pages = page.get_by_role("navigation", name="Pages of the article", exact=True)
    assert pages.get_by_role("link", name="Paragraphs 1–2").get_attribute("aria-current") == "page"
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "curation view with pages: ")
    page.set_viewport_size({"width": 390, "height": 844})  # the lists of pages wrap on a phone
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    page.keyboard.press("j")
    page.keyboard.press("b")
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.keyboard.press("Enter")
    page.locator("#curate-status").filter(has_text="2 to go").wait_for()
    second = page.locator(f'[data-paragraph-id="{ids[1]}"]')
    second.get_by_label("b's:", exact=False).click()
    second.get_by_role("button", name="Adjudicate paragraph 2").click()
    # This page is done: said so, its entry in both lists of pages says so, and the next page has the focus.
    page.locator("#curate-status").filter(has_text="this page is done. 1 to go on other pages").wait_for()
    assert page.locator('.curate-pages a[aria-current="page"] + .curate-page-state').all_text_contents() == [
        "done", "done"]
    assert page.evaluate("document.activeElement.textContent") == "Paragraphs 3–3"
    page.keyboard.press("Enter")
    page.locator(f'[data-paragraph-id="{ids[2]}"]').wait_for()
    assert page.locator("[data-paragraph-id]").count() == 1
    page.get_by_role("button", name="Adjudicate paragraph 3").click()
    page.locator("#curate-status").filter(has_text="the article is approved").wait_for()
    assert gold(live_server, ids[1]) == ("Paragraph number 1.", [("فقرة", "ORG")])
