"""Named entities in a real browser: tagging by mouse and keyboard, snapping, offsets, overlaps, relabel, delete,
links, suggestions, QA and its override, 200 spans in one paragraph, accessibility.

Offsets are checked against Python: the browser counts UTF-16 code units, the server Python str indices, and the
Arabic here has diacritics, tatweel, mixed Arabic/Latin digits and a character outside the BMP before the spans.
"""
from __future__ import annotations

import time

from sqlalchemy import select

from app.extensions import db
from app.models import Entity, EntityLink, Label, Paragraph, SuggestionRejection, Translation
from tests.browser.conftest import axe_violations, format_violations, log_in

# 𝕏 (U+1D54F) is outside the BMP: one Python index, two UTF-16 code units, before every span below.
AR = "نشر 𝕏 أنَّ الرئيسَ بوتيـــن وصل إلى مُوسْكُو ومعه ٢٨.2 مليار دولار لشركة غازبروم الروسية."
EN = "X reported that President Putin arrived in Moscow with 28.2 billion dollars for the Russian company Gazprom."


def utf16(text: str, index: int) -> int:
    """The UTF-16 offset of Python index `index` in `text`."""
    return len(text[:index].encode("utf-16-le")) // 2


def arrange(live_server, ar: str = AR, en: str = EN, position: int = 0) -> tuple[int, int]:
    """The article of rev1 with paragraph `position` set to these texts (English as its machine draft)."""
    from tests.support.fixtures import add_machine_draft

    article_id = live_server.world.assigned["rev1"][0]
    with live_server.services():
        paragraph = db.session.scalars(
            select(Paragraph).where(Paragraph.article_id == article_id, Paragraph.position == position)
        ).one()
        paragraph.ar = ar
        paragraph.qa_findings = None
        db.session.commit()
        add_machine_draft(paragraph, en)
        return article_id, paragraph.id


def tag(live_server, paragraph_id: int, lang: str, text: str, surface: str, label: str, occurrence: int = 0) -> int:
    """An entity made through the service, as another tab of the reviewer would; returns its id."""
    from app.services import entities as entity_service
    from app.services import users as user_service

    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    with live_server.services():
        entity = entity_service.create_entity(paragraph_id, lang, start, start + len(surface), label,
                                              actor=user_service.get_user_by_username("rev1"))
        return entity.id


def entities(live_server, paragraph_id: int) -> list[tuple]:
    with live_server.services():
        return [tuple(row) for row in db.session.execute(
            select(Entity.lang, Entity.start, Entity.end, Label.name, Entity.text)
            .join(Label, Label.id == Entity.label_id)
            .where(Entity.paragraph_id == paragraph_id).order_by(Entity.id)
        )]


def links(live_server, paragraph_id: int) -> list[tuple]:
    with live_server.services():
        return [tuple(row) for row in db.session.execute(
            select(EntityLink.ar_entity_id, EntityLink.en_entity_id)
            .join(Entity, Entity.id == EntityLink.ar_entity_id).where(Entity.paragraph_id == paragraph_id)
        )]


def open_article(page, article_id: int, paragraph_id: int):
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    row = page.locator(f'[data-paragraph-id="{paragraph_id}"]')
    page.locator(f'[data-paragraph-id="{paragraph_id}"][data-entities-rendered]').wait_for()
    return row


SELECT_AND_RELEASE = """([selector, start, end]) => {
  // Select [start, end) — UTF-16 offsets, as the DOM counts — in the cell, then release the mouse there.
  const cell = document.querySelector(selector);
  function point(offset) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node, seen = 0;
    while ((node = walker.nextNode())) {
      if (seen + node.length >= offset) { return [node, offset - seen]; }
      seen += node.length;
    }
    throw new Error('offset ' + offset + ' beyond the text');
  }
  const range = document.createRange();
  range.setStart(...point(start));
  range.setEnd(...point(end));
  const selection = getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  cell.dispatchEvent(new MouseEvent('mouseup', {bubbles: true, cancelable: true, view: window}));
  return new Promise(resolve => setTimeout(resolve, 0));  // after the page's own handler
}"""

