"""Phones, tablets and desktops in a real browser: no page scrolls sideways, Arabic is never cut off,
long unbroken words break, the label palette stays on screen, the Arabic font is served and used,
and every date reads one way.

Each page is opened at a phone (390×844, 360×740, with touch, as Chromium's mobile emulation does) and a
desktop (1440×900) size, logged in as the person who would see it, with data that stretches it: a URL
in a translation and in a comment, a long unbroken glossary term.
"""
from __future__ import annotations

import datetime
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Article, Paragraph
from tests.browser.conftest import DESKTOP, PHONE, SMALL_PHONE, log_in
from tests.support.live_server import LOGIN_PATH, PROJECT_ROOT

pytestmark = pytest.mark.slow

SIZES = [pytest.param(SMALL_PHONE, id="360x740"), pytest.param(PHONE, id="390x844"),
         pytest.param(DESKTOP, id="1440x900")]

LONG_URL = "https://example.org/" + "news/" * 8 + "a-very-long-path-without-any-space-" * 3 + "end"
LONG_ARABIC_TERM = "منظمة" * 20  # one word, no space: wider than any phone
LONG_ENGLISH_TERM = "Organisation" * 10


def stretch_the_data(live_server) -> dict:
    """What makes pages wide in real use: a URL in a translation and a comment, a long unbroken glossary term."""
    from app.services import glossary, workflow
    from app.services import users as user_service
    from tests.support.fixtures import add_machine_draft

    world = live_server.world
    article_id = world.assigned["rev1"][0]
    with live_server.services():
        rev1 = user_service.get_user_by_username("rev1")
        admin = user_service.get_user_by_username("admin")
        first = db.session.scalars(select(Paragraph).where(Paragraph.article_id == article_id)
                                   .order_by(Paragraph.position)).first()
        add_machine_draft(first, f"The agency said so on {LONG_URL} yesterday.")
        workflow.add_comment(db.session.get(Article, article_id), rev1, f"Source checked: {LONG_URL}")
        term = glossary.create_term(LONG_ARABIC_TERM, LONG_ENGLISH_TERM, "ORG", actor=admin)
        label_id = term.label_id
        return {"article": article_id, "paragraph": first.id, "term": term.id, "label": label_id,
                "user": rev1.id, "unassigned": world.unassigned[0]}


def reviewer_pages(ids: dict) -> list[str]:
    return ["/", "/my-work", f"/articles/{ids['article']}", f"/paragraphs/{ids['paragraph']}/history",
            "/account/password"]


def admin_pages(ids: dict) -> list[str]:
    return ["/admin/", f"/admin/articles/{ids['article']}", f"/admin/articles/{ids['unassigned']}",
            "/admin/import", "/admin/users", f"/admin/users/{ids['user']}", "/admin/labels",
            f"/admin/labels/{ids['label']}", "/admin/glossary", f"/admin/glossary/{ids['term']}",
            "/admin/models", "/admin/memories", "/admin/dashboard", "/export/", f"/articles/{ids['article']}"]


# (`width` is the device's: on a phone, Chromium widens the layout viewport, and innerWidth, to a page too wide.)
# Everything wider than the viewport, and every Arabic line whose start lies outside its box or the screen.
# (Rows off screen may skip layout, `content-visibility: auto`; they are laid out first to be measured.)
MEASURE = """(width) => {
  document.querySelectorAll('*').forEach(el => el.style.setProperty('content-visibility', 'visible', 'important'));
  const found = {page: document.documentElement.scrollWidth, width, wide: [], clipped: []};
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > width + 1 || r.left < -1) && !el.closest('.visually-hidden, .skip-link, [hidden]')) {
      // inside a container that scrolls on its own is fine: the page itself does not move
      let scroller = el.parentElement, contained = false;
      while (scroller && scroller !== document.body) {
        const s = getComputedStyle(scroller);
        if (['auto', 'scroll'].includes(s.overflowX) && scroller.getBoundingClientRect().right <= width + 1) { contained = true; break; }
        scroller = scroller.parentElement;
      }
      if (!contained) { found.wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left) + '–' + Math.round(r.right)); }
    }
  }
  for (const el of document.querySelectorAll('[lang=ar], [dir=rtl]')) {
    const box = el.getBoundingClientRect();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const line of range.getClientRects()) {
        // right to left: a line starts at its right edge
        if (line.width && (line.right > Math.min(box.right, width) + 1 || line.left < -1)) {
          found.clipped.push(el.tagName + ' ' + Math.round(line.left) + '–' + Math.round(line.right)
                             + ' in ' + Math.round(box.left) + '–' + Math.round(box.right) + ': ' + node.textContent.trim().slice(0, 20));
        }
      }
    }
  }
  return found;
}"""


