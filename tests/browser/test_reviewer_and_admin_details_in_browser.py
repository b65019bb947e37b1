"""The small things a reviewer or an admin meets every day (issue 15, minor 14), in a real browser at a phone
(390×844, touch) and a desktop (1440×900) size: every problem of a form at once, beside its field; a lockout
that counts down; work sent back with its comment in sight; overdue work marked and first.
"""
from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Article, LoginThrottle
from tests.browser.conftest import DESKTOP, PHONE, axe_violations, format_violations, log_in
from tests.support.live_server import LOGIN_PATH

pytestmark = pytest.mark.slow

SIZES = [pytest.param(PHONE, id="390x844"), pytest.param(DESKTOP, id="1440x900")]


def on_screen(page, locator) -> bool:
    """The element lies within the viewport's width (a phone must not scroll sideways to read it)."""
    box = locator.bounding_box()
    width = page.evaluate("window.innerWidth")
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1


def error_beside(page, field_id: str):
    """The error list of a form field: inside the field's own box and named by its aria-describedby."""
    field = page.locator(f"#{field_id}")
    errors = page.locator(f"#{field_id}-errors")
    assert field.get_attribute("aria-invalid") == "true", f"{field_id} is not marked invalid"
    assert field.get_attribute("aria-describedby") == f"{field_id}-errors"
    assert page.locator(".field", has=field).locator(f"#{field_id}-errors").count() == 1
    assert on_screen(page, errors)
    return errors


def no_serious_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations, f"{urlsplit(page.url).path}: ")


# --- 1. every problem of a form at once ---------------------------------------------------------------

@pytest.mark.parametrize("device", SIZES, indirect=True)
def test_admin_sees_every_problem_of_a_new_user_at_once_each_beside_its_field(phone_page, live_server, device):
    page = phone_page
    log_in(page, "admin")
    page.goto("/admin/users")
    page.get_by_label("Username").fill("Bad Name!")
    page.get_by_label("Password (at least 12 characters)").fill("short")
    page.get_by_label("Repeat password").fill("shorter")
    page.get_by_role("button", name="Create user").click()

    # Before: only "Passwords do not match"; the bad username came after the password was right.
    assert "Username must be 2-64 characters" in error_beside(page, "username").inner_text()
    assert "at least 12 characters" in error_beside(page, "password").inner_text()
    assert "Passwords do not match" in error_beside(page, "confirm").inner_text()
    assert page.locator(".flashes").count() == 0  # nothing at the top of the page instead
    no_serious_axe_violations(page)

    # Put right, it goes through.
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Password (at least 12 characters)").fill("copper lantern orbit meadow")
    page.get_by_label("Repeat password").fill("copper lantern orbit meadow")
    page.get_by_role("button", name="Create user").click()
    assert page.get_by_role("status").inner_text() == "User nadia created."


@pytest.mark.parametrize("device", SIZES, indirect=True)
def test_reviewer_sees_a_wrong_current_password_and_a_weak_new_one_together(phone_page, live_server, device):
    page = phone_page
    log_in(page, "rev1")
    page.goto("/account/password")
    page.get_by_label("Current password").fill("not my password at all")
    page.get_by_label("New password (at least 12 characters)").fill("password")
    page.get_by_label("Repeat the new password").fill("password")
    page.get_by_role("button", name="Change password").click()
    assert "not right" in error_beside(page, "current_password").inner_text()
    assert "at least 12 characters" in error_beside(page, "password").inner_text()


# --- 2. the lockout counts down -----------------------------------------------------------------------

def lock(live_server, username: str, seconds: int) -> None:
    """The account as five wrong passwords in a row leave it, for `seconds` from now."""
    from app.models import utcnow

    with live_server.services():
        db.session.merge(LoginThrottle(username=username, failures=5, last_failure_at=utcnow(),
                                       locked_until=utcnow() + datetime.timedelta(seconds=seconds)))
        db.session.commit()