CHAR_BOX = """([selector, offset]) => {
  // The viewport box of the UTF-16 code unit at `offset` in the cell's text.
  const cell = document.querySelector(selector);
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  let node, seen = 0;
  while ((node = walker.nextNode())) {
    if (seen + node.length > offset) {
      const range = document.createRange();
      range.setStart(node, offset - seen);
      range.setEnd(node, offset - seen + 1);
      const r = range.getBoundingClientRect();
      return {left: r.left, right: r.right, y: r.top + r.height / 2};
    }
    seen += node.length;
  }
}"""


def select_text(page, selector: str, text: str, start: int, end: int) -> None:
    """Select the Python span [start, end) of `text` in the cell, the way a reader's mouse would leave it."""
    page.evaluate(SELECT_AND_RELEASE, [selector, utf16(text, start), utf16(text, end)])


def wait_for_status(page, text: str) -> str:
    status = page.locator("#workspace-status")
    status.filter(has_text=text).wait_for()
    return status.inner_text()


def test_mouse_selection_in_arabic_is_tagged_with_python_offsets_and_snapped_to_words(page, live_server):
    article_id, pid = arrange(live_server)
    row = open_article(page, article_id, pid)
    cell = f'[data-paragraph-id="{pid}"] p.ar'
    palette = page.locator("#label-palette")

    # An exact selection of a word with tatweel, after 𝕏 and diacritics: tagged with a click on a label.
    word = "بوتيـــن"
    start = AR.index(word)
    select_text(page, cell, AR, start, start + len(word))
    palette.wait_for()
    assert word in palette.inner_text()
    palette.locator('[data-label="PER"]').click()
    wait_for_status(page, "Tagged")
    assert entities(live_server, pid) == [("ar", start, start + len(word), "PER", word)]
    assert utf16(AR, start) == start + 1  # the DOM saw one more code unit: 𝕏 counts 2 there

    # A selection from inside one word to inside the next snaps to both whole words (diacritics included),
    # tagged with the label's hotkey.
    words = "إلى مُوسْكُو"
    start = AR.index(words)
    select_text(page, cell, AR, start + 1, start + len(words) - 2)
    palette.wait_for()
    page.keyboard.press("l")
    wait_for_status(page, "Tagged")
    assert entities(live_server, pid)[-1] == ("ar", start, start + len(words), "LOC", words)

    # Part of a mixed-digit number snaps to the whole number; "m" is MONEY here, not "copy the machine draft".
    number = "٢٨.2"
    start = AR.index(number)
    select_text(page, cell, AR, start + 1, start + 2)
    palette.wait_for()
    assert number in palette.inner_text()
    page.keyboard.press("m")
    wait_for_status(page, "Tagged")
    assert entities(live_server, pid)[-1] == ("ar", start, start + len(number), "MONEY", number)
    assert row.locator("textarea.en-editor").count() == 0

    # Leading space and trailing punctuation are trimmed: "الروسية." → "الروسية".
    start = AR.index(" الروسية.")
    select_text(page, cell, AR, start, start + len(" الروسية."))
    palette.wait_for()
    page.keyboard.press("x")
    wait_for_status(page, "Tagged")
    assert entities(live_server, pid)[-1][4] == "الروسية"

    # The highlights are in the cell, which is still right-to-left Arabic and still holds exactly the text.
    assert row.locator("p.ar span.ent").count() == 4
    assert page.evaluate(f"getComputedStyle(document.querySelector('{cell}')).direction") == "rtl"
    assert page.evaluate(f"document.querySelector('{cell}').textContent") == AR
    assert row.locator("p.ar").get_attribute("lang") == "ar"


def test_an_exact_duplicate_is_refused_in_the_status_line_and_the_selection_stays(page, live_server):
    article_id, pid = arrange(live_server)
    tag(live_server, pid, "ar", AR, "بوتيـــن", "PER")
    open_article(page, article_id, pid)
    start = AR.index("بوتيـــن")
    select_text(page, f'[data-paragraph-id="{pid}"] p.ar', AR, start, start + 4)
    page.locator("#label-palette").wait_for()
    page.keyboard.press("p")
    assert "already tagged PER" in wait_for_status(page, "Not tagged")
    assert page.locator("#label-palette").is_visible()  # nothing lost: pick another label
    page.keyboard.press("o")
    wait_for_status(page, "Tagged")
    assert [e[3] for e in entities(live_server, pid)] == ["PER", "ORG"]


