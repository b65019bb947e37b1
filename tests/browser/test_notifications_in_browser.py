"""The bell in the header (issue 16): a reviewer learns what happened without reloading the right page, opens
the list with the mouse, a finger or the keys, marks notifications read and follows one to its article.

At a desk (1440×900) and on a phone (390×844, touch).
"""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Article
from tests.browser.conftest import axe_violations, format_violations, log_in

SCREENS = [pytest.param({"width": 1440, "height": 900}, id="1440x900"),
           pytest.param({"width": 390, "height": 844}, id="390x844")]


def mention(live_server, article_id: int, text: str) -> None:
    """The admin comments on the article, mentioning someone (through the service, as another browser would)."""
    from app.services import users as user_service
    from app.services import workflow

    with live_server.services():
        article = db.session.get(Article, article_id)
        workflow.add_comment(article, user_service.get_user_by_username("admin"), text)


def press(page, locator, touch: bool) -> None:
    if touch:
        locator.tap()
    else:
        locator.click()


def bell(page):
    return page.locator("button.bell")


def fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    box = page.locator("#notification-panel").bounding_box()
    width = page.viewport_size["width"]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)


@pytest.mark.parametrize("device", SCREENS, indirect=True)
def test_reviewer_reads_notifications_in_the_bell_and_follows_one_to_the_article(phone_page, live_server, world,
                                                                               device):
    page = phone_page
    touch = page.viewport_size["width"] < 800
    first, second = world.assigned["rev1"]
    mention(live_server, second, "@rev1 the second paragraph's date needs a look.")
    log_in(page, "rev1")
    page.goto("/my-work")
    # Assigned twice (by the server's operator, at setup) and mentioned once.
    expect_label(page, "Notifications, 3 unread")
    assert page.locator(".bell-count").inner_text() == "3"

    press(page, bell(page), touch)
    assert bell(page).get_attribute("aria-expanded") == "true"
    items = page.locator(".notification-list > li")
    items.first.wait_for()
    assert items.count() == 3
    newest = items.first.locator("a")
    assert newest.inner_text().startswith("admin mentioned you in a comment on: ")
    assert newest.locator('[lang="ar"][dir="rtl"]').count() == 1
    assert newest.get_attribute("href") == f"/articles/{second}#comments"
    fits_the_screen(page)
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "the open notification list ")

    press(page, items.first.get_by_role("button", name="Mark as read"), touch)
    expect_label(page, "Notifications, 2 unread")
    assert items.first.get_by_role("button", name="Mark as read").count() == 0

    with page.expect_navigation():
        press(page, items.nth(1).locator("a"), touch)  # an "assigned" one: following it reads it too
    assert re.search(rf"/articles/({first}|{second})$", page.url)
    expect_label(page, "Notifications, 1 unread")

    press(page, bell(page), touch)
    press(page, page.get_by_role("button", name="Mark all as read"), touch)
    expect_label(page, "Notifications, 0 unread")
    assert page.locator(".bell-count").is_hidden()


def expect_label(page, label: str) -> None:
    page.wait_for_function("label => document.querySelector('button.bell').getAttribute('aria-label') === label",
                           arg=label)


def test_the_bell_works_from_the_keyboard_and_escape_gives_the_focus_back(page, live_server, world):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "rev1")
    page.goto("/my-work")
    bell(page).focus()
    page.keyboard.press("Enter")
    assert page.locator("#notification-panel").is_visible()
    page.locator(".notification-list > li").first.wait_for()
    page.keyboard.press("Tab")  # "Mark all as read"
    page.keyboard.press("Tab")  # the newest notification's link
    focused = page.evaluate("document.activeElement.closest('.notification') !== null")
    assert focused
    page.keyboard.press("Escape")
    assert page.locator("#notification-panel").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('bell')")
    assert bell(page).get_attribute("aria-expanded") == "false"


def test_a_new_notification_shows_in_the_bell_without_a_reload(page, live_server, world):
    page.clock.install()
    log_in(page, "rev1")
    page.goto("/my-work")
    expect_label(page, "Notifications, 2 unread")
    mention(live_server, world.assigned["rev1"][0], "@rev1 please look at the title.")
    page.clock.run_for(31_000)  # the page asks again every 30 s while it is visible
    expect_label(page, "Notifications, 3 unread")
    assert page.locator(".bell-count").inner_text() == "3"


def test_keys_pressed_in_the_open_list_do_not_work_the_paragraphs_behind_it(page, live_server, world):
    """In the review workspace, 'a' approves the current paragraph and 'j' moves on; with the focus on a
    notification in the open list, they must do neither."""
    from tests.browser.test_review_in_browser import add_machine_drafts, row

    article_id = world.assigned["rev1"][0]
    ids = add_machine_drafts(live_server, article_id)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    bell(page).focus()
    page.keyboard.press("Enter")
    page.locator(".notification-list > li").first.wait_for()
    page.keyboard.press("Tab")  # "Mark all as read"
    page.keyboard.press("Tab")  # the newest notification's link
    assert page.evaluate("document.activeElement.closest('.notification') !== null")
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    page.keyboard.press("a")
    page.wait_for_timeout(1500)
    assert not [url for url in sent if url.endswith("/approve")]
    page.keyboard.press("j")
    page.wait_for_timeout(500)  # an approval would have been sent and drawn by now
    assert row(page, ids[0]).get_attribute("data-status") != "approved"
    assert page.locator(".workspace-row.current").get_attribute("data-paragraph-id") == str(ids[0])
    assert page.evaluate("document.activeElement.closest('.notification') !== null")


def test_the_focus_keeps_its_place_when_a_poll_draws_the_list_again(page, live_server, world):
    page.clock.install()
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "rev1")
    page.goto("/my-work")
    expect_label(page, "Notifications, 2 unread")
    bell(page).focus()
    page.keyboard.press("Enter")
    items = page.locator(".notification-list > li")
    items.nth(1).wait_for()
    items.nth(1).locator("a").focus()  # the older "assigned" notification
    focused = items.nth(1).get_attribute("data-notification-id")
    mention(live_server, world.assigned["rev1"][0], "@rev1 please look at the title.")
    page.clock.run_for(31_000)
    expect_label(page, "Notifications, 3 unread")
    assert items.count() == 3
    assert page.evaluate("document.activeElement.tagName") == "A"
    assert page.evaluate("document.activeElement.closest('.notification').dataset.notificationId") == focused
    page.keyboard.press("Tab")  # on to its "Mark as read", as before the list was drawn again
    page.keyboard.press("Enter")
    expect_label(page, "Notifications, 2 unread")
    assert page.evaluate("document.activeElement.closest('.notification').dataset.notificationId") == focused
