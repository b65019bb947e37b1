"""The core loop of a reviewer's day, counted (issue 15): edit the English of one paragraph, tag one entity in the
Arabic and one in the English, link the two, approve the paragraph — once with the keyboard alone (real key
presses sent to Chromium, every one counted) and once with the mouse alone (every click and drag counted).

Counting rules (the same ones measured the "before" figures on main at 9b0b5de, docs/architecture.md):
- a key press is one press, a chord (Ctrl+Enter, Shift+T) is one; the text typed into the editor is counted
  as key presses too, one per character (the same sentence in both loops and both versions);
- a click is one action, a drag (press, move, release) is one; waiting for the page is not an action;
- each step takes the shortest path the page offers at the start of it, and where the path is a search
  (arrows to a word, Tab to a link choice) the script presses until it is there, so it counts what the page
  asks for, whatever version runs it.

Both loops then check what the server stored: the edited English, the two entities, their link, the approval.
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Entity, EntityLink, Label, Paragraph
from tests.browser.conftest import log_in

AR = "وصل الرئيس بوتين إلى موسكو صباح اليوم."  # no figure: nothing for QA to block
DRAFT = "The president arrived in Moscow this morning."
ADDED = " Talks begin tomorrow."  # what the reviewer types at the end of the draft
EDITED = DRAFT + ADDED
AR_WORD, EN_WORD, LABEL, HOTKEY = "موسكو", "Moscow", "LOC", "l"

# At most this many actions per loop (after issue 15). Per step, keyboard: edit 1 + typed + 1 (e, Ctrl+Enter),
# Arabic tag 6 (t, four arrows, l), English tag 6 (Shift+T, four arrows, l), link 2 (Enter, Enter),
# approve 2 (Esc, a); mouse: edit 2 (Edit, Save), each tag 2 (drag, label), link 2 (two clicks), approve 1.
KEYBOARD_MOST = 18 + len(ADDED)
MOUSE_MOST = 9
SEARCH_LIMIT = 20  # presses a search may take before the test gives up on finding its target


def arrange(live_server) -> tuple[int, int]:
    """rev1's assigned article, its first paragraph with this Arabic and this machine draft."""
    from tests.support.fixtures import add_machine_draft

    article_id = live_server.world.assigned["rev1"][0]
    with live_server.services():
        paragraph = db.session.scalars(
            select(Paragraph).where(Paragraph.article_id == article_id, Paragraph.position == 0)
        ).one()
        paragraph.ar = AR
        paragraph.qa_findings = None
        db.session.commit()
        add_machine_draft(paragraph, DRAFT)
        return article_id, paragraph.id


def stored(live_server, paragraph_id: int) -> dict:
    """What the server keeps of the paragraph: status, English, entities (lang, text, label), links."""
    with live_server.services():
        paragraph = db.session.get(Paragraph, paragraph_id)
        entities = db.session.execute(
            select(Entity.id, Entity.lang, Entity.text, Label.name).join(Label, Label.id == Entity.label_id)
            .where(Entity.paragraph_id == paragraph_id).order_by(Entity.id)
        ).all()
        texts = {e.id: e.text for e in entities}
        links = db.session.execute(
            select(EntityLink.ar_entity_id, EntityLink.en_entity_id)
            .join(Entity, Entity.id == EntityLink.ar_entity_id).where(Entity.paragraph_id == paragraph_id)
        ).all()
        return {
            "status": paragraph.status,
            "english": paragraph.current_revision.text if paragraph.current_revision else None,
            "approved english": paragraph.approved_revision.text if paragraph.approved_revision else None,
            "entities": sorted((e.lang, e.text, e.name) for e in entities),
            "links": [(texts.get(a), texts.get(b)) for a, b in links],
        }


def assert_loop_stored(live_server, paragraph_id: int) -> None:
    assert stored(live_server, paragraph_id) == {
        "status": "approved",
        "english": EDITED,
        "approved english": EDITED,
        "entities": [("ar", AR_WORD, LABEL), ("en", EN_WORD, LABEL)],
        "links": [(AR_WORD, EN_WORD)],
    }


class Counter:
    """Actions per step of the loop."""

    def __init__(self) -> None:
        self.steps: dict[str, int] = {}
        self.step = ""

    def start(self, step: str) -> None:
        self.step = step
        self.steps[step] = 0

    def add(self, n: int = 1) -> None:
        self.steps[self.step] += n

    @property
    def total(self) -> int:
        return sum(self.steps.values())

    def table(self, title: str) -> str:
        return title + ": " + ", ".join(f"{step} {n}" for step, n in self.steps.items()) + f"; total {self.total}"


def wait_for_status(page, text: str) -> None:
    page.locator("#workspace-status").filter(has_text=text).wait_for()


def selected(page) -> str:
    return page.evaluate("getSelection().toString()")