def test_a_real_mouse_drag_over_english_tags_the_word(page, live_server):
    article_id, pid = arrange(live_server)
    open_article(page, article_id, pid)
    cell = f'[data-paragraph-id="{pid}"] p[data-en-text]'
    # In the middle of the window: a drag that starts at its edge scrolls it, and the selection with it.
    page.eval_on_selector(cell, "cell => cell.scrollIntoView({block: 'center'})")
    start = EN.index("Moscow")
    first = page.evaluate(CHAR_BOX, [cell, start + 1])  # from inside the word…
    last = page.evaluate(CHAR_BOX, [cell, start + 4])   # …to inside it again: snapped to "Moscow"
    page.mouse.move(first["left"] + 1, first["y"])
    page.mouse.down()
    page.mouse.move(last["right"] - 1, last["y"], steps=5)
    page.mouse.up()
    page.locator('#label-palette [data-label="LOC"]').click()
    wait_for_status(page, "Tagged")
    assert entities(live_server, pid) == [("en", start, start + len("Moscow"), "LOC", "Moscow")]


def test_keyboard_tagging_moves_by_word_in_reading_order(page, live_server):
    article_id, pid = arrange(live_server)
    open_article(page, article_id, pid)
    page.locator("body").click(position={"x": 1, "y": 1})  # the first paragraph is current on arrival

    page.keyboard.press("t")  # word cursor in the Arabic, on its first word
    cell = page.locator(f'[data-paragraph-id="{pid}"] p.ar')
    assert "word-cursor" in cell.get_attribute("class")
    assert page.evaluate("document.activeElement.classList.contains('word-cursor')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    assert page.evaluate("getSelection().toString()") == "نشر"
    # Right-to-left: ArrowLeft goes on to the next word. Words: نشر 𝕏 أنَّ الرئيسَ بوتيـــن …
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("getSelection().toString()") == "الرئيسَ"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("getSelection().toString()") == "أنَّ"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")  # take in the next word too
    assert page.evaluate("getSelection().toString()") == "الرئيسَ بوتيـــن"
    assert "الرئيسَ بوتيـــن" in page.locator("#workspace-status").inner_text()
    page.keyboard.press("p")
    wait_for_status(page, "Tagged")
    start = AR.index("الرئيسَ بوتيـــن")
    assert entities(live_server, pid) == [("ar", start, start + len("الرئيسَ بوتيـــن"), "PER", "الرئيسَ بوتيـــن")]

    page.keyboard.press("Shift+T")  # the English, left to right: ArrowRight goes on
    assert page.evaluate("getSelection().toString()") == "X"
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("getSelection().toString()") == "Putin"
    page.keyboard.press("End")
    page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("getSelection().toString()") == "company Gazprom"  # the final "." is not a word
    page.keyboard.press("ArrowRight")
    page.keyboard.press("o")
    wait_for_status(page, "Tagged")
    assert entities(live_server, pid)[-1] == ("en", EN.index("Gazprom"), EN.index("Gazprom") + 7, "ORG", "Gazprom")

    page.keyboard.press("Enter")  # on the entity just made: its menu, focused
    menu = page.locator("#entity-menu")
    menu.wait_for()
    assert page.evaluate("document.activeElement.closest('#entity-menu') !== null")
    page.keyboard.press("Escape")
    assert menu.is_hidden()
    page.keyboard.press("Escape")  # leaves the cursor; the paragraph has the focus again
    assert page.evaluate("document.activeElement.dataset.paragraphId") == str(pid)
    assert page.evaluate("getSelection().isCollapsed")
    assert "word-cursor" not in cell.get_attribute("class")


def test_overlapping_entities_render_both_and_are_relabelled_and_deleted_from_their_menu(page, live_server):
    article_id, pid = arrange(live_server)
    outer = tag(live_server, pid, "en", EN, "President Putin", "MISC")
    inner = tag(live_server, pid, "en", EN, "Putin", "PER")
    row = open_article(page, article_id, pid)
    en = row.locator("p[data-en-text]")

    both = en.locator("span.ent.ent-overlap")
    assert both.count() == 1
    assert both.inner_text() == "Putin"
    assert set(both.get_attribute("data-ents").split()) == {str(outer), str(inner)}
    title = both.get_attribute("title")
    assert "PER" in title and "MISC" in title
    assert page.evaluate("el => getComputedStyle(el).boxShadow.split('inset').length - 1", both.element_handle()) == 2
    assert en.locator("span.ent").first.inner_text() == "President "
    assert en.inner_text() == EN

    # Relabel the outer one from its menu (clicking where only it covers).
    en.locator("span.ent").first.click()
    menu = page.locator("#entity-menu")
    menu.get_by_role("button", name="ORG", exact=True).click()
    wait_for_status(page, "is now ORG")
    assert entities(live_server, pid)[0][3] == "ORG"
    assert "ORG" in en.locator("span.ent").first.get_attribute("title")

    # Delete the inner one: the overlap is gone, the outer one stays.
    both.click()
    menu.locator(f'[data-entity="{inner}"]').get_by_role("button", name="Delete").click()
    wait_for_status(page, "Deleted")
    assert [e[4] for e in entities(live_server, pid)] == ["President Putin"]
    assert en.locator("span.ent").count() == 1
    assert en.locator("span.ent").inner_text() == "President Putin"


def test_link_arabic_to_english_by_clicking_one_then_the_other_then_remove_it(page, live_server):
    article_id, pid = arrange(live_server)
    ar_id = tag(live_server, pid, "ar", AR, "مُوسْكُو", "LOC")
    en_id = tag(live_server, pid, "en", EN, "Moscow", "LOC")
    tag(live_server, pid, "en", EN, "Gazprom", "ORG")
    row = open_article(page, article_id, pid)

    row.locator("p.ar span.ent").click()
    menu = page.locator("#entity-menu")
    menu.wait_for()
    assert "Moscow" in menu.inner_text()  # the keyboard path lists the English entities too
    row.locator("p[data-en-text] span.ent", has_text="Moscow").click()
    wait_for_status(page, "Linked")
    assert links(live_server, pid) == [(ar_id, en_id)]
    assert row.locator("p.ar span.ent").get_attribute("data-mark") == "1"
    assert row.locator("p[data-en-text] span.ent", has_text="Moscow").get_attribute("data-mark") == "1"
    listed = row.locator(".entity-links li")
    assert listed.count() == 1
    assert "مُوسْكُو → Moscow" in listed.inner_text()

    # The keyboard path: the menu's list of the other side's entities.
    row.locator("p[data-en-text] span.ent", has_text="Gazprom").click()
    menu.get_by_role("group", name="Link Gazprom to").get_by_role("button").first.focus()
    page.keyboard.press("Enter")
    wait_for_status(page, "→ «Gazprom»")
    assert len(links(live_server, pid)) == 2
    assert row.locator(".entity-links li").count() == 2

    row.get_by_role("button", name="Remove link مُوسْكُو → Moscow").click()
    wait_for_status(page, "Link removed")
    assert len(links(live_server, pid)) == 1
    assert row.locator(".entity-links li").count() == 1
    assert row.locator("p[data-en-text] span.ent", has_text="Moscow").get_attribute("data-mark") is None


def test_keyboard_linking_lands_on_the_best_match_and_arrows_choose_among_the_candidates(page, live_server):
    article_id, pid = arrange(live_server)
    ar_id = tag(live_server, pid, "ar", AR, "مُوسْكُو", "LOC")
    putin = tag(live_server, pid, "en", EN, "Putin", "PER")
    moscow = tag(live_server, pid, "en", EN, "Moscow", "LOC")
    gazprom = tag(live_server, pid, "en", EN, "Gazprom", "ORG")
    open_article(page, article_id, pid)

    page.keyboard.press("t")
    for _ in range(7):  # نشر 𝕏 أنَّ الرئيسَ بوتيـــن وصل إلى → مُوسْكُو
        page.keyboard.press("ArrowLeft")
    assert page.evaluate("getSelection().toString()") == "مُوسْكُو"
    page.keyboard.press("Enter")
    menu = page.locator("#entity-menu")
    menu.wait_for()
    # The link choices come first, before the labels; best match first: the same label (Moscow, LOC), then the
    # nearest in place (Putin before Gazprom), not the text order (Putin, Moscow, Gazprom).
    parts = menu.locator(".menu-entity > div").evaluate_all("els => els.map(el => el.className)")
    assert parts[0] == "menu-links" and parts.index("menu-links") < parts.index("menu-labels")
    choices = menu.get_by_role("group", name="Link مُوسْكُو to").get_by_role("button")
    assert [c.get_attribute("data-target") for c in choices.all()] == [str(moscow), str(putin), str(gazprom)]
    assert "best match first" in menu.inner_text()

    def focused() -> str:
        return page.evaluate("document.activeElement.getAttribute('data-target') || document.activeElement.textContent")

    assert focused() == str(moscow)  # Enter again would link it
    page.keyboard.press("ArrowRight")
    assert focused() == str(putin)
    page.keyboard.press("End")
    assert focused() == str(gazprom)
    page.keyboard.press("ArrowRight")  # the last stays the last: arrows keep to the link choices
    assert focused() == str(gazprom)
    page.keyboard.press("Tab")  # the labels follow the link choices
    assert page.evaluate("document.activeElement.closest('.menu-labels') !== null")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")  # the first stays the first
    assert focused() == str(moscow)
    page.keyboard.press("Enter")
    wait_for_status(page, "Linked «مُوسْكُو» → «Moscow»")
    assert links(live_server, pid) == [(ar_id, moscow)]
    assert menu.is_hidden()
    # Back in the word cursor on the Arabic, which now has no English left to link but the other two.
    assert page.evaluate("document.activeElement.classList.contains('word-cursor')")
    page.keyboard.press("Enter")
    menu.wait_for()
    assert [c.get_attribute("data-target") for c in choices.all()] == [str(putin), str(gazprom)]


def test_a_flagged_entity_is_marked_and_looks_right_clears_it(page, live_server):
    article_id, pid = arrange(live_server)
    entity_id = tag(live_server, pid, "en", EN, "Gazprom", "ORG")
    with live_server.services():
        db.session.get(Entity, entity_id).flagged = True
        db.session.commit()
    row = open_article(page, article_id, pid)
    flagged = row.locator("span.ent-flagged")
    assert "check" in flagged.get_attribute("title")
    flagged.click()
    page.locator("#entity-menu").get_by_role("button", name="Looks right").click()
    wait_for_status(page, "looks right")
    assert row.locator("span.ent-flagged").count() == 0
    with live_server.services():
        assert db.session.get(Entity, entity_id).flagged is False


def test_saving_new_english_refreshes_its_entities_and_qa(page, live_server):
    article_id, pid = arrange(live_server)
    tag(live_server, pid, "en", EN, "Moscow", "LOC")
    row = open_article(page, article_id, pid)
    row.get_by_role("button", name="Edit").click()
    row.locator("textarea.en-editor").fill("Today " + EN)
    row.locator("textarea.en-editor").press("Control+Enter")
    wait_for_status(page, "Saved (version")
    highlight = row.locator("p[data-en-text] span.ent")
    highlight.wait_for()
    assert highlight.inner_text() == "Moscow"
    assert entities(live_server, pid)[-1] == ("en", EN.index("Moscow") + 6, EN.index("Moscow") + 12, "LOC", "Moscow")


def test_qa_findings_show_and_a_blocked_approval_asks_for_an_override_reason(page, live_server):
    article_id, pid = arrange(live_server, en=EN.replace("28.2", "82.2"))  # a number that disagrees
    row = open_article(page, article_id, pid)
    qa = row.locator("[data-qa] .qa-error")
    qa.first.wait_for()
    assert "28.2" in qa.first.inner_text() or "82.2" in qa.first.inner_text()

    row.get_by_role("button", name="Approve").click()
    dialog = page.get_by_role("dialog", name="Approve despite QA?")
    dialog.wait_for()
    assert dialog.locator(".qa-error").count() >= 1
    assert page.evaluate("document.activeElement.id") == "qa-override-reason"
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "override dialog: ")
    dialog.get_by_label("Why approve anyway?").fill("The source misprints the figure; confirmed with the desk.")
    dialog.get_by_role("button", name="Approve anyway").click()
    wait_for_status(page, "override reason recorded")
    assert row.get_attribute("data-status") == "approved"


