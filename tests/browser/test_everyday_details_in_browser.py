"""Issue 15's last small defects, in a real browser at 1440×900 and on a 390×844 phone with touch: a
re-approval counted once on the dashboard, no missing favicon, a word diff that keeps words apart, and the
cursor in the password field after a wrong password.
"""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Paragraph
from tests.browser.conftest import log_in
from tests.browser.test_live_workspace_in_browser import PLAIN_EN, approve_as, arrange, save_as
from tests.support.live_server import LOGIN_PATH

pytestmark = pytest.mark.slow


def reopen_as(live_server, username: str, paragraph_id: int) -> None:
    from app.services import review as review_service
    from app.services import users as user_service

    with live_server.services():
        actor = user_service.get_user_by_username(username)
        review_service.reopen_paragraph(paragraph_id, db.session.get(Paragraph, paragraph_id).version, actor=actor)


def test_a_re_approval_counts_once_on_the_dashboard_and_in_the_reviewers_row(screen, live_server):
    article_id = live_server.world.assigned["rev1"][0]
    first = arrange(live_server, article_id)[0]
    approve_as(live_server, "rev1", [first])
    reopen_as(live_server, "rev1", first)
    approve_as(live_server, "rev1", [first])

    log_in(screen, "admin")
    screen.goto("/admin/dashboard")
    assert "1 paragraphs approved" in screen.locator("#by-status").locator("..").inner_text()
    row = screen.get_by_role("row").filter(has_text="Rami Reviewer")
    assert row.locator("td.num").first.inner_text() == "1"


def test_no_page_asks_for_a_favicon_that_is_not_there(screen, live_server):
    missing: list[str] = []
    screen.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    screen.goto(LOGIN_PATH)
    log_in(screen, "rev1")
    article_id = live_server.world.assigned["rev1"][0]
    for path in ("/my-work", f"/articles/{article_id}", "/account/password"):
        screen.goto(path)
        assert screen.locator("link[rel=icon]").count() == 1, path
    icon = screen.request.get(screen.locator("link[rel=icon]").get_attribute("href"))
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/")
    assert not missing, f"answered 404: {missing}"


def test_the_word_diff_keeps_a_deleted_and_an_inserted_word_apart(screen, live_server):
    article_id = live_server.world.assigned["rev1"][0]
    first = arrange(live_server, article_id)[0]
    save_as(live_server, "rev1", first, PLAIN_EN.replace("arrived in", "reached"))

    log_in(screen, "rev1")
    screen.goto(f"/paragraphs/{first}/history")
    diff = screen.locator(".diff-text")
    assert diff.locator("del").count() and diff.locator("ins").count()
    # What a reader sees: every deleted run and the inserted run after it are separate words.
    run_together = screen.evaluate("""() => [...document.querySelectorAll('.diff-text ins')].filter(ins => {
        const before = ins.previousSibling;
        return before && before.nodeName === 'DEL' && !/\\s$/.test(before.textContent) && !/^\\s/.test(ins.textContent);
    }).map(ins => ins.previousSibling.textContent + ins.textContent)""")
    assert not run_together, run_together
    assert "reached" in diff.inner_text() and "arrived" in diff.inner_text()
    assert "arrived inreached" not in diff.inner_text().replace("\n", "")


def test_after_a_wrong_password_the_cursor_waits_in_the_password_field(screen, live_server):
    screen.goto(LOGIN_PATH)
    screen.fill("#username", "rev1")
    screen.fill("#password", "not the password at all")
    with screen.expect_navigation():
        screen.locator("form button[type=submit], form input[type=submit]").first.click()
    assert screen.input_value("#username") == "rev1"
    assert screen.evaluate("document.activeElement && document.activeElement.id") == "password"
    assert screen.input_value("#password") == ""
