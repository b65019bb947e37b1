"""The translation memory in the browser (issue 17, items 3 and 4): a reviewer sees a paragraph's fuzzy matches
beside its machine draft with the Arabic difference highlighted, inserts one by key or by button and saves it as
from the memory; a 100% match is marked on its row; the concordance shows keyword-in-context lines from a
selection or from typing; the admin imports a TMX and removes it. At a desk (1440×900) and on a phone (390×844,
touch), with axe run on the open panel and the open concordance.
"""
from __future__ import annotations

import re
import time

from sqlalchemy import select

from app.extensions import db
from app.models import Paragraph, Translation
from tests.browser.conftest import axe_violations, format_violations, log_in

DATELINE = "موسكو، 14 أبريل/نيسان. أعلنت وزارة الخارجية الروسية أن الوزير سيزور طهران الأسبوع المقبل."
DATELINE_EN = "Moscow, April 14. The Russian Foreign Ministry announced that the minister will visit Tehran next week."
NEAR = "موسكو، 14 أبريل/نيسان. أعلنت وزارة الخارجية الروسية أن الوزير سيزور أنقرة الأسبوع المقبل."
STATEMENT = "وقال المتحدث باسم الوزارة إن المحادثات ستتناول التعاون الاقتصادي والأمن الإقليمي."
STATEMENT_EN = "The ministry spokesman said the talks would cover economic cooperation and regional security."
PLAIN_AR = "وصل الوفد إلى العاصمة صباح اليوم."


def tmx_of(pairs) -> bytes:
    from translate.storage import tmx

    store = tmx.tmxfile(sourcelanguage="ar-SA", targetlanguage="en-US")
    for ar, en in pairs:
        store.addtranslation(ar, "ar-SA", en, "en-US")
    return bytes(store)


def arrange(live_server, world) -> list[int]:
    """rev2's article approves the dateline (the memory); an agency TMX holds the statement; rev1's article
    has the dateline with another city (a fuzzy match) first, the dateline itself (100%) second, then plain
    paragraphs. The ids of rev1's paragraphs, in order."""
    from app.services import review as review_service
    from app.services import translation_memory as tm
    from app.services import users as user_service

    with live_server.services():
        theirs = db.session.scalars(select(Paragraph).where(Paragraph.article_id == world.assigned["rev2"][0])
                                    .order_by(Paragraph.position)).first()
        theirs.ar, theirs.qa_findings = DATELINE, None
        mine = db.session.scalars(select(Paragraph).where(Paragraph.article_id == world.assigned["rev1"][0])
                                  .order_by(Paragraph.position)).all()
        for paragraph in mine:
            paragraph.ar = {0: NEAR, 1: DATELINE}.get(paragraph.position, PLAIN_AR)
            paragraph.qa_findings = None
        db.session.commit()
        rev2 = user_service.get_user_by_username("rev2")
        saved = review_service.save_translation(theirs.id, DATELINE_EN, theirs.version, actor=rev2)
        review_service.approve_paragraph(theirs.id, saved.version, actor=rev2, override_reason="arranged")
        tm.import_tmx(tmx_of([(STATEMENT, STATEMENT_EN)]), name="agency", file_name="agency.tmx")
        ids = [p.id for p in mine]
    # The server built its index at its first request (the live server's readiness check), before these units
    # existed, and looks for new ones every TM_RECHECK_SECONDS (2 s, the default: its own config): the page's
    # first matches request must come after that, or it is answered from the index as it was (and cached).
    time.sleep(2.2)
    return ids


def origins(live_server, paragraph_id: int) -> list[str]:
    with live_server.services():
        return list(db.session.scalars(select(Translation.origin).where(Translation.paragraph_id == paragraph_id)
                                       .order_by(Translation.id)))


def row(page, paragraph_id: int):
    return page.locator(f'[data-paragraph-id="{paragraph_id}"]')