def served_suggestions(page, article_id: int) -> list[dict]:
    """What the server suggests for the article now (GET, with the page's login), in reading order."""
    response = page.request.get(f"/api/v1/articles/{article_id}/suggestions")
    assert response.ok, (response.status, response.text())
    return sorted(response.json()["suggestions"], key=lambda s: (s["paragraph_id"], s["lang"], s["start"]))


def wait_until_served(page, article_id: int, expected: list[dict], seconds: float = 30) -> None:
    """Until the server suggests `expected`: it sees a change within KNOWN_FORMS_RECHECK_SECONDS (2 s in a
    server) and a rebuild or two, and meanwhile answers from the forms it had."""
    deadline = time.monotonic() + seconds
    while (served := served_suggestions(page, article_id)) != expected:
        assert time.monotonic() < deadline, f"after {seconds} s the server suggests {served}, not {expected}"
        time.sleep(0.1)


def teach_by_approval(live_server, ar: str, en: str, ar_surface: str, en_surface: str, label: str) -> None:
    """A paragraph of another article approved with this Arabic entity linked to this English one."""
    article_id = live_server.world.unassigned[0]
    with live_server.services():
        paragraph = db.session.scalars(
            select(Paragraph).where(Paragraph.article_id == article_id, Paragraph.position == 0)).one()
        paragraph.ar = ar
        revision = Translation(paragraph_id=paragraph.id, text=en, origin="human")
        db.session.add(revision)
        db.session.flush()
        paragraph.current_revision_id = paragraph.approved_revision_id = revision.id
        paragraph.status = "approved"
        label_id = db.session.scalar(select(Label.id).where(Label.name == label))
        pair = [Entity(paragraph_id=paragraph.id, lang=lang, start=text.index(surface),
                       end=text.index(surface) + len(surface), label_id=label_id, text=surface,
                       translation_id=revision.id if lang == "en" else None)
                for lang, text, surface in (("ar", ar, ar_surface), ("en", en, en_surface))]
        db.session.add_all(pair)
        db.session.flush()
        db.session.add(EntityLink(ar_entity_id=pair[0].id, en_entity_id=pair[1].id))
        db.session.commit()


