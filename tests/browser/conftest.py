"""Browser tests: Debian's chromium, driven by Playwright, against the production server.

Every test gets its own instance folder (a copy of the migrated template
database), its own accounts, seed articles and assignments, and its own
waitress process serving `wsgi:app` exactly as `make run` does
(`live_server`, tests/support/live_server.py) — so no test sees another's data.

Nothing here downloads anything: Playwright launches /usr/bin/chromium (never
`playwright install`), and axe-core comes from node_modules (`npm ci`, run by
`make test`) and is injected into the page from disk.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest

from tests.conftest import PASSWORD
from tests.support.live_server import LOGIN_PATH, PROJECT_ROOT

CHROMIUM = os.environ.get("MIZAN_TEST_CHROMIUM", "/usr/bin/chromium")
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Headless chromium in a container, as root, with no network beyond the test server:
# --no-sandbox because root cannot use chromium's sandbox; the rest keep it from
# phoning home (updates, sync, QUIC probes) and from needing a GPU or a big /dev/shm.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --- the browser --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium "
                    "(or set MIZAN_TEST_CHROMIUM to a chromium binary)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", service_workers="block")
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


# Every page a test opens reports what its Content-Security-Policy refused (app/security_headers.py):
# the `securitypolicyviolation` events, kept on the page by a script Playwright adds (itself exempt from
# the policy), and chromium's console messages "Refused to …".
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " refused " + (event.blockedURI || "inline")
                              + " at " + (event.sourceFile || document.location.pathname) + ":" + event.lineNumber);
});
"""


def watch_for_csp_violations(page) -> list[str]:
    """Console messages of the page that say the policy refused something (more are in csp_violations)."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(f"{page.url}: {message.text}")
            if message.text.startswith("Refused to") else None)
    return refused


def csp_violations(page) -> list[str]:
    """The `securitypolicyviolation` events of the page now open."""
    if page.is_closed():
        return []
    try:
        return page.evaluate("window.__cspViolations || []")
    except Exception:  # the page is navigating or gone: its events went with it, the console kept them
        return []


@contextmanager
def watched_page(context):
    """A new page of `context` that fails the test on a JavaScript error or a refusal of the CSP."""
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    refused = watch_for_csp_violations(page)
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not refused + csp_violations(page), f"The Content-Security-Policy refused: {refused}"


@pytest.fixture
def page(context):
    with watched_page(context) as page:
        yield page


# --- phones and desktops -------------------------------------------------------------------
# The sizes issue 15 asks every workspace defect to be tried at. A test parametrized indirectly over
# `device` gets a context of that size and `phone_page` a page in it; `screen` is a page at each of
# SCREENS in turn. A phone (narrower than 800 px) has touch and a mobile viewport, as Chromium emulates it.

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1440, "height": 900}
SCREENS = [pytest.param(DESKTOP, id="1440x900"), pytest.param(PHONE, id="390x844")]


def sized_context(browser, live_server, size: dict):
    """A browser context of this size; under 800 px wide a phone, with touch and a mobile viewport."""
    phone = size["width"] < 800
    context = browser.new_context(base_url=live_server.url, locale="en-GB", service_workers="block",
                                  viewport=size, is_mobile=phone, has_touch=phone,
                                  device_scale_factor=2 if phone else 1)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def device(browser, live_server, request):
    """A browser context of the size asked for (indirect parametrization)."""
    context = sized_context(browser, live_server, request.param)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def phone_page(device):
    """A page in `device` (whatever its size), watched as `page` is."""
    with watched_page(device) as page:
        yield page


@pytest.fixture(params=SCREENS)
def screen(browser, live_server, request):
    """A watched page at each of SCREENS; `screen.phone` says whether it is the phone."""
    context = sized_context(browser, live_server, request.param)
    try:
        with watched_page(context) as page:
            page.phone = request.param["width"] < 800
            yield page
    finally:
        context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Fill in the real login form, as a person would, and wait for the page it leads to."""
    page.goto(LOGIN_PATH)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert not page.url.endswith(LOGIN_PATH), f"login as {username!r} failed: {page.url}"


# --- accessibility ------------------------------------------------------------------------

def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Runs axe-core (from node_modules, injected from disk) on the page; violations of these impacts."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: `make test` runs `npm ci`")
    # Evaluated rather than added as a <script>: the pages' Content-Security-Policy refuses inline script.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def format_violations(violations: list[dict], where: str = "", max_nodes: int = 5) -> str:
    """One line per rule, then up to `max_nodes` offending elements with axe's advice."""
    lines = []
    for v in violations:
        lines.append(f"{where}[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        nodes = v["nodes"]
        for node in nodes[:max_nodes]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(nodes) > max_nodes:
            lines.append(f"    … and {len(nodes) - max_nodes} more elements")
    return "\n".join(lines)