def too_wide(page, paths) -> list[str]:
    problems = []
    for path in paths:
        if path != LOGIN_PATH:  # the login page is open already
            response = page.goto(path)
            assert response.status == 200, path
        found = page.evaluate(MEASURE, page.viewport_size["width"])
        if found["page"] > found["width"] or found["wide"] or found["clipped"]:
            problems.append(f"{path}: page {found['page']} px wide in {found['width']}; "
                            f"wider than the screen: {found['wide'][:4]}; Arabic cut off: {found['clipped'][:3]}")
    return problems


@pytest.mark.parametrize("device", SIZES, indirect=True)
def test_no_page_is_wider_than_the_screen_and_no_arabic_line_is_cut_off(phone_page, live_server, device):
    ids = stretch_the_data(live_server)
    page = phone_page

    page.goto(LOGIN_PATH)
    problems = too_wide(page, [LOGIN_PATH])
    log_in(page, "rev1")
    problems += too_wide(page, reviewer_pages(ids))
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    log_in(page, "admin")
    problems += too_wide(page, admin_pages(ids))

    assert problems == [], "pages that scroll sideways or cut Arabic off:\n" + "\n".join(problems)


@pytest.mark.parametrize("device", [pytest.param(SMALL_PHONE, id="360x740")], indirect=True)
def test_the_admin_menu_wraps_on_a_phone_and_every_link_is_on_screen(phone_page, device):
    page = phone_page
    log_in(page, "admin")
    boxes = page.locator(".site-header nav a").evaluate_all(
        "links => links.map(a => { const r = a.getBoundingClientRect(); return [a.textContent, r.left, r.right, r.top]; })")
    width = page.viewport_size["width"]
    assert len(boxes) >= 9
    assert [b for b in boxes if b[1] < 0 or b[2] > width] == []
    assert len({round(b[3]) for b in boxes}) > 1, "the menu is one line: it cannot fit in 360 px"


@pytest.mark.parametrize("device", [pytest.param(SMALL_PHONE, id="360x740"), pytest.param(DESKTOP, id="1440x900")],
                         indirect=True)
def test_the_label_palette_opens_on_screen(phone_page, live_server, device):
    article_id = stretch_the_data(live_server)["article"]  # the first paragraph's English has a long URL
    page = phone_page
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    page.locator("[data-entities-rendered]").first.wait_for()
    page.locator("body").click(position={"x": 1, "y": 1})  # the first paragraph is current on arrival
    page.keyboard.press("t")  # word cursor on the first Arabic word: the palette opens under it
    palette = page.locator(".label-palette")
    palette.wait_for(state="visible")
    box = palette.evaluate("el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; }")
    width = page.viewport_size["width"]
    assert 0 < box[0] and box[1] < width, f"the palette spans {box} on a screen {width} px wide: not all on it"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


# --- the Arabic font ----------------------------------------------------------------------

@pytest.mark.parametrize("device", [pytest.param(PHONE, id="390x844"), pytest.param(DESKTOP, id="1440x900")],
                         indirect=True)
def test_arabic_is_set_in_the_served_naskh_font_digits_too_and_english_in_sans(phone_page, live_server, device):
    assert (PROJECT_ROOT / "app" / "static" / "fonts" / "OFL.txt").is_file(), \
        "app/static/fonts is missing: `make fonts` (run by `make setup` and `make test`) copies the font from npm"
    page = phone_page
    fonts: list[tuple[str, int, str]] = []
    page.on("response", lambda r: fonts.append((r.url, r.status, r.headers.get("content-type", "")))
            if "/static/fonts/" in r.url else None)
    log_in(page, "rev1")
    page.goto(f"/articles/{live_server.world.assigned['rev1'][0]}", wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")

    assert page.evaluate("document.fonts.check('16px \"Noto Naskh Arabic\"', 'نص ٢٠٢٦ 2026')"), \
        "the Arabic font did not load"
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replaceAll('\"', ''))")
    assert "Noto Naskh Arabic" in loaded
    assert fonts and all(status in (200, 304) and url.endswith(".woff2") for url, status, _ in fonts), fonts
    assert all(url.startswith(live_server.url + "/static/fonts/") for url, _, _ in fonts)
    for url in {url for url, _, _ in fonts}:  # each file answers in full, as a font (304s above came from the cache)
        response = page.request.get(url)
        assert response.status == 200 and response.headers["content-type"] == "font/woff2", url
        assert response.body()[:4] == b"wOF2", url
    # Western digits inside Arabic come from the same font as the letters around them (its Latin part).
    assert any("latin" in url for url, _, _ in fonts), fonts

    families = page.evaluate("""() => ({
      ar: getComputedStyle(document.querySelector('.ar-cell [lang=ar]')).fontFamily,
      en: getComputedStyle(document.querySelector('.en-cell [lang=en], .en-cell')).fontFamily,
      body: getComputedStyle(document.body).fontFamily})""")
    assert families["ar"].split(",")[0].strip("\"' ") == "Noto Naskh Arabic", families
    assert "Naskh" not in families["body"] and "sans-serif" in families["body"], families
    assert "Naskh" not in families["en"], families

    # the licence travels with the font
    licence = page.request.get("/static/fonts/OFL.txt")
    assert licence.status == 200 and "SIL Open Font License" in licence.text()


