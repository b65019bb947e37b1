"""The workspace a reviewer works in all day (issue 15): the workflow state stays live, refusals show beside the
paragraph that caused them, a QA override stays in sight, and a conflict tells the truth about whose text is shown.

Each story runs at a desk (1440×900) and on a phone (390×844).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Article, Paragraph
from tests.browser.conftest import axe_violations, format_violations, log_in

PLAIN_AR = "وصل الوفد إلى العاصمة صباح اليوم."  # no figure, no name: its draft passes QA
PLAIN_EN = "The delegation arrived in the capital this morning."
SCREENS = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
OVERRIDE_REASON = "The source misprints the figure; the agency confirmed 820 million."


@pytest.fixture(params=sorted(SCREENS))
def screen(request, page):
    page.set_viewport_size(SCREENS[request.param])
    return request.param


def row(page, paragraph_id: int):
    return page.locator(f'[data-paragraph-id="{paragraph_id}"]')


def arrange(live_server, article_id: int, first: tuple[str, str] = (PLAIN_AR, PLAIN_EN)) -> list[int]:
    """Every paragraph of the article with plain Arabic and a machine draft that passes QA (the first one:
    `first`, Arabic and draft); their ids in order."""
    from tests.support.fixtures import add_machine_draft

    with live_server.services():
        paragraphs = db.session.scalars(
            select(Paragraph).where(Paragraph.article_id == article_id).order_by(Paragraph.position)
        ).all()
        for paragraph in paragraphs:
            paragraph.ar = first[0] if paragraph.position == 0 else PLAIN_AR
            paragraph.qa_findings = None
        db.session.commit()
        for paragraph in paragraphs:
            add_machine_draft(paragraph, first[1] if paragraph.position == 0 else PLAIN_EN)
        return [p.id for p in paragraphs]


def approve_as(live_server, username: str, paragraph_ids: list[int], override_reason: str | None = None) -> None:
    """Approvals made elsewhere (another tab, another person), through the service."""
    from app.services import review as review_service
    from app.services import users as user_service

    with live_server.services():
        actor = user_service.get_user_by_username(username)
        for pid in paragraph_ids:
            version = db.session.get(Paragraph, pid).version
            review_service.approve_paragraph(pid, version, actor=actor, override_reason=override_reason)


def save_as(live_server, username: str, paragraph_id: int, text: str) -> None:
    from app.services import review as review_service
    from app.services import users as user_service

    with live_server.services():
        actor = user_service.get_user_by_username(username)
        version = db.session.get(Paragraph, paragraph_id).version
        review_service.save_translation(paragraph_id, text, version, actor=actor)


def article_status(live_server, article_id: int) -> str:
    with live_server.services():
        return db.session.get(Article, article_id).status


def transition_buttons(page) -> list[str]:
    """The workflow buttons a person sees now."""
    return [b.inner_text() for b in page.locator(".transitions button").all() if b.is_visible()]


def badge(page) -> str:
    return page.locator("[data-article-status]").inner_text()


# --- Major 1: live state ---------------------------------------------------------------------------------

def test_first_approval_moves_the_badge_and_buttons_to_in_review_without_a_reload(page, live_server, world, screen):
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    assert badge(page) == "assigned"
    assert transition_buttons(page) == ["Start the review"]

    row(page, ids[0]).get_by_role("button", name="Approve").click()
    page.get_by_role("status").filter(has_text="Approved.").wait_for()

    assert badge(page) == "in review"
    assert page.locator("[data-approved-count]").inner_text() == "1"
    assert "Start the review" not in transition_buttons(page)
    assert "Submit for approval" not in transition_buttons(page)  # 1 of several approved: nothing to submit yet
    assert article_status(live_server, article_id) == "in_review"


def test_submit_is_offered_only_once_every_paragraph_is_approved_and_then_at_once(page, live_server, world, screen):
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id)
    approve_as(live_server, "rev1", ids[:-1])  # all but the last, earlier
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    assert badge(page) == "in review"
    assert transition_buttons(page) == []  # not "Submit for approval" with one paragraph still to approve

    last = row(page, ids[-1])
    last.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Submit for approval").wait_for()
    assert page.locator("[data-approved-count]").inner_text() == str(len(ids))
    assert page.locator("[data-total-count]").inner_text() == str(len(ids))

    with page.expect_navigation():
        page.get_by_role("button", name="Submit for approval").click()
    assert article_status(live_server, article_id) == "submitted"
    assert badge(page) == "submitted"


def test_reopening_a_paragraph_takes_the_submit_button_away_again(page, live_server, world, screen):
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id)
    approve_as(live_server, "rev1", ids)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    assert transition_buttons(page) == ["Submit for approval"]

    row(page, ids[0]).get_by_role("button", name="Reopen").click()
    page.get_by_role("status").filter(has_text="Reopened.").wait_for()
    assert transition_buttons(page) == []
    assert page.locator("[data-approved-count]").inner_text() == str(len(ids) - 1)


def test_approvals_made_by_someone_else_show_within_seconds(page, live_server, world, screen):
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    assert transition_buttons(page) == ["Start the review"]

    approve_as(live_server, "rev1", ids)  # in another tab: every paragraph, so the review has started

    page.get_by_role("button", name="Submit for approval").wait_for(timeout=12_000)
    assert badge(page) == "in review"
    assert page.locator("[data-approved-count]").inner_text() == str(len(ids))
    assert row(page, ids[0]).get_attribute("data-status") == "approved"
    assert row(page, ids[0]).get_by_role("button", name="Reopen").is_visible()
    assert "Start the review" not in transition_buttons(page)


def test_an_english_changed_elsewhere_is_flagged_not_silently_kept(page, live_server, world, screen):
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")

    save_as(live_server, "admin", ids[1], "The admin's wording.")

    row(page, ids[1]).get_by_text("Someone else changed this paragraph's English").wait_for(timeout=12_000)


# --- Major 2: errors in place --------------------------------------------------------------------------

def test_a_refused_save_says_why_beside_the_editor_in_plain_words(page, live_server, world, screen):
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    target = row(page, ids[-1])  # the last paragraph: far from the status line at the top

    target.get_by_role("button", name="Edit").click()
    editor = target.locator("textarea.en-editor")
    editor.fill("   ")
    editor.press("Control+Enter")

    message = target.locator("[data-row-error]")
    message.wait_for()
    assert message.inner_text() == "Not saved: The English cannot be empty."
    assert message.get_attribute("aria-live") in ("assertive", "polite")
    assert "well-formed" not in page.content() and "text:" not in message.inner_text()
    assert page.evaluate("document.activeElement.id") == editor.get_attribute("id")
    assert editor.get_attribute("aria-describedby") == message.get_attribute("id")
    # In sight once the rows around it have settled (content-visibility: auto sizes rows as they come into view).
    expect(message).to_be_in_viewport()
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "refused save: ")

    editor.fill("The delegation reached the capital.")  # typing again clears the message
    assert message.is_hidden()
    editor.press("Control+Enter")
    page.get_by_role("status").filter(has_text="Saved").wait_for()


def test_a_refused_approval_says_why_beside_the_paragraph_and_takes_the_focus_there(page, live_server, world, screen):
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    with live_server.services():  # the article is submitted behind the reviewer's back: approvals are refused
        article = db.session.get(Article, article_id)
        article.status = "submitted"
        db.session.commit()

    target = row(page, ids[2])
    target.get_by_role("button", name="Approve").click()
    message = target.locator("[data-row-error]")
    message.wait_for()
    assert message.inner_text().startswith("Not approved: This article has been submitted for approval")
    assert page.evaluate("document.activeElement.getAttribute('data-row-error')") is not None


# --- Major 3: overrides in sight ----------------------------------------------------------------------

def override_world(live_server, world) -> tuple[int, int]:
    """The first paragraph of rev1's article says 820 thousand where the Arabic says 820 million, and was
    approved by rev1 with an override reason."""
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id, first=("بلغت الصادرات ٨٢٠ مليون دولار في عام ٢٠٢٣.",
                                                  "Exports reached 820 thousand dollars in 2022."))
    return article_id, ids[0]


def test_an_override_shows_to_everyone_who_opens_the_paragraph_and_in_its_history(page, live_server, world, screen):
    article_id, pid = override_world(live_server, world)
    approve_as(live_server, "rev1", [pid], override_reason=OVERRIDE_REASON)

    log_in(page, "admin")  # someone else: the second reviewer's view
    page.goto(f"/articles/{article_id}")
    target = row(page, pid)
    note = target.locator("[data-override]")
    assert re.fullmatch(rf"Overridden by Rami Reviewer, \d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}: {re.escape(OVERRIDE_REASON)}",
                        note.inner_text()), note.inner_text()
    target.locator("[data-qa] li.qa-overridden").first.wait_for()
    assert target.locator("[data-qa] li.qa-error").count() == 0  # not plain red errors
    assert target.locator("[data-qa] li.qa-overridden").first.inner_text().startswith("Error (overridden): ")
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "overridden paragraph: ")

    target.get_by_role("link", name="History").click()
    history = page.locator(".approvals")
    assert "approved by Rami Reviewer" in history.inner_text()
    assert "Overridden by Rami Reviewer, " in history.inner_text()
    assert OVERRIDE_REASON in history.inner_text()


def test_approving_anyway_shows_the_override_at_once_and_reopening_removes_it(page, live_server, world, screen):
    article_id, pid = override_world(live_server, world)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    target = row(page, pid)
    target.locator("[data-qa] li.qa-error").first.wait_for()

    target.get_by_role("button", name="Approve").click()
    dialog = page.get_by_role("dialog", name="Approve despite QA?")
    dialog.get_by_label("Why approve anyway?").fill(OVERRIDE_REASON)
    dialog.get_by_role("button", name="Approve anyway").click()

    note = target.locator("[data-override]")
    note.wait_for()
    assert note.inner_text().startswith("Overridden by Rami Reviewer, ")
    assert note.inner_text().endswith(": " + OVERRIDE_REASON)
    target.locator("[data-qa] li.qa-overridden").first.wait_for()
    assert target.locator("[data-qa] li.qa-error").count() == 0

    target.get_by_role("button", name="Reopen").click()
    page.get_by_role("status").filter(has_text="Reopened.").wait_for()
    assert note.is_hidden()
    assert target.locator("[data-qa] li.qa-error").count() >= 1


# --- Minor 10: conflicts that tell the truth --------------------------------------------------------------

def test_a_stale_approve_shows_their_text_and_no_unsaved_text_of_mine(page, live_server, world, screen):
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    target = row(page, ids[0])
    assert target.locator("[data-origin]").inner_text().startswith("Machine draft")

    save_as(live_server, "admin", ids[0], "The admin's wording of the arrival.")
    target.get_by_role("button", name="Approve").click()

    conflict = target.locator("[data-conflict]")
    conflict.wait_for()
    assert "Your text (not saved yet)" not in conflict.inner_text()
    assert "nothing was approved" in conflict.inner_text()
    assert target.locator("[data-en-text]").inner_text() == "The admin's wording of the arrival."
    assert target.locator("[data-origin]").inner_text() == "Edited by Amina Admin"
    assert "Machine draft" not in target.locator(".en-cell").inner_text()
    assert target.locator("[data-status-label]").text_content() == "edited"
    assert target.get_attribute("data-status") == "edited"

    target.get_by_role("button", name="Approve").click()  # having read it, approving again works
    page.get_by_role("status").filter(has_text="Approved.").wait_for()
    assert target.get_attribute("data-status") == "approved"


def test_after_a_save_conflict_the_row_names_the_author_of_their_text(page, live_server, world, screen):
    article_id = world.assigned["rev1"][0]
    ids = arrange(live_server, article_id)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    target = row(page, ids[0])
    target.get_by_role("button", name="Edit").click()
    target.locator("textarea.en-editor").fill("My wording.")

    save_as(live_server, "admin", ids[0], "Their wording.")
    target.get_by_role("button", name="Save", exact=True).click()

    conflict = target.locator("[data-conflict]")
    conflict.wait_for()
    assert conflict.locator(".conflict-mine .conflict-text").inner_text() == "My wording."
    assert target.locator("[data-origin]").inner_text() == "Edited by Amina Admin"
    assert target.locator("[data-status-label]").text_content() == "edited"
