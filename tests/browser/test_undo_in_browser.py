"""Undo and redo of annotation work in a real browser: the Undo and Redo buttons (mouse, finger) and Ctrl+Z,
Ctrl+Shift+Z and Ctrl+Y, on a desktop (1440×900) and a phone (390×844); the English editor keeps its own undo."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, format_violations
from tests.browser.test_entities_in_browser import AR, EN, arrange, entities, links, open_article, tag, wait_for_status

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("device", [DESKTOP, PHONE], indirect=True, ids=["1440x900", "390x844"])


def press(page, locator) -> None:
    """Click with the mouse on a desktop, tap with a finger on a phone."""
    locator.scroll_into_view_if_needed()
    if page.viewport_size["width"] < 800:
        box = locator.bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    else:
        locator.click()


@SIZES
def test_reviewer_undoes_a_delete_with_the_button_and_gets_the_entity_and_its_link_back(phone_page, live_server):
    page = phone_page
    article_id, pid = arrange(live_server)
    ar_id = tag(live_server, pid, "ar", AR, "مُوسْكُو", "LOC")
    en_id = tag(live_server, pid, "en", EN, "Moscow", "LOC")
    with live_server.services():
        from app.services import entities as entity_service
        from app.services import users as user_service

        entity_service.create_link(ar_id, en_id, actor=user_service.get_user_by_username("rev1"))
    row = open_article(page, article_id, pid)
    undo = page.get_by_role("button", name="Undo", exact=True)
    redo = page.get_by_role("button", name="Redo", exact=True)
    assert undo.is_enabled() and redo.is_disabled()  # the tags and the link are on the stack; nothing undone yet

    press(page, row.locator("p.ar span.ent"))
    page.locator("#entity-menu").wait_for()
    press(page, page.locator("#entity-menu").get_by_role("button", name="Delete"))
    wait_for_status(page, "Deleted")
    assert row.locator("p.ar span.ent").count() == 0 and row.locator(".entity-links li").count() == 0

    press(page, undo)
    assert wait_for_status(page, "Undid") == "Undid deleting «مُوسْكُو»."
    assert redo.is_enabled()
    assert row.locator("p.ar span.ent").inner_text() == "مُوسْكُو"
    assert "مُوسْكُو → Moscow" in row.locator(".entity-links li").inner_text()
    assert links(live_server, pid) == [(ar_id, en_id)]  # the same entity, its link with it

    press(page, redo)
    assert wait_for_status(page, "Redid") == "Redid deleting «مُوسْكُو»."
    assert redo.is_disabled()
    assert row.locator("p.ar span.ent").count() == 0
    assert [e[4] for e in entities(live_server, pid)] == ["Moscow"]

    # Four more undos take back the delete, the link and both tags; then Undo is disabled, and Ctrl+Z says
    # there is nothing left.
    for expected in ("Undid deleting", "Undid linking", "Undid tagging «Moscow»", "Undid tagging «مُوسْكُو»"):
        press(page, undo)
        wait_for_status(page, expected)
    assert undo.is_disabled() and redo.is_enabled()
    page.locator("h1").click()
    page.keyboard.press("Control+z")
    wait_for_status(page, "Nothing to undo in this article.")
    assert entities(live_server, pid) == []
    assert row.locator("span.ent").count() == 0

    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@SIZES
def test_ctrl_z_undoes_a_tag_and_ctrl_shift_z_and_ctrl_y_redo_it_but_not_in_the_english_editor(
        phone_page, live_server):
    page = phone_page
    article_id, pid = arrange(live_server)
    row = open_article(page, article_id, pid)
    page.locator("h1").click()  # the first paragraph is current on arrival; no field has the focus
    undo = page.get_by_role("button", name="Undo", exact=True)
    assert undo.is_disabled()  # nothing done yet

    page.keyboard.press("Shift+T")  # word cursor on the English "X"
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("p")
    wait_for_status(page, "Tagged")
    assert undo.is_enabled()  # the tag just made can be undone
    start = EN.index("Putin")
    assert entities(live_server, pid) == [("en", start, start + 5, "PER", "Putin")]

    page.keyboard.press("Control+z")
    assert wait_for_status(page, "Undid") == "Undid tagging «Putin»."
    assert row.locator("p[data-en-text] span.ent").count() == 0
    assert entities(live_server, pid) == []
    page.keyboard.press("Control+Shift+Z")
    wait_for_status(page, "Redid tagging «Putin»")
    assert row.locator("p[data-en-text] span.ent").inner_text() == "Putin"
    page.keyboard.press("Control+z")
    wait_for_status(page, "Undid tagging")
    page.keyboard.press("Control+y")
    wait_for_status(page, "Redid tagging «Putin»")
    assert entities(live_server, pid) == [("en", start, start + 5, "PER", "Putin")]

    # In the English editor Ctrl+Z is the editor's own: it takes back the typing, not the tag.
    page.keyboard.press("Escape")
    row.focus()
    page.keyboard.press("e")
    editor = row.locator("textarea.en-editor")
    editor.wait_for()
    editor.press("End")
    editor.type(" Yes")
    page.keyboard.press("Control+z")
    assert not editor.input_value().endswith(" Yes")
    assert "Undid" not in page.locator("#workspace-status").inner_text()
    assert entities(live_server, pid) == [("en", start, start + 5, "PER", "Putin")]