# --- dates --------------------------------------------------------------------------------

LONG_DATE = re.compile(r"^\d{1,2} (January|February|March|April|May|June|July|August|September|October|November"
                       r"|December) \d{4}(, \d{2}:\d{2}( UTC)?)?$")


@pytest.mark.parametrize("device", [pytest.param(DESKTOP, id="1440x900")], indirect=True)
def test_every_date_reads_one_way_with_iso_in_a_time_element(phone_page, live_server, device):
    from app.services import assignment
    from app.services import users as user_service

    ids = stretch_the_data(live_server)
    with live_server.services():  # a second reviewer with a due date: shown on My work, the article, the dashboard
        article = db.session.get(Article, ids["article"])
        assignment.assign_article(article, user_service.get_user_by_username("rev1"), "reviewer", actor=None,
                                  due=datetime.date(2026, 12, 20))
        assignment.assign_article(article, user_service.get_user_by_username("rev2"), "second_reviewer", actor=None,
                                  due=datetime.date(2026, 12, 24))
    page = phone_page
    shown: dict[str, list[str]] = {}
    log_in(page, "rev1")
    for path in ["/my-work", f"/articles/{ids['article']}", f"/paragraphs/{ids['paragraph']}/history"]:
        page.goto(path)
        shown[path] = page.locator("main").inner_text()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    log_in(page, "admin")
    times: list[tuple[str, str, str]] = []
    for path in ["/admin/", f"/admin/articles/{ids['article']}", "/admin/users", f"/admin/users/{ids['user']}",
                 "/admin/glossary", "/admin/dashboard", f"/articles/{ids['article']}",
                 f"/paragraphs/{ids['paragraph']}/history", "/my-work"]:
        page.goto(path)
        shown[path] = page.locator("main").inner_text()
        times += [(path, *t) for t in page.locator("main time").evaluate_all(
            "ts => ts.map(t => [t.getAttribute('datetime') || '', t.textContent.trim()])")]

    iso_like = {path: re.findall(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b", text)
                for path, text in shown.items()}
    assert {p: found for p, found in iso_like.items() if found} == {}, "dates in another format"
    assert len(times) >= 5, times
    assert [t for t in times if not LONG_DATE.match(t[2])] == [], "dates not in the long form"
    assert [t for t in times if not re.match(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?$", t[1])] == []


@pytest.mark.parametrize("device", [pytest.param(SMALL_PHONE, id="360x740")], indirect=True)
def test_pages_on_a_phone_have_no_serious_accessibility_violations(phone_page, live_server, device):
    """On a phone, wide tables scroll inside themselves: each must still be reachable and readable (axe)."""
    from tests.browser.conftest import axe_violations, format_violations

    ids = stretch_the_data(live_server)
    page = phone_page
    log_in(page, "rev1")
    found = []
    for path in ["/my-work", f"/articles/{ids['article']}", f"/paragraphs/{ids['paragraph']}/history"]:
        page.goto(path)
        found.append(format_violations(axe_violations(page), f"{path} "))
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    log_in(page, "admin")
    for path in ["/admin/", "/admin/users", "/admin/glossary", "/admin/dashboard", "/admin/labels", "/admin/models"]:
        page.goto(path)
        found.append(format_violations(axe_violations(page), f"{path} "))
    report = "\n".join(f for f in found if f)
    assert not report, "axe found serious or critical violations:\n" + report
