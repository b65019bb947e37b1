"""The way through a long article (issue 16, part 1): a reviewer of a 36-paragraph article jumps to the next
paragraph that still needs work, has a QA error or an unread comment, by key and by button; filters the
paragraphs; finds Arabic written with other alef forms, ta marbuta and harakat than the text; and watches the
progress bar move when a paragraph is approved.

Each story runs at a desk (1440×900) and on a phone (390×844, touch).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Article, Paragraph, Translation, User
from tests.browser.conftest import axe_violations, format_violations, log_in

SCREENS = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
on_every_screen = pytest.mark.parametrize("device", list(SCREENS.values()), ids=list(SCREENS), indirect=True)

PARAGRAPHS = 36
# Positions (0-based) of the paragraphs arranged so.
APPROVED = set(range(0, 10)) | {12, 13}      # 12 approved: the first ten, then 12 and 13
QA_ERRORS = (11, 25)                          # a figure missing from the English: a QA error
UNREAD = (14, 30)                             # a comment by someone else, unread by rev1
OWN_COMMENT = 20                              # rev1's own comment: never unread for rev1
ENTITIES = (16, 17)                           # an Arabic entity
# The Arabic text, written with hamza on the alef, ta marbuta, tatweel and harakat; found by "الحكومه".
GOVERNMENT = {10: "أعلنت الحكومة خطة جديدة", 15: "قالت الحكـومة إنها ستجتمع", 27: "رحّبت الحُكومةُ بالقرار"}
ARABIC = {11: "بلغت الميزانية ٥٠٠ مليون", 25: "بلغ العجز ٣٠٠ مليون", 20: "زار الرئيسُ المدينةَ المنوّرة"}
ENGLISH = {10: "The government announced a new plan.", 15: "The government said it would meet.",
           27: "The government welcomed the decision.", 11: "The budget reached a record.",  # no figure: QA error
           25: "The deficit reached a record.", 20: "The president visited Medina."}


def arrange(live_server) -> tuple[int, list[int]]:
    """A 36-paragraph article assigned to rev1, arranged as above: its id and its paragraph ids in order."""
    from app.services import assignment, review, workflow
    from app.services import entities as entity_service
    from app.services.paragraph_qa import refresh_qa
    from tests.support.fixtures import make_article

    with live_server.services():
        article = make_article(PARAGRAPHS, title="مقال طويل")
        rev1 = db.session.scalar(select(User).where(User.username == "rev1"))
        rev2 = db.session.scalar(select(User).where(User.username == "rev2"))
        assignment.assign_article(article, rev1, "reviewer", actor=None)
        paragraphs = db.session.scalars(
            select(Paragraph).where(Paragraph.article_id == article.id).order_by(Paragraph.position)).all()
        for p in paragraphs:
            p.ar = GOVERNMENT.get(p.position) or ARABIC.get(p.position) or p.ar
            if p.position in ENGLISH:
                db.session.get(Translation, p.current_revision_id).text = ENGLISH[p.position]
        db.session.commit()
        ids = [p.id for p in paragraphs]
        for pid in ids:
            refresh_qa(pid)
        db.session.commit()
        for position in sorted(APPROVED):
            paragraph = db.session.get(Paragraph, ids[position])
            review.approve_paragraph(paragraph.id, paragraph.version, actor=rev1)
        for position in UNREAD:
            workflow.add_comment(db.session.get(Article, article.id), rev2, f"Check paragraph {position + 1}, please.",
                                 paragraph=db.session.get(Paragraph, ids[position]))
        workflow.add_comment(db.session.get(Article, article.id), rev1, "A note to myself.",
                             paragraph=db.session.get(Paragraph, ids[OWN_COMMENT]))
        for position in ENTITIES:
            entity_service.create_entity(ids[position], "ar", 0, 4, "MISC", actor=rev1)
        return article.id, ids


def open_article(page, article_id: int, query: str = "") -> None:
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}{query}")
    page.locator("[data-way]").wait_for()


def focused_position(page) -> int:
    """The 1-based position of the paragraph that has the focus (0: none)."""
    return page.evaluate("""() => {
        const row = document.activeElement && document.activeElement.closest("[data-paragraph-id]");
        return row ? window.MizanWorkspace.rows.indexOf(row) + 1 : 0;
    }""")


def status_line(page) -> str:
    return page.locator("#workspace-status").inner_text()


def press(page, key: str) -> None:
    page.keyboard.press(key)


def tap_or_click(page, locator) -> None:
    if SCREENS["phone"]["width"] == page.viewport_size["width"]:
        locator.tap()
    else:
        locator.click()


def in_view(page, position: int) -> bool:
    return page.evaluate("""(index) => {
        const box = window.MizanWorkspace.rows[index].getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight;
    }""", position - 1)


@on_every_screen
def test_reviewer_jumps_by_key_to_the_next_paragraph_not_approved_with_a_qa_error_or_an_unread_comment(
        phone_page, live_server):
    page = phone_page
    article_id, ids = arrange(live_server)
    open_article(page, article_id)

    press(page, "n")  # from paragraph 1 (approved, current): the first not approved is 11
    assert focused_position(page) == 11
    assert in_view(page, 11)
    assert re.search(r"Paragraph 11 of 36, not approved \(draft\)\. 24 in all\.", status_line(page))
    press(page, "n")
    assert focused_position(page) == 12
    press(page, "n")
    assert focused_position(page) == 15  # 13 and 14 are approved
    press(page, "Shift+N")
    assert focused_position(page) == 12

    press(page, "q")
    assert focused_position(page) == 26  # the QA errors are at 12 and 26; from 12 the next is 26
    assert re.search(r"Paragraph 26 of 36, with a QA error \(\d errors?\)\. 2 in all\.", status_line(page))
    press(page, "q")
    assert focused_position(page) == 12
    assert "went round the article" in status_line(page)
    press(page, "Shift+Q")
    assert focused_position(page) == 26

    press(page, "u")
    assert focused_position(page) == 31
    comments = page.locator(f"#p-{ids[30]} details[data-comments]")
    assert comments.get_attribute("open") is not None  # opened, so read
    assert "Check paragraph 31, please." in comments.inner_text()
    expect(page.locator(f"#p-{ids[30]}")).to_have_attribute("data-unread-comments", "0")
    press(page, "u")
    assert focused_position(page) == 15  # round the article to the other unread one; rev1's own (21) never counts
    expect(page.locator(f"#p-{ids[14]}")).to_have_attribute("data-unread-comments", "0")
    press(page, "u")
    assert "No paragraph with an unread comment." in status_line(page)

    page.reload()  # read on the server, for rev1
    page.locator("[data-way]").wait_for()
    assert page.locator('[data-unread-comments]:not([data-unread-comments="0"])').count() == 0
    from app.services.comment_reads import unread_comments

    with live_server.services():
        rev2 = db.session.scalar(select(User).where(User.username == "rev2"))
        rev1 = db.session.scalar(select(User).where(User.username == "rev1"))
        assert unread_comments(rev1, article_id) == {}
        assert sorted(unread_comments(rev2, article_id)) == [ids[OWN_COMMENT]]  # rev2's reading is their own


@on_every_screen
def test_reviewer_jumps_by_button_and_hears_where_they_are(phone_page, live_server):
    page = phone_page
    article_id, ids = arrange(live_server)
    open_article(page, article_id)

    tap_or_click(page, page.get_by_role("button", name="Next paragraph not approved"))
    assert focused_position(page) == 11
    assert in_view(page, 11)
    assert page.locator("#workspace-status").get_attribute("aria-live") == "polite"
    assert "Paragraph 11 of 36, not approved" in status_line(page)
    tap_or_click(page, page.get_by_role("button", name="Next paragraph with a QA error"))
    assert focused_position(page) == 12
    tap_or_click(page, page.get_by_role("button", name="Previous paragraph not approved"))
    assert focused_position(page) == 11
    tap_or_click(page, page.get_by_role("button", name="Next paragraph with an unread comment"))
    assert focused_position(page) == 15
    assert page.locator(f"#p-{ids[14]} details[data-comments]").get_attribute("open") is not None
    tap_or_click(page, page.get_by_role("button", name="Previous paragraph with an unread comment"))
    assert focused_position(page) == 31
    press(page, "j")  # and the old keys go on from there
    assert focused_position(page) == 32


@on_every_screen
def test_reviewer_filters_the_paragraphs_and_a_reload_keeps_the_filter(phone_page, live_server):
    page = phone_page
    article_id, ids = arrange(live_server)
    open_article(page, article_id)
    count = page.locator("[data-filter-count]")
    assert count.inner_text() == "Showing 36 of 36 paragraphs"

    page.get_by_label("Status", exact=True).select_option(label="not approved")
    assert count.inner_text() == "Showing 24 of 36 paragraphs"
    assert page.locator(f"#p-{ids[0]}").is_hidden()
    assert page.locator(f"#p-{ids[10]}").is_visible()
    page.get_by_label("QA", exact=True).select_option(label="with errors")
    assert count.inner_text() == "Showing 2 of 36 paragraphs"
    visible = [i + 1 for i, pid in enumerate(ids) if page.locator(f"#p-{pid}").is_visible()]
    assert visible == [12, 26]
    assert "status=todo" in page.url and "qa=error" in page.url

    page.reload()
    page.locator("[data-way]").wait_for()
    assert count.inner_text() == "Showing 2 of 36 paragraphs"
    assert page.get_by_label("Status", exact=True).input_value() == "todo"
    assert page.get_by_label("QA", exact=True).input_value() == "error"
    press(page, "j")  # j skips what the filter hides
    press(page, "j")
    assert focused_position(page) == 26

    page.get_by_role("button", name="Show all").click()
    page.get_by_label("Entities", exact=True).select_option(label="with entities")
    assert count.inner_text() == "Showing 2 of 36 paragraphs"
    page.get_by_label("Entities", exact=True).select_option(label="any")
    page.get_by_label("Comments", exact=True).select_option(label="with unread comments")
    assert count.inner_text() == "Showing 2 of 36 paragraphs"
    page.get_by_label("Comments", exact=True).select_option(label="with comments")
    assert count.inner_text() == "Showing 3 of 36 paragraphs"
    assert "comments=yes" in page.url and "status=" not in page.url


@on_every_screen
def test_reviewer_finds_arabic_written_with_other_alef_ta_marbuta_and_harakat_and_steps_through_the_hits(
        phone_page, live_server):
    page = phone_page
    article_id, ids = arrange(live_server)
    open_article(page, article_id)

    press(page, "/")
    box = page.get_by_label("Find in the article")
    assert page.evaluate("document.activeElement.id") == "find-text"
    box.fill("الحُكومه")  # a damma the text mostly lacks, ha for its ta marbuta
    found = page.locator("[data-find-count]")
    expect(found).to_have_text("3 matches")
    marks = page.locator("mark.find-hit")
    assert marks.all_text_contents() == ["الحكومة", "الحكـومة", "الحُكومةُ"]
    box.press("Enter")
    assert found.inner_text() == "1 of 3"
    assert page.locator("mark.find-hit.current").text_content() == "الحكومة"
    box.press("Enter")
    assert found.inner_text() == "2 of 3"
    current = page.locator("mark.find-hit.current")
    assert current.text_content() == "الحكـومة"
    assert current.evaluate("m => m.closest('[data-paragraph-id]').id") == f"p-{ids[15]}"
    assert current.is_visible()
    box.press("Shift+Enter")
    assert found.inner_text() == "1 of 3"
    tap_or_click(page, page.get_by_role("button", name="Previous match"))
    assert found.inner_text() == "3 of 3"

    box.fill("اعلنت الحكومه")  # alef without hamza
    expect(marks).to_have_text(["أعلنت الحكومة"])
    assert found.inner_text() == "1 match"
    box.fill("المدينه المنوره")  # no harakat, no shadda
    expect(marks).to_have_text(["المدينةَ المنوّرة"])
    box.fill("٥٠٠")  # Arabic-Indic digits find themselves
    expect(marks).to_have_text(["٥٠٠"])
    box.fill("PARAGRAPH NUMBER 3")  # English, any case: 3, 30…35
    expect(page.locator("[data-find-count]")).to_have_text("7 matches")
    assert page.locator(f"#p-{ids[3]} p[data-en-text]").text_content() == "Paragraph number 3."  # the text is intact
    box.fill("")
    expect(page.locator("mark.find-hit")).to_have_count(0)
    arabic = page.locator(f"#p-{ids[15]} p.ar")
    assert arabic.text_content() == GOVERNMENT[15]
    assert arabic.evaluate("cell => cell.childNodes.length") == 1  # the marks gone, the text one node again


def bar_width(page, status: str) -> float:
    """The width of one part of the progress bar, in per cent of the bar."""
    return page.locator(f'[data-bar="{status}"]').evaluate("e => parseFloat(e.style.width)")


@on_every_screen
def test_the_progress_bar_moves_when_the_reviewer_approves_a_paragraph(phone_page, live_server):
    page = phone_page
    article_id, ids = arrange(live_server)
    open_article(page, article_id)
    text = page.locator(".progress-text")
    assert " ".join(text.inner_text().split()) == "Progress: 12 approved, 0 edited, 24 draft, of 36 paragraphs"
    assert bar_width(page, "approved") == pytest.approx(100 * 12 / 36, abs=0.01)
    assert bar_width(page, "draft") == pytest.approx(100 * 24 / 36, abs=0.01)

    tap_or_click(page, page.locator(f"#p-{ids[10]}").get_by_role("button", name="Approve"))
    page.get_by_role("status").filter(has_text="Approved.").wait_for()
    assert " ".join(text.inner_text().split()) == "Progress: 13 approved, 0 edited, 23 draft, of 36 paragraphs"
    assert bar_width(page, "approved") == pytest.approx(100 * 13 / 36, abs=0.01)

    tap_or_click(page, page.locator(f"#p-{ids[10]}").get_by_role("button", name="Reopen"))
    page.get_by_role("status").filter(has_text="Reopened.").wait_for()
    assert " ".join(text.inner_text().split()) == "Progress: 12 approved, 1 edited, 23 draft, of 36 paragraphs"


@on_every_screen
def test_no_serious_accessibility_violation_with_the_filters_search_and_comments_open(phone_page, live_server):
    page = phone_page
    article_id, ids = arrange(live_server)
    open_article(page, article_id, "?status=todo&find=%D8%A7%D9%84%D8%AD%D9%83%D9%88%D9%85%D9%87")
    expect(page.locator("[data-find-count]")).to_have_text("3 matches")
    press(page, "u")
    page.get_by_label("Find in the article").press("Enter")
    assert page.locator("mark.find-hit.current").count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
