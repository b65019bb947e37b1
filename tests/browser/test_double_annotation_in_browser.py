"""Double annotation in real browsers (issue 18; services/layers.py): the reviewer and the independent annotator
tag the same article at the same time, each in their own browser, and each sees only their own work; the admin
switches between their layers."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Entity, Label, Paragraph
from tests.browser.conftest import log_in, watched_page

AR = "وصل الرئيس بوتين إلى موسكو أمس."
EN = "The president Putin arrived in Moscow yesterday."

SELECT_AND_RELEASE = """([selector, start, end]) => {
  const cell = document.querySelector(selector);
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  function point(offset) {
    let node, seen = 0;
    walker.currentNode = cell;
    while ((node = walker.nextNode())) {
      if (seen + node.length >= offset) { return [node, offset - seen]; }
      seen += node.length;
    }
    throw new Error('offset ' + offset + ' beyond the text');
  }
  const range = document.createRange();
  range.setStart(...point(start));
  range.setEnd(...point(end));
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  cell.dispatchEvent(new MouseEvent('mouseup', {bubbles: true, cancelable: true, view: window}));
  return new Promise(resolve => setTimeout(resolve, 0));
}"""


def arrange(live_server) -> tuple[int, int]:
    """rev1's first article, its first paragraph set to AR with EN as its machine draft, and rev2 added to it
    as independent annotator."""
    from app.models import Article, User
    from app.services import assignment as assignment_service
    from tests.support.fixtures import add_machine_draft

    article_id = live_server.world.assigned["rev1"][0]
    with live_server.services():
        paragraph = db.session.scalars(
            select(Paragraph).where(Paragraph.article_id == article_id, Paragraph.position == 0)).one()
        paragraph.ar = AR
        paragraph.qa_findings = None
        db.session.commit()
        add_machine_draft(paragraph, EN)
        admin = db.session.scalars(select(User).where(User.role == "admin")).first()
        independent = db.session.scalars(select(User).where(User.username == "rev2")).one()
        assignment_service.assign_article(db.session.get(Article, article_id), independent, "independent",
                                          actor=admin)
        return article_id, paragraph.id


def open_row(page, username: str, article_id: int, paragraph_id: int, query: str = ""):
    log_in(page, username)
    page.goto(f"/articles/{article_id}{query}")
    page.locator(f'[data-paragraph-id="{paragraph_id}"][data-entities-rendered]').wait_for()
    return page.locator(f'[data-paragraph-id="{paragraph_id}"]')


def tag_arabic(page, paragraph_id: int, word: str, hotkey: str) -> None:
    start = AR.index(word)  # Arabic letters only before it: Python and UTF-16 offsets agree
    page.evaluate(SELECT_AND_RELEASE, [f'[data-paragraph-id="{paragraph_id}"] p.ar', start, start + len(word)])
    page.locator("#label-palette").wait_for()
    page.keyboard.press(hotkey)
    page.locator("#workspace-status").filter(has_text="Tagged").wait_for()


def stored(live_server, paragraph_id: int) -> set[tuple]:
    with live_server.services():
        return {tuple(row) for row in db.session.execute(
            select(Entity.text, Label.name, Entity.layer_user_id.is_not(None))
            .join(Label, Label.id == Entity.label_id).where(Entity.paragraph_id == paragraph_id))}


def test_two_annotators_tag_the_same_article_and_each_sees_only_their_own(browser, live_server, context):
    article_id, pid = arrange(live_server)
    other = browser.new_context(base_url=live_server.url, locale="en-GB", service_workers="block")
    other.set_default_timeout(10_000)
    try:
        with watched_page(context) as rami, watched_page(other) as salma:
            rami_row = open_row(rami, "rev1", article_id, pid)
            salma_row = open_row(salma, "rev2", article_id, pid)
            assert rami.locator("[data-own-layer]").is_visible() and salma.locator("[data-own-layer]").is_visible()

            tag_arabic(rami, pid, "بوتين", "p")
            tag_arabic(salma, pid, "موسكو", "l")
            assert rami_row.locator("p.ar span.ent").all_inner_texts() == ["بوتين"]
            assert salma_row.locator("p.ar span.ent").all_inner_texts() == ["موسكو"]
            assert stored(live_server, pid) == {("بوتين", "PER", True), ("موسكو", "LOC", True)}

            # A reload, and the polled state of the article, show each of them still only their own.
            for page, mine, theirs in ((rami, "بوتين", "موسكو"), (salma, "موسكو", "بوتين")):
                page.reload()
                row = page.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered]')
                row.wait_for()
                assert row.locator("p.ar span.ent").all_inner_texts() == [mine]
                assert theirs not in row.locator("p.ar span.ent").all_inner_texts()

            # The same word, tagged by her too, is hers alone: no "already tagged" from his layer.
            tag_arabic(salma, pid, "بوتين", "p")
            salma_row = salma.locator(f'[data-paragraph-id="{pid}"]')
            assert sorted(salma_row.locator("p.ar span.ent").all_inner_texts()) == ["بوتين", "موسكو"]
            rami.reload()
            rami.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered]').wait_for()
            assert rami.locator(f'[data-paragraph-id="{pid}"] p.ar span.ent').all_inner_texts() == ["بوتين"]

        # The admin sees the gold (nothing yet) and each layer through the switch.
        other.close()
        other = browser.new_context(base_url=live_server.url, locale="en-GB", service_workers="block")
        other.set_default_timeout(10_000)
        with watched_page(other) as admin:
            admin_row = open_row(admin, "admin", article_id, pid)
            assert admin_row.locator("p.ar span.ent").count() == 0
            switch = admin.locator("[data-layer-switch]")
            with admin.expect_navigation():
                switch.get_by_role("link", name="rev2's layer (independent)").click()
            admin.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered]').wait_for()
            assert sorted(admin.locator(f'[data-paragraph-id="{pid}"] p.ar span.ent').all_inner_texts()) == [
                "بوتين", "موسكو"]
            assert "Read only" in admin.locator(".article-header").inner_text()
    finally:
        other.close()
