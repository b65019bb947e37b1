"""Tagging by touch, in chromium's mobile emulation (390×844, touch, as a phone): tap a word to start, tap the
last word to take more, tap a label; tap an Arabic entity then an English one to link them. The label palette
opens inside the screen. Offsets are checked against Python, as in test_entities_in_browser.py.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, sized_context, watched_page
from tests.browser.test_entities_in_browser import AR, EN, arrange, entities, links, open_article, utf16, wait_for_status


# The viewport point in the middle of the UTF-16 code unit at `offset` of the cell's text.
CHAR_CENTRE = """([selector, offset]) => {
  const cell = document.querySelector(selector);
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  let node, seen = 0;
  while ((node = walker.nextNode())) {
    if (seen + node.length > offset) {
      const range = document.createRange();
      range.setStart(node, offset - seen);
      range.setEnd(node, offset - seen + 1);
      const r = range.getClientRects()[0];
      return {x: r.left + r.width / 2, y: r.top + r.height / 2};
    }
    seen += node.length;
  }
  throw new Error('offset ' + offset + ' beyond the text');
}"""


@pytest.fixture
def phone(browser, live_server):
    """A watched page on a phone: 390×844 CSS pixels, touch, mobile viewport."""
    context = sized_context(browser, live_server, PHONE)
    try:
        with watched_page(context) as page:
            yield page
    finally:
        context.close()


def tap_word(page, selector: str, text: str, word: str, occurrence: int = 0) -> None:
    """Tap the middle of `word` (its first occurrence after `occurrence` others) in the cell, with a finger."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    middle = start + len(word) // 2
    page.locator(selector).scroll_into_view_if_needed()
    point = page.evaluate(CHAR_CENTRE, [selector, utf16(text, middle)])
    assert 0 <= point["x"] <= PHONE["width"] and 0 <= point["y"] <= PHONE["height"], (word, point)
    page.touchscreen.tap(point["x"], point["y"])


def tap(page, locator) -> None:
    """Tap the middle of an element, with a finger."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def assert_on_screen(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None, "not shown"
    width, height = page.evaluate("[document.documentElement.clientWidth, window.innerHeight]")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"off the screen sideways: {box} in {width}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"off the screen up or down: {box} in {height}"


def test_on_a_phone_a_reviewer_tags_an_arabic_and_an_english_word_by_touch_and_links_them(phone, live_server):
    page = phone
    article_id, pid = arrange(live_server)
    row = open_article(page, article_id, pid)
    ar_cell = f'[data-paragraph-id="{pid}"] p.ar'
    en_cell = f'[data-paragraph-id="{pid}"] p[data-en-text]'
    palette = page.locator("#label-palette")

    # Arabic: tap the first word, then the last one: every word between is taken, snapped to whole words.
    tap_word(page, ar_cell, AR, "الرئيسَ")
    palette.wait_for()
    assert "الرئيسَ" in palette.inner_text()
    assert_on_screen(page, palette)
    tap_word(page, ar_cell, AR, "بوتيـــن")
    wait_for_status(page, "2 words")
    assert "الرئيسَ بوتيـــن" in palette.inner_text()
    assert_on_screen(page, palette)
    tap(page, palette.locator('[data-label="PER"]'))
    wait_for_status(page, "Tagged «الرئيسَ بوتيـــن» as PER")
    ar_start = AR.index("الرئيسَ")
    ar_end = AR.index("بوتيـــن") + len("بوتيـــن")
    assert entities(live_server, pid) == [("ar", ar_start, ar_end, "PER", "الرئيسَ بوتيـــن")]
    assert palette.is_hidden()

    # English: one tap on the word, one on the label.
    tap_word(page, en_cell, EN, "Putin")
    palette.wait_for()
    assert_on_screen(page, palette)
    tap(page, palette.locator('[data-label="PER"]'))
    wait_for_status(page, "Tagged «Putin» as PER")
    en_start = EN.index("Putin")
    assert entities(live_server, pid)[1] == ("en", en_start, en_start + len("Putin"), "PER", "Putin")

    # Link: tap the Arabic entity (its menu opens, on screen), then the English one.
    tap(page, row.locator("p.ar span.ent"))
    menu = page.locator("#entity-menu")
    menu.wait_for()
    assert_on_screen(page, menu)
    tap(page, row.locator("p[data-en-text] span.ent", has_text="Putin"))
    wait_for_status(page, "Linked «الرئيسَ بوتيـــن» → «Putin»")
    assert len(links(live_server, pid)) == 1
    assert "الرئيسَ بوتيـــن → Putin" in row.locator(".entity-links li").inner_text()


def test_on_a_phone_the_label_palette_opens_inside_the_screen_at_its_bottom_edge(phone, live_server):
    page = phone
    article_id, pid = arrange(live_server)
    open_article(page, article_id, pid)
    en_cell = f'[data-paragraph-id="{pid}"] p[data-en-text]'
    # The English cell's last line at the very bottom of the screen: no room under it for the palette.
    page.evaluate("""(selector) => {
      const rect = document.querySelector(selector).getBoundingClientRect();
      window.scrollBy(0, rect.bottom - window.innerHeight + 4);
    }""", en_cell)
    start = EN.index("Gazprom") + 3
    point = page.evaluate(CHAR_CENTRE, [en_cell, utf16(EN, start)])
    assert point["y"] > PHONE["height"] - 40, point
    page.touchscreen.tap(point["x"], point["y"])
    palette = page.locator("#label-palette")
    palette.wait_for()
    assert "Gazprom" in palette.inner_text()
    assert_on_screen(page, palette)


def test_on_a_phone_tapping_between_words_or_on_a_reader_page_tags_nothing(phone, live_server):
    page = phone
    article_id, pid = arrange(live_server)
    open_article(page, article_id, pid)
    en_cell = f'[data-paragraph-id="{pid}"] p[data-en-text]'
    # A tap on the full stop at the end (after "Gazprom"): no word there, no palette, nothing tagged.
    tap_word(page, en_cell, EN, ".", occurrence=1)
    page.wait_for_timeout(300)
    assert page.locator("#label-palette").is_hidden()
    # A tap on a word, then a tap outside the text: the palette goes, nothing is tagged.
    tap_word(page, en_cell, EN, "Moscow")
    page.locator("#label-palette").wait_for()
    tap(page, page.locator("h1"))
    page.locator("#label-palette").wait_for(state="hidden")
    assert entities(live_server, pid) == []
