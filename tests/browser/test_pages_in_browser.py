"""User stories in a real browser (headless chromium) against the production server."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import axe_violations, format_violations, log_in

pytestmark = pytest.mark.slow


def article_ids_linked_from(page) -> list[int]:
    hrefs = page.locator("table.listing a[href^='/articles/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return sorted(int(href.rsplit("/", 1)[1]) for href in hrefs)


def test_reviewer_logs_in_and_sees_only_their_articles_in_my_work(page, world):
    log_in(page, "rev1")

    assert urlsplit(page.url).path == "/my-work"
    assert page.get_by_role("heading", level=1).inner_text() == "My work"
    assert page.get_by_text("Rami Reviewer (reviewer)").is_visible()
    assert article_ids_linked_from(page) == sorted(world.assigned["rev1"])

    others = world.assigned["rev2"] + world.unassigned
    for article_id in others:
        response = page.goto(f"/articles/{article_id}")
        assert response.status == 404, f"rev1 can open article {article_id}, which is not theirs"

    page.goto("/my-work")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    log_in(page, "rev2")
    assert article_ids_linked_from(page) == sorted(world.assigned["rev2"])


def test_arabic_cells_have_computed_direction_rtl_and_english_ltr(page, world):
    article_id = world.assigned["rev1"][0]
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")

    arabic_cells = page.locator(".ar-cell [lang=ar]")
    assert arabic_cells.count() > 3
    directions = page.locator("[lang=ar]").evaluate_all(
        "els => els.map(el => [el.tagName, getComputedStyle(el).direction, el.textContent.trim().slice(0, 40)])"
    )
    not_rtl = [d for d in directions if d[1] != "rtl"]
    assert len(directions) > arabic_cells.count()  # the title and the brand too
    assert not not_rtl, f"Arabic elements that are not right-to-left: {not_rtl}"

    english = page.locator("[lang=en]").evaluate_all(
        "els => els.map(el => [el.tagName, getComputedStyle(el).direction, el.textContent.trim().slice(0, 40)])"
    )
    assert len(english) > arabic_cells.count()  # <html lang=en> and every English cell
    assert [d for d in english if d[1] != "ltr"] == []

    # Right-to-left for real: every Arabic paragraph starts at the right edge of its cell.
    # (Rows off screen may skip layout, e.g. `content-visibility: auto`; lay them all out to measure.)
    # (Through the CSSOM: the Content-Security-Policy refuses a <style> element.)
    page.evaluate("() => document.querySelectorAll('*').forEach(el => el.style.setProperty('content-visibility', 'visible', 'important'))")
    first_letters = arabic_cells.evaluate_all(
        """els => els.map(el => {
             const text = el.firstChild, range = document.createRange();
             range.setStart(text, text.textContent.search(/\\S/)); range.collapse(true);
             range.setEnd(text, range.startOffset + 1);
             const letter = range.getBoundingClientRect(), box = el.getBoundingClientRect();
             return {gap_right: box.right - letter.right, gap_left: letter.left - box.left};
           })"""
    )
    assert [f for f in first_letters if not f["gap_right"] < 2 < f["gap_left"]] == []


def test_axe_helper_reports_what_it_finds(browser):
    """Guards the check below against passing vacuously."""
    page = browser.new_page()
    page.set_content('<html><body><img src="data:,"><a href="#"></a>'
                     '<p style="color:#ccc;background:#fff">faint</p></body></html>')
    violations = axe_violations(page)
    assert {"image-alt", "link-name", "color-contrast"} <= {v["id"] for v in violations}, violations
    assert "image-alt" in format_violations(violations)
    page.close()


def serious_violations_on(page, paths) -> str:
    """axe on each page in turn; '' when there is nothing serious or critical."""
    found = []
    for path in paths:
        if path != "/login":
            page.goto(path)
        found.append(format_violations(axe_violations(page), f"{path} "))
    return "\n".join(f for f in found if f)


def test_login_my_work_and_article_pages_have_no_serious_accessibility_violations(page, world):
    page.goto("/login")
    logged_out = serious_violations_on(page, ["/login"])
    log_in(page, "rev1")
    logged_in = serious_violations_on(page, ["/my-work", f"/articles/{world.assigned['rev1'][0]}"])
    report = "\n".join(r for r in (logged_out, logged_in) if r)
    assert not report, "axe found serious or critical violations:\n" + report


def test_admin_pages_have_no_serious_accessibility_violations(page, world):
    log_in(page, "admin")
    report = serious_violations_on(page, ["/admin/", f"/admin/articles/{world.unassigned[0]}", "/admin/import",
                                          "/admin/users", "/admin/models", "/admin/labels", "/admin/glossary",
                                          "/admin/dashboard", "/export/",
                                          "/export/?format=conll&side=mt&status=approved&kind=text&download=1"])
    assert not report, "axe found serious or critical violations:\n" + report


def test_pages_load_no_resource_from_outside_the_server(page, context, live_server, world):
    origin = live_server.url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # Nothing may leave the machine even if a page asked: foreign requests are recorded, then aborted.
    context.route(lambda url: not url.startswith(origin + "/"), lambda route: route.abort())

    page.goto("/login", wait_until="networkidle")
    log_in(page, "rev1")
    for path in ("/my-work", f"/articles/{world.assigned['rev1'][0]}"):
        page.goto(path, wait_until="networkidle")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    log_in(page, "admin")
    for path in ("/admin/", f"/admin/articles/{world.unassigned[0]}", "/admin/import", "/admin/users", "/admin/models",
                 f"/articles/{world.unassigned[0]}"):
        response = page.goto(path, wait_until="networkidle")
        assert response.status == 200, path
    with page.expect_request("**/api/v1/openapi.json", timeout=30_000):  # Swagger UI's own fetch, however slow
        assert page.goto("/api/v1/docs").status == 200
    page.wait_for_load_state("networkidle")

    assert any(url.endswith(".css") for url in requested)
    assert any(url.endswith(".js") for url in requested)
    assert any(url.endswith("/openapi.json") for url in requested)  # Swagger UI ran
    outside = sorted({url for url in requested if not url.startswith(origin + "/")})
    assert outside == [], f"requests that left {origin}: {outside}"