@pytest.mark.parametrize("device", SIZES, indirect=True)
@pytest.mark.parametrize("where", ["login", "password"])
def test_a_locked_out_user_sees_the_wait_count_down_and_the_form_come_back(phone_page, live_server, device, where):
    page = phone_page

    def fill_in_the_form():
        """The form as a person fills it in (a password field is never sent back filled in)."""
        if where == "login":
            page.get_by_label("Username").fill("rev1")
            page.get_by_label("Password", exact=True).fill(live_server.world.password)
            return page.get_by_role("button", name="Log in")
        page.get_by_label("Current password").fill(live_server.world.password)
        page.get_by_label("New password (at least 12 characters)").fill("copper lantern orbit meadow")
        page.get_by_label("Repeat the new password").fill("copper lantern orbit meadow")
        return page.get_by_role("button", name="Change password")

    if where == "login":
        page.goto(LOGIN_PATH)
    else:
        log_in(page, "rev1")
        page.goto("/account/password")
    lock(live_server, "rev1", 4)
    submit = fill_in_the_form()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit.click()
    response = answer.value
    assert response.status == 429 and 1 <= int(response.headers["retry-after"]) <= 4
    # Without JavaScript the page itself says how long: the countdown only replaces it on screen.
    assert re.search(r"Please wait [1-4] seconds? before trying again\.", response.text())

    notice = page.locator("[data-retry-after]")
    assert notice.get_attribute("aria-live") == "polite"
    assert on_screen(page, notice)
    countdown = notice.locator("[data-countdown]")
    first = countdown.inner_text()
    assert re.fullmatch(r"Too many attempts for this account\. Please wait [1-4] seconds? before trying again\.", first)
    assert submit.is_disabled()
    page.wait_for_function("first => { const c = document.querySelector('[data-countdown]');"
                           " return c && c.textContent !== first; }", arg=first, timeout=3000)  # it ticks
    # When the wait is over, the notice (a live region, so it is read out) says so and the form is usable.
    page.wait_for_function("() => document.querySelector('[data-retry-after]').hasAttribute('data-over')",
                           timeout=8000)
    assert "The wait is over: you can" in notice.inner_text()
    assert submit.is_enabled()
    no_serious_axe_violations(page)
    with page.expect_navigation():
        fill_in_the_form().click()
    if where == "login":
        assert urlsplit(page.url).path == "/my-work"
    else:
        assert "Your password is changed" in page.get_by_role("status").first.inner_text()


# --- 4. work sent back, with its comment in sight ------------------------------------------------------

SEND_BACK = "الفقرة ٣: the figure is 820 million, not 820 thousand. Please check the source again."


def send_back(live_server, article_id: int) -> None:
    from app.services import users as user_service
    from app.services import workflow

    with live_server.services():
        article = db.session.get(Article, article_id)
        article.status = "submitted"
        db.session.commit()
        workflow.request_changes(article, user_service.require_user("admin"), SEND_BACK)