def test_reviewer_edits_tags_links_and_approves_a_paragraph_with_the_keyboard_alone(page, live_server):
    article_id, pid = arrange(live_server)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    row = page.locator(f'[data-paragraph-id="{pid}"]')
    page.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered]').wait_for()
    keys = Counter()

    def press(key: str) -> None:
        page.keyboard.press(key)
        keys.add()

    def press_until(key: str, reached, what: str) -> None:
        for _ in range(SEARCH_LIMIT):
            if reached():
                return
            press(key)
        raise AssertionError(f"{what} not reached after {SEARCH_LIMIT} presses of {key}")

    # The first paragraph is current on arrival; nothing is clicked in this test.
    keys.start("edit the English")
    press("e")
    editor = row.locator("textarea.en-editor")
    assert page.evaluate("document.activeElement.classList.contains('en-editor')")
    assert page.evaluate("document.activeElement.selectionStart") == len(DRAFT)  # the caret waits at the end
    page.keyboard.type(ADDED)
    keys.add(len(ADDED))
    assert editor.input_value() == EDITED
    press("Control+Enter")
    wait_for_status(page, "Saved")
    row.locator(f"p[data-en-text]:text-is('{EDITED}')").wait_for()

    keys.start("tag the Arabic")
    press("t")
    press_until("ArrowLeft", lambda: selected(page) == AR_WORD, AR_WORD)  # right to left: ArrowLeft goes on
    press(HOTKEY)
    wait_for_status(page, f"Tagged «{AR_WORD}»")

    keys.start("tag the English")
    page.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered] p[data-en-text]').wait_for()
    press("Shift+T")
    press_until("ArrowRight", lambda: selected(page) == EN_WORD, EN_WORD)
    press(HOTKEY)
    wait_for_status(page, f"Tagged «{EN_WORD}»")

    keys.start("link them")
    press("Enter")  # the menu of the English entity under the cursor
    page.locator("#entity-menu").wait_for()
    choice = page.locator(f'#entity-menu .link-choice:has-text("{AR_WORD}")')
    press_until("Tab", lambda: page.evaluate("el => el === document.activeElement", choice.element_handle()),
                f"the link choice {AR_WORD}")
    press("Enter")
    wait_for_status(page, f"Linked «{AR_WORD}» → «{EN_WORD}»")

    keys.start("approve")
    press_until("Escape", lambda: page.evaluate("document.activeElement.dataset.paragraphId") == str(pid),
                "the paragraph")
    press("a")
    wait_for_status(page, "Approved")

    print("\n" + keys.table("keyboard"))
    assert_loop_stored(live_server, pid)
    assert row.get_attribute("data-status") == "approved"
    assert keys.total <= KEYBOARD_MOST, keys.table("keyboard")


def test_reviewer_edits_tags_links_and_approves_a_paragraph_with_the_mouse(page, live_server):
    article_id, pid = arrange(live_server)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    row = page.locator(f'[data-paragraph-id="{pid}"]')
    page.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered]').wait_for()
    actions = Counter()
    typed = 0

    def click(locator) -> None:
        locator.click()
        actions.add()

    def drag_over(cell_selector: str, word: str) -> None:
        """A real mouse drag from inside the word's first letter to inside its last: snapped to the word."""
        box = page.evaluate("""([selector, word]) => {
          const cell = document.querySelector(selector);
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          const text = cell.textContent, at = text.indexOf(word);
          let node, seen = 0, range = document.createRange(), started = false;
          while ((node = walker.nextNode())) {
            if (!started && seen + node.length > at) { range.setStart(node, at - seen); started = true; }
            if (started && seen + node.length >= at + word.length) { range.setEnd(node, at + word.length - seen); break; }
            seen += node.length;
          }
          const r = range.getBoundingClientRect();
          return {left: r.left, right: r.right, y: r.top + r.height / 2};
        }""", [cell_selector, word])
        page.mouse.move(box["left"] + 3, box["y"])
        page.mouse.down()
        page.mouse.move(box["right"] - 3, box["y"], steps=5)
        page.mouse.up()
        actions.add()

    actions.start("edit the English")
    click(row.get_by_role("button", name="Edit", exact=True))
    assert page.evaluate("document.activeElement.selectionStart") == len(DRAFT)
    page.keyboard.type(ADDED)  # typing is typing: counted apart, as in the keyboard loop
    typed += len(ADDED)
    click(row.get_by_role("button", name="Save", exact=True))
    wait_for_status(page, "Saved")
    row.locator(f"p[data-en-text]:text-is('{EDITED}')").wait_for()

    actions.start("tag the Arabic")
    drag_over(f'[data-paragraph-id="{pid}"] p.ar', AR_WORD)
    click(page.locator(f'#label-palette [data-label="{LABEL}"]'))
    wait_for_status(page, f"Tagged «{AR_WORD}»")

    actions.start("tag the English")
    page.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered] p[data-en-text]').wait_for()
    drag_over(f'[data-paragraph-id="{pid}"] p[data-en-text]', EN_WORD)
    click(page.locator(f'#label-palette [data-label="{LABEL}"]'))
    wait_for_status(page, f"Tagged «{EN_WORD}»")

    actions.start("link them")
    click(row.locator("p.ar span.ent", has_text=AR_WORD))
    page.locator("#entity-menu").wait_for()
    click(row.locator("p[data-en-text] span.ent", has_text=EN_WORD))
    wait_for_status(page, f"Linked «{AR_WORD}» → «{EN_WORD}»")

    actions.start("approve")
    click(row.get_by_role("button", name="Approve", exact=True))
    wait_for_status(page, "Approved")

    print("\n" + actions.table("mouse") + f" (and {typed} characters typed)")
    assert_loop_stored(live_server, pid)
    assert actions.total <= MOUSE_MOST, actions.table("mouse")
