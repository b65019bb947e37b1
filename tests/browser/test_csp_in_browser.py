"""The Content-Security-Policy in a real browser (issue 14, item 4): every main page is served with it,
and chromium refuses nothing on them while a reviewer and an admin use them. (Every other browser test
fails on a refusal too: the `page` fixture watches for them.)"""
from __future__ import annotations

import pytest

from tests.browser.conftest import csp_violations, log_in

pytestmark = pytest.mark.slow


def open_under_policy(page, path: str) -> None:
    response = page.goto(path, wait_until="networkidle")
    assert response.status == 200, path
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, f"{path}: {policy!r}"
    assert "unsafe-inline" not in policy, path
    assert response.headers.get("x-frame-options") == "DENY", path
    assert not csp_violations(page), f"{path}: {csp_violations(page)}"


def test_main_pages_run_under_the_policy_and_it_refuses_nothing(page, world):
    article_id = world.assigned["rev1"][0]
    open_under_policy(page, "/login")
    log_in(page, "rev1")
    open_under_policy(page, "/my-work")
    open_under_policy(page, f"/articles/{article_id}")
    # The workspace's scripts run: they draw the entity highlights and open the editor.
    page.locator("[data-entities-rendered]").first.wait_for(state="attached")
    page.locator("[data-action=edit]").first.click()
    page.locator("textarea").first.wait_for()
    assert not csp_violations(page)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    log_in(page, "admin")
    for path in ("/admin/", "/admin/dashboard", f"/admin/articles/{world.unassigned[0]}", "/admin/import",
                 "/admin/users", "/admin/models", "/admin/labels", "/admin/glossary", "/export/"):
        open_under_policy(page, path)
    # The label swatches keep their colours without a style attribute.
    page.goto("/admin/labels")
    colours = page.locator(".label-swatch rect").evaluate_all("rects => rects.map(r => getComputedStyle(r).fill)")
    assert colours and all(c.startswith("rgb(") for c in colours), colours
    with page.expect_request("**/api/v1/openapi.json", timeout=30_000):  # Swagger UI starts from a script file
        open_under_policy(page, "/api/v1/docs")
    page.locator(".swagger-ui .info").wait_for(timeout=30_000)
    assert not csp_violations(page)


def test_the_watch_sees_what_the_policy_refuses(browser, live_server):
    """Guards the checks above against passing vacuously: a page of the server's origin, under Mizan's
    own policy, with an inline script and an inline style; both are refused, and both are seen."""
    from app.security_headers import CONTENT_SECURITY_POLICY
    from tests.browser.conftest import RECORD_CSP_VIOLATIONS, watch_for_csp_violations

    policy = "; ".join(f"{name} {value}" for name, value in CONTENT_SECURITY_POLICY.items())
    context = browser.new_context(base_url=live_server.url)
    try:
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        context.route("**/csp-probe", lambda route: route.fulfill(
            status=200, headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
            body="<!doctype html><title>probe</title><p style='color: red'>x</p><script>window.ran = 1</script>"))
        page = context.new_page()
        refused = watch_for_csp_violations(page)
        page.goto("/csp-probe")
        page.wait_for_function("window.__cspViolations.length >= 2")

        assert page.evaluate("window.ran") is None
        assert {v.split(" ")[0] for v in csp_violations(page)} >= {"script-src-elem", "style-src-attr"}, \
            csp_violations(page)
        # (Playwright does not pass chromium's own "Refused to …" log lines on as console events: the
        # events above are what the watch relies on; `refused` catches them where a browser logs them.)
        assert all("Refused to" in message for message in refused)
    finally:
        context.close()