def rejections(live_server, paragraph_id: int) -> list[tuple]:
    with live_server.services():
        return [tuple(row) for row in db.session.execute(
            select(SuggestionRejection.lang, SuggestionRejection.start, SuggestionRejection.end, Label.name,
                   SuggestionRejection.text)
            .join(Label, Label.id == SuggestionRejection.label_id)
            .where(SuggestionRejection.paragraph_id == paragraph_id)
        )]


def test_suggestions_are_dashed_and_accepted_or_rejected_one_by_one_or_all_at_once(page, live_server):
    """The server's own suggestions, from both of its sources: glossary terms (Moscow, Gazprom) and an entity
    of an approved paragraph (Putin). Two Arabic entities are tagged already, Moscow's and Putin's."""
    from app.services import glossary

    article_id, pid = arrange(live_server)
    moscow_ar = tag(live_server, pid, "ar", AR, "مُوسْكُو", "LOC")
    putin_ar = tag(live_server, pid, "ar", AR, "بوتيـــن", "PER")
    with live_server.services():
        # The rest of the article (seed news naming Moscow and Putin) mentions nothing known.
        for other in db.session.scalars(select(Paragraph).where(Paragraph.article_id == article_id,
                                                                Paragraph.id != pid)):
            other.ar = "فقرة أخرى."
        db.session.commit()
        glossary.create_term("موسكو", "Moscow", "LOC")
        glossary.create_term("غازبروم", "Gazprom", "ORG")
    teach_by_approval(live_server, "التقى بوتين نظيره", "Putin met his counterpart", "بوتين", "Putin", "PER")

    def span(text: str, surface: str) -> dict:
        return {"start": text.index(surface), "end": text.index(surface) + len(surface), "text": surface}

    gazprom_ar = {"paragraph_id": pid, "lang": "ar", **span(AR, "غازبروم"), "label": "ORG", "source": "glossary",
                  "link_to": None}
    putin = {"paragraph_id": pid, "lang": "en", **span(EN, "Putin"), "label": "PER", "source": "approved",
             "link_to": {"ar_entity_id": putin_ar}}
    moscow = {"paragraph_id": pid, "lang": "en", **span(EN, "Moscow"), "label": "LOC", "source": "glossary",
              "link_to": {"ar_entity_id": moscow_ar}}
    gazprom_en = {"paragraph_id": pid, "lang": "en", **span(EN, "Gazprom"), "label": "ORG", "source": "glossary",
                  "link_to": {"lang": "ar", "start": gazprom_ar["start"], "end": gazprom_ar["end"]}}
    log_in(page, "rev1")
    wait_until_served(page, article_id, [gazprom_ar, putin, moscow, gazprom_en])

    page.goto(f"/articles/{article_id}")
    page.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered]').wait_for()
    row = page.locator(f'[data-paragraph-id="{pid}"]')
    dashed = row.locator("span.ent-suggestion")
    dashed.first.wait_for()
    assert dashed.count() == 4
    assert page.evaluate("el => getComputedStyle(el).outlineStyle", dashed.first.element_handle()) == "dashed"
    bar = page.locator("#suggestions-bar")
    assert "4 suggested entities" in bar.inner_text()
    assert "(English, approved)" in row.locator("ul.suggestion-list li").filter(has_text="Putin").inner_text()

    # One by one: accept Moscow (linked to the Arabic entity), reject Putin.
    row.get_by_role("button", name="Accept LOC Moscow").click()
    wait_for_status(page, "Accepted LOC")
    en_moscow = [e for e in entities(live_server, pid) if e[4] == "Moscow"]
    assert en_moscow == [("en", EN.index("Moscow"), EN.index("Moscow") + 6, "LOC", "Moscow")]
    assert len(links(live_server, pid)) == 1
    row.get_by_role("button", name="Reject PER Putin").click()
    wait_for_status(page, "Rejected PER")
    assert rejections(live_server, pid) == [("en", putin["start"], putin["end"], "PER", "Putin")]
    assert served_suggestions(page, article_id) == [gazprom_ar, gazprom_en]  # neither Moscow nor Putin again

    # All at once: the Arabic ORG first, then the English one linked to it by span.
    bar.get_by_role("button", name="Accept all").click()
    wait_for_status(page, "Accepted 2 suggestions")
    assert {e[4] for e in entities(live_server, pid)} == {"مُوسْكُو", "بوتيـــن", "Moscow", "غازبروم", "Gazprom"}
    assert len(links(live_server, pid)) == 2
    assert row.locator("span.ent-suggestion").count() == 0
    assert bar.is_hidden()
    assert served_suggestions(page, article_id) == []