def no_horizontal_scroll(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_reviewer_sees_a_fuzzy_match_with_its_percentage_and_difference_and_inserts_it_by_key_and_by_button(
        screen, live_server, world):
    page = screen
    ids = arrange(live_server, world)
    log_in(page, "rev1")
    page.goto(f"/articles/{world.assigned['rev1'][0]}")

    # The first paragraph is current on arrival: its matches are fetched and shown beside the draft.
    first = row(page, ids[0])
    match = first.locator("[data-tm-match]").first
    match.wait_for()
    assert first.locator("[data-tm]").evaluate("el => el.open")
    head = match.locator(".tm-head").inner_text()
    assert re.match(r"^9\d% · the whole paragraph · from approved paragraph \d+$", head), head
    assert match.locator("ins.tm-diff").inner_text() == "طهران"  # the match's word
    assert match.locator("del.tm-diff").inner_text() == "أنقرة"  # this paragraph's
    assert match.locator(".tm-ar").get_attribute("lang") == "ar" and match.locator(".tm-ar").get_attribute("dir") == "rtl"
    assert match.locator(".tm-en").inner_text() == DATELINE_EN
    # Only the current paragraph asked: the others' panels are still empty.
    assert row(page, ids[2]).locator("[data-tm-match]").count() == 0
    assert axe_violations(page) == [], format_violations(axe_violations(page), "panel open: ")

    if page.phone:  # by touch: the Insert button
        match.get_by_role("button", name=re.compile("^Insert")).tap()
    else:  # by key: i inserts the best match of the current paragraph
        page.locator("body").click(position={"x": 1, "y": 1})
        page.keyboard.press("i")
    editor = first.locator("textarea.en-editor")
    assert editor.input_value() == DATELINE_EN
    first.get_by_role("button", name="Save").click()
    page.get_by_role("status").filter(has_text="Saved").wait_for()
    assert first.locator("[data-origin]").inner_text() == "From the translation memory, saved by you"
    assert origins(live_server, ids[0])[-1] == "tm"

    # A match edited after it was inserted is the reviewer's own English.
    second = row(page, ids[1])
    second.locator("[data-tm] > summary").click()
    second.locator("[data-tm-match]").first.wait_for()
    second.locator("[data-tm-insert]").first.click()
    editor = second.locator("textarea.en-editor")
    editor.press("End")
    editor.type(" Updated")
    second.get_by_role("button", name="Save").click()
    second.locator("[data-origin]").filter(has_text="Edited by").wait_for()
    assert origins(live_server, ids[1])[-1] == "human"
    no_horizontal_scroll(page)


def test_a_paragraph_with_a_100_percent_match_is_marked_on_its_row_in_words(screen, live_server, world):
    page = screen
    ids = arrange(live_server, world)
    log_in(page, "rev1")
    page.goto(f"/articles/{world.assigned['rev1'][0]}")
    badge = row(page, ids[1]).locator("[data-tm-exact]")
    badge.wait_for(state="attached")
    badge.scroll_into_view_if_needed()  # rows off screen are not laid out (content-visibility)
    assert badge.text_content() == "100% memory match"
    assert badge.evaluate("el => el.getBoundingClientRect().width > 0 && getComputedStyle(el).visibility === 'visible'")
    assert page.locator("[data-tm-exact]").count() == 1  # the fuzzy one and the plain ones are not marked
    no_horizontal_scroll(page)


def test_concordance_from_selected_words_and_from_typing_shows_keyword_in_context_lines(screen, live_server, world):
    page = screen
    ids = arrange(live_server, world)
    log_in(page, "rev1")
    page.goto(f"/articles/{world.assigned['rev1'][0]}")
    page.locator("[data-tm-match]").first.wait_for()

    # Select «وزارة الخارجية» in the second paragraph's Arabic, as a reviewer's drag or long press would.
    page.evaluate("""(pid) => {
      const cell = document.querySelector(`[data-paragraph-id="${pid}"] .ar-cell .ar`);
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode())) {
        const at = node.textContent.indexOf("وزارة الخارجية");
        if (at >= 0) {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + "وزارة الخارجية".length);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
          return;
        }
      }
      throw new Error("words not found");
    }""", ids[1])
    if page.phone:
        page.get_by_role("button", name="Search the memory").first.tap()
    else:
        page.keyboard.press("s")
    dialog = page.get_by_role("dialog", name="Search the memory")
    dialog.wait_for()
    total = dialog.locator("[data-memory-total]")
    total.filter(has_text="unit").wait_for()
    assert total.inner_text() == "1 unit has “وزارة الخارجية” in the Arabic."
    line = dialog.locator(".kwic").first
    assert (line.get_attribute("dir"), line.get_attribute("lang")) == ("rtl", "ar")
    assert line.locator("mark").inner_text() == "وزارة الخارجية"
    assert line.locator(".kwic-before").inner_text() == "موسكو، 14 أبريل/نيسان. أعلنت "
    other = dialog.locator(".kwic-other").first
    assert (other.get_attribute("dir"), other.get_attribute("lang"), other.inner_text()) == ("ltr", "en", DATELINE_EN)
    assert re.match(r"^From approved paragraph \d+$", dialog.locator(".kwic-origin").first.inner_text())

    # Typed: English is searched on the English side, here in the imported memory.
    box = dialog.get_by_label("Words to look for")
    box.fill("economic cooperation")
    box.press("Enter")
    total.filter(has_text="economic").wait_for()
    assert total.inner_text() == "1 unit has “economic cooperation” in the English."
    line = dialog.locator(".kwic").first
    assert (line.get_attribute("dir"), line.get_attribute("lang")) == ("ltr", "en")
    assert line.locator("mark").inner_text() == "economic cooperation"
    assert dialog.locator(".kwic-other").first.inner_text() == STATEMENT
    assert dialog.locator(".kwic-other").first.get_attribute("lang") == "ar"
    assert dialog.locator(".kwic-origin").first.inner_text() == "From memory “agency”"
    assert axe_violations(page) == [], format_violations(axe_violations(page), "concordance open: ")
    no_horizontal_scroll(page)
    assert dialog.evaluate("el => el.scrollWidth <= el.clientWidth")

    dialog.get_by_role("button", name="Close").click()
    assert not dialog.is_visible()


def test_the_word_cursor_and_the_label_palette_search_the_memory_for_their_words(screen, live_server, world):
    """The words a reviewer is about to tag are one key (s, in the word cursor) or one button (the label
    palette's "Search the memory", by mouse or by touch) from how they were rendered before."""
    page = screen
    ids = arrange(live_server, world)
    log_in(page, "rev1")
    page.goto(f"/articles/{world.assigned['rev1'][0]}")
    page.locator("[data-tm-match]").first.wait_for()
    dialog = page.get_by_role("dialog", name="Search the memory")
    total = dialog.locator("[data-memory-total]")
    palette_button = page.locator("#label-palette").get_by_role("button", name="Search the memory")

    def searched_for(words: str) -> None:
        dialog.wait_for()
        total.filter(has_text="unit").wait_for()
        assert total.inner_text() == f"1 unit has “{words}” in the Arabic."
        assert dialog.get_by_label("Words to look for").input_value() == words
        assert dialog.locator(".kwic mark").first.inner_text() == words
        dialog.get_by_role("button", name="Close").click()
        assert not dialog.is_visible()

    if page.phone:
        from tests.browser.test_tagging_by_touch import tap, tap_word

        tap_word(page, f'[data-paragraph-id="{ids[0]}"] p.ar', NEAR, "الخارجية")
        palette_button.wait_for()
        tap(page, palette_button)
        searched_for("الخارجية")
        return
    page.locator("body").click(position={"x": 1, "y": 1})  # the first paragraph is current on arrival
    page.keyboard.press("t")  # the word cursor, on the first Arabic word
    assert page.evaluate("getSelection().toString()") == "موسكو"
    page.keyboard.press("s")
    searched_for("موسكو")

    page.keyboard.press("t")
    page.keyboard.press("ArrowLeft")  # right to left: the next word
    palette_button.click()
    searched_for("14")


def test_admin_imports_a_tmx_on_the_memory_page_and_removes_it_after_confirming(screen, live_server, world, tmp_path):
    page = screen
    log_in(page, "admin")
    page.get_by_role("link", name="Memory").click()
    page.get_by_role("heading", name="Translation memory").wait_for()
    path = tmp_path / "agency.tmx"
    path.write_bytes(tmx_of([(STATEMENT, STATEMENT_EN), (DATELINE, DATELINE_EN)]))
    page.get_by_label("TMX file").set_input_files(str(path))
    page.get_by_label("Memory name").fill("Agency 2025")
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    assert page.get_by_text("agency.tmx into memory Agency 2025: 2 units read, 2 added, 0 skipped as duplicates, "
                            "0 refused.").is_visible()
    listed = page.locator('tr[data-memory="Agency 2025"]')
    assert listed.locator("td").nth(1).inner_text() == "2"

    # A file that is not TMX: a sentence, and the list unchanged.
    bad = tmp_path / "notes.tmx"
    bad.write_bytes(b"<html><body>not a memory</body></html>")
    page.get_by_label("TMX file").set_input_files(str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    assert page.get_by_text(re.compile("^notes.tmx: This is not a TMX file")).is_visible()
    assert page.locator("tr[data-memory]").count() == 1
    no_horizontal_scroll(page)
    assert axe_violations(page) == [], format_violations(axe_violations(page), "memory page: ")

    listed.get_by_text("Remove…").click()
    confirm = listed.get_by_role("button", name="Yes, remove Agency 2025")
    assert confirm.is_visible()
    with page.expect_navigation():
        confirm.click()
    assert page.get_by_text("Removed memory Agency 2025 and its 2 units.").is_visible()
    assert page.locator("tr[data-memory]").count() == 0
