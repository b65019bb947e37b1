"""Reviewers post-editing in a real browser: save, reload, conflicts, local drafts, keys."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Paragraph, Translation
from tests.browser.conftest import axe_violations, format_violations, log_in

MACHINE = "Machine draft of paragraph {}."


def add_machine_drafts(live_server, article_id: int) -> list[int]:
    """Drafts as the MT worker stores them; returns the paragraph ids in order."""
    from tests.support.fixtures import add_machine_draft

    with live_server.services():
        paragraphs = db.session.scalars(
            select(Paragraph).where(Paragraph.article_id == article_id).order_by(Paragraph.position)
        ).all()
        for paragraph in paragraphs:
            add_machine_draft(paragraph, MACHINE.format(paragraph.position))
        return [p.id for p in paragraphs]


def human_revisions(live_server, paragraph_id: int) -> list[str]:
    with live_server.services():
        return db.session.scalars(
            select(Translation.text).where(Translation.paragraph_id == paragraph_id, Translation.origin == "human")
            .order_by(Translation.id)
        ).all()


def row(page, paragraph_id: int):
    return page.locator(f'[data-paragraph-id="{paragraph_id}"]')


def test_reviewer_edits_saves_and_sees_the_edit_after_a_reload(page, live_server, world):
    article_id = world.assigned["rev1"][0]
    ids = add_machine_drafts(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    second = row(page, ids[1])

    second.get_by_role("button", name="Edit").click()
    editor = second.locator("textarea.en-editor")
    assert editor.input_value() == MACHINE.format(1)
    editor.fill("Russia and Turkmenistan deepen their cooperation.")
    editor.press("Control+Enter")

    page.get_by_role("status").filter(has_text="Saved").wait_for()
    assert second.get_attribute("data-status") == "edited"
    page.reload()
    assert row(page, ids[1]).locator("[data-en-text]").inner_text() == "Russia and Turkmenistan deepen their cooperation."
    assert human_revisions(live_server, ids[1]) == ["Russia and Turkmenistan deepen their cooperation."]


def test_second_save_of_the_same_paragraph_gets_the_conflict_view_and_nothing_is_lost(browser, live_server, world):
    article_id = world.assigned["rev1"][0]
    ids = add_machine_drafts(live_server, article_id)
    first_context = browser.new_context(base_url=live_server.url)
    second_context = browser.new_context(base_url=live_server.url)
    try:
        alice, bob = first_context.new_page(), second_context.new_page()
        log_in(alice, "rev1")
        log_in(bob, "admin")
        for page in (alice, bob):
            page.goto(f"/articles/{article_id}")
            row(page, ids[0]).get_by_role("button", name="Edit").click()
        row(alice, ids[0]).locator("textarea.en-editor").fill("Alice's wording.")
        row(bob, ids[0]).locator("textarea.en-editor").fill("Bob's wording.")

        row(alice, ids[0]).get_by_role("button", name="Save", exact=True).click()
        alice.get_by_role("status").filter(has_text="Saved").wait_for()
        row(bob, ids[0]).get_by_role("button", name="Save", exact=True).click()

        conflict = row(bob, ids[0]).locator("[data-conflict]")
        conflict.wait_for()
        assert conflict.locator(".conflict-theirs .conflict-text").inner_text() == "Alice's wording."
        assert conflict.locator(".conflict-mine .conflict-text").inner_text() == "Bob's wording."
        assert row(bob, ids[0]).locator("textarea.en-editor").input_value() == "Bob's wording."
        assert human_revisions(live_server, ids[0]) == ["Alice's wording."]

        # Bob merges in the editor and saves on top of Alice's version.
        row(bob, ids[0]).locator("textarea.en-editor").fill("Alice's and Bob's wording.")
        row(bob, ids[0]).get_by_role("button", name="Save", exact=True).click()
        bob.get_by_role("status").filter(has_text="Saved").wait_for()
        assert human_revisions(live_server, ids[0]) == ["Alice's wording.", "Alice's and Bob's wording."]
    finally:
        first_context.close()
        second_context.close()


def test_unsaved_text_survives_a_reload_and_leaving_asks_first(page, live_server, world):
    article_id = world.assigned["rev1"][0]
    ids = add_machine_drafts(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    row(page, ids[2]).get_by_role("button", name="Edit").click()
    row(page, ids[2]).locator("textarea.en-editor").fill("Half-finished thought")

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.reload()

    assert dialogs == ["beforeunload"]
    assert row(page, ids[2]).locator("textarea.en-editor").input_value() == "Half-finished thought"
    assert "restored from this browser" in page.get_by_role("status").inner_text()
    assert human_revisions(live_server, ids[2]) == []


def test_reviewer_works_with_the_keyboard_alone(page, live_server, world):
    article_id = world.assigned["rev1"][0]
    ids = add_machine_drafts(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    page.locator("body").click(position={"x": 1, "y": 1})

    page.keyboard.press("j")  # to the second paragraph (the first is current on arrival)
    assert page.evaluate("document.activeElement.dataset.paragraphId") == str(ids[1])
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.dataset.paragraphId") == str(ids[0])
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.classList.contains('en-editor')")
    page.keyboard.press("Control+a")
    page.keyboard.type("Typed with the keyboard.")
    page.keyboard.press("Control+Enter")
    page.get_by_role("status").filter(has_text="Saved").wait_for()
    page.keyboard.press("a")
    page.get_by_role("status").filter(has_text="Approved").wait_for()
    assert row(page, ids[0]).get_attribute("data-status") == "approved"
    assert page.evaluate("document.activeElement.dataset.paragraphId") == str(ids[1])  # approve moves on

    page.keyboard.press("?")
    assert page.locator("#keys-help").is_visible()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_workspace_with_an_open_editor_and_a_conflict_has_no_serious_accessibility_violations(page, live_server, world):
    article_id = world.assigned["rev1"][0]
    ids = add_machine_drafts(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    row(page, ids[0]).get_by_role("button", name="Edit").click()
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "article page with editor: ")


def test_an_article_of_a_thousand_paragraphs_opens_and_edits_like_a_short_one(page, live_server, world):
    from app.services import assignment
    from app.services import users as user_service
    from tests.support.fixtures import make_article

    with live_server.services():
        article = make_article(1000, "مقال طويل جدا")
        assignment.assign_article(article, user_service.get_user_by_username("rev1"), actor=None)
        article_id, last_id = article.id, article.paragraphs[-1].id
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}#p-{last_id}")

    assert page.locator("[data-paragraph-id]").count() == 1000
    assert page.evaluate("document.activeElement.dataset.paragraphId") == str(last_id)
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("e")
    page.keyboard.press("Control+a")
    page.keyboard.type("The last paragraph, reviewed.")
    page.keyboard.press("Control+Enter")
    page.get_by_role("status").filter(has_text="Saved").wait_for()
    assert human_revisions(live_server, last_id) == ["The last paragraph, reviewed."]


def test_reviewer_comments_on_a_paragraph(page, live_server, world):
    article_id = world.assigned["rev1"][0]
    ids = add_machine_drafts(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    third = row(page, ids[2])
    third.get_by_text("Comments (0)").click()
    third.get_by_role("button", name="Add a comment").click()
    third.get_by_label("Comment on paragraph 3 (body)").fill("Is «أوراسي» Eurasian here?")
    with page.expect_navigation():
        third.get_by_role("button", name="Post comment").click()
    assert row(page, ids[2]).get_by_text("Comments (1)").is_visible()
    assert "Is «أوراسي» Eurasian here?" in row(page, ids[2]).locator(".comment").text_content()