def test_with_nothing_to_suggest_there_are_no_suggestions(page, live_server):
    """No glossary and nothing approved: the server suggests nothing, and the page shows no suggestion."""
    article_id, pid = arrange(live_server)
    log_in(page, "rev1")
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/articles/{article_id}/suggestions")) as served:
        page.goto(f"/articles/{article_id}")
    assert served.value.ok and served.value.json() == {"suggestions": []}
    row = page.locator(f'[data-paragraph-id="{pid}"]')
    page.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered]').wait_for()
    assert page.locator("#suggestions-bar").is_hidden()
    assert row.locator("span.ent-suggestion").count() == 0


def test_a_paragraph_of_200_spans_renders_and_still_tags_quickly(page, live_server):
    words = [f"كلمة{i}" for i in range(260)]
    ar = " ".join(words)
    article_id, pid = arrange(live_server, ar=ar, en="A long paragraph of numbered words.")
    with live_server.services():
        label_ids = db.session.scalars(select(Label.id).order_by(Label.position)).all()
        offsets, at = [], 0
        for word in words:
            offsets.append((at, at + len(word)))
            at += len(word) + 1
        db.session.add_all(Entity(paragraph_id=pid, lang="ar", start=s, end=e, label_id=label_ids[i % 4], text=ar[s:e])
                           for i, (s, e) in enumerate(offsets[:200]))
        db.session.commit()
    row = open_article(page, article_id, pid)
    assert row.locator("p.ar span.ent").count() == 200
    render_ms = page.evaluate("Math.max(...window.MizanEntities.renderMs)")
    assert render_ms < 100, render_ms

    # A new tag after the 200: from the selection to the palette, then the new highlight.
    start, end = offsets[230]
    took = page.evaluate("""([selector, start, end]) => {
      const t0 = performance.now();
      const cell = document.querySelector(selector);
      const text = cell.lastChild;  // the untagged tail after the 200 highlights
      const offset = cell.textContent.length - text.length;
      const range = document.createRange();
      range.setStart(text, start - offset);
      range.setEnd(text, end - offset);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      cell.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
      return new Promise(resolve => setTimeout(() => resolve(performance.now() - t0), 0));
    }""", [f'[data-paragraph-id="{pid}"] p.ar', start, end])
    assert took < 100, took
    page.locator("#label-palette").wait_for()
    page.keyboard.press("l")
    wait_for_status(page, "Tagged")
    assert row.locator("p.ar span.ent").count() == 201
    assert entities(live_server, pid)[-1] == ("ar", start, end, "LOC", words[230])
    rerender_ms = page.evaluate("window.MizanEntities.renderMs[window.MizanEntities.renderMs.length - 1]")
    assert rerender_ms < 100, rerender_ms
    print(f"200 spans: first render {render_ms:.1f} ms, selection→palette {took:.1f} ms, re-render {rerender_ms:.1f} ms")