@pytest.mark.parametrize("device", SIZES, indirect=True)
def test_reviewer_sees_the_send_back_comment_at_the_top_of_the_article_and_in_my_work(phone_page, live_server,
                                                                                        device):
    page = phone_page
    sent_back, other = live_server.world.assigned["rev1"]
    send_back(live_server, sent_back)
    log_in(page, "rev1")

    page.goto("/my-work")
    row = page.get_by_role("row").filter(has=page.locator(f"a[href='/articles/{sent_back}']"))
    note = row.locator(".send-back-note")
    assert re.fullmatch(r"Sent back by Amina Admin, \d{1,2} \w+ \d{4}, \d\d:\d\d UTC: " + re.escape(SEND_BACK),
                        note.inner_text())
    assert note.locator("[dir=auto]").inner_text() == SEND_BACK
    assert on_screen(page, note)
    quiet = page.get_by_role("row").filter(has=page.locator(f"a[href='/articles/{other}']"))
    assert quiet.locator(".send-back-note").count() == 0
    no_serious_axe_violations(page)

    page.goto(f"/articles/{sent_back}")
    notice = page.locator("[data-send-back]")
    assert notice.get_by_role("heading").inner_text() == "Changes requested"
    assert re.fullmatch(r"Sent back by Amina Admin, \d{1,2} \w+ \d{4}, \d\d:\d\d UTC:",
                        notice.locator("p").first.inner_text())
    assert notice.locator("time").get_attribute("datetime").endswith("Z")
    comment = notice.locator(".send-back-comment")
    assert comment.inner_text() == SEND_BACK and comment.get_attribute("dir") == "auto"
    # At the top: under the article's header, above the first paragraph, seen without scrolling to the end.
    header_box = page.locator(".article-header").bounding_box()
    notice_box = notice.bounding_box()
    first_paragraph = page.locator("section.para").first.bounding_box()
    assert header_box["y"] + header_box["height"] <= notice_box["y"] < first_paragraph["y"]
    assert on_screen(page, notice)
    no_serious_axe_violations(page)

    page.goto(f"/articles/{other}")  # an article never sent back has no such notice
    assert page.locator("[data-send-back]").count() == 0


# --- 5. overdue work ----------------------------------------------------------------------------------

@pytest.mark.parametrize("device", SIZES, indirect=True)
def test_overdue_work_is_marked_in_words_and_listed_first(phone_page, live_server, device):
    from app.models import Assignment
    from app.services import assignment as assignment_service
    from app.services import users as user_service

    page = phone_page
    submitted, late = live_server.world.assigned["rev1"]
    undated = live_server.world.unassigned[0]
    today = assignment_service.today_utc()
    with live_server.services():
        rev1 = user_service.require_user("rev1")
        dues = {submitted: today - datetime.timedelta(days=10), late: today - datetime.timedelta(days=2)}
        for article_id, due in dues.items():
            db.session.scalars(select(Assignment).where(Assignment.article_id == article_id)).one().due = due
        db.session.get(Article, submitted).status = "submitted"  # its reviewer's part is done: never overdue
        db.session.commit()
        assignment_service.assign_article(db.session.get(Article, undated), rev1, actor=None)

    log_in(page, "rev1")
    page.goto("/my-work")
    rows = page.locator("tbody tr")
    hrefs = [rows.nth(i).locator("a").first.get_attribute("href") for i in range(rows.count())]
    assert hrefs == [f"/articles/{late}", f"/articles/{submitted}", f"/articles/{undated}"]  # overdue first
    first = rows.nth(0)
    assert "Overdue" in first.inner_text() and "overdue" in (first.get_attribute("class") or "")
    mark = first.get_by_text("Overdue", exact=True)
    assert mark.is_visible() and on_screen(page, mark)  # in the title's cell: a phone sees it without scrolling
    assert re.fullmatch(r"Overdue: due \d{1,2} \w+ \d{4}", first.locator(".overdue-note").inner_text())
    assert "Overdue" not in rows.nth(1).inner_text() and "Overdue" not in rows.nth(2).inner_text()
    no_serious_axe_violations(page)

    page.get_by_role("button", name="Log out").click()
    log_in(page, "admin")
    page.goto("/admin/")
    listed = page.get_by_role("row").filter(has=page.locator(f"a[href='/admin/articles/{late}']"))
    mark = listed.get_by_text("Overdue", exact=True)
    assert mark.is_visible() and on_screen(page, mark)
    assert re.fullmatch(r"Overdue: rev1, due \d{1,2} \w+ \d{4}", listed.locator(".overdue-note").inner_text())
    done = page.get_by_role("row").filter(has=page.locator(f"a[href='/admin/articles/{submitted}']"))
    assert "Overdue" not in done.inner_text()
    no_serious_axe_violations(page)