def test_entities_and_the_open_palette_have_no_serious_accessibility_violations(page, live_server):
    article_id, pid = arrange(live_server)
    ar_id = tag(live_server, pid, "ar", AR, "مُوسْكُو", "LOC")
    en_id = tag(live_server, pid, "en", EN, "Moscow", "LOC")
    tag(live_server, pid, "en", EN, "Putin", "PER")
    tag(live_server, pid, "en", EN, "President Putin", "MISC")
    from app.services import entities as entity_service
    from app.services import users as user_service

    with live_server.services():
        entity_service.create_link(ar_id, en_id, actor=user_service.get_user_by_username("rev1"))
    row = open_article(page, article_id, pid)
    start = AR.index("غازبروم")
    select_text(page, f'[data-paragraph-id="{pid}"] p.ar', AR, start, start + 7)
    page.locator("#label-palette").wait_for()
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "entities with the palette open: ")

    page.keyboard.press("Escape")
    row.locator("p.ar span.ent").click()
    page.locator("#entity-menu").wait_for()
    violations = axe_violations(page)
    assert not violations, format_violations(violations, "entity menu open: ")
    assert page.evaluate(f"getComputedStyle(document.querySelector('[data-paragraph-id=\"{pid}\"] p.ar')).direction") == "rtl"


def test_a_long_article_with_entities_everywhere_opens_quickly(page, live_server):
    """500 paragraphs, 10 entities each: highlights are built as rows come into view."""
    from app.services import assignment
    from app.services import users as user_service
    from tests.support.fixtures import make_article

    with live_server.services():
        article = make_article(500, "مقال طويل بكيانات")
        assignment.assign_article(article, user_service.get_user_by_username("rev1"), actor=None)
        label_id = db.session.scalar(select(Label.id).where(Label.name == "LOC"))
        rows = []
        for p in article.paragraphs:
            p.ar = " ".join(f"كلمة{i}" for i in range(12))
            for i in range(10):
                rows.append(Entity(paragraph_id=p.id, lang="ar", start=i * 6, end=i * 6 + 5, label_id=label_id,
                                   text=p.ar[i * 6:i * 6 + 5]))
        db.session.add_all(rows)
        db.session.commit()
        article_id, last_id = article.id, article.paragraphs[-1].id
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    page.wait_for_load_state("load")
    timing = page.evaluate("""() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const rendered = document.querySelectorAll('[data-entities-rendered]').length;
      const ms = window.MizanEntities.renderMs;
      return {responseEnd: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
              init: window.MizanEntities.initMs, rendered, renderTotal: ms.reduce((a, b) => a + b, 0),
              renderMax: Math.max(...ms)};
    }""")
    assert 0 < timing["rendered"] < 500, timing  # only the rows near the viewport
    assert timing["init"] < 100 and timing["renderTotal"] < 100, timing
    page.locator(f'[data-paragraph-id="{last_id}"]').scroll_into_view_if_needed()
    page.locator(f'[data-paragraph-id="{last_id}"] p.ar span.ent').first.wait_for()
    assert page.locator(f'[data-paragraph-id="{last_id}"] p.ar span.ent').count() == 10
    # For comparison: every row at once.
    every_row = page.evaluate("""() => {
      const t0 = performance.now();
      document.querySelectorAll('[data-paragraph-id]').forEach(row => window.MizanEntities.renderRow(row));
      return performance.now() - t0;
    }""")
    assert page.locator("p.ar span.ent").count() == 5000
    print(f"500 paragraphs x 10 entities: {timing}; all 500 rows rendered at once: {every_row:.0f} ms")
