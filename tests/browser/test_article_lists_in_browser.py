"""The lists people work from, in a real browser at a desktop (1440×900) and a phone (390×844, touch): the
admin sorts the Articles list by clicking a column header, filters it, pages through it with the filters kept,
selects the articles of a page and assigns them in one go; a reviewer sorts and filters My work. axe finds no
serious violation on either list."""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Article, Assignment, Paragraph
from tests.browser.conftest import axe_violations, format_violations, log_in

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SIZES = [pytest.param(PHONE, id="390x844"), pytest.param(DESKTOP, id="1440x900")]
WIRE = "Test wire"
WIRE_ARTICLES = 55  # more than a page (50)


def add_wire_articles(live_server) -> None:
    """55 articles of one source, 'Wire article 01' … '55', one approved paragraph in every fifth."""
    with live_server.services():
        for i in range(1, WIRE_ARTICLES + 1):
            title = f"Wire article {i:02d}"
            article = Article(title=title, source=WIRE, published=date(2025, 1, 1) + timedelta(days=i),
                              original_filename=f"{title}.txt", raw_bytes=title.encode(),
                              checksum=hashlib.sha256(title.encode()).hexdigest(), status="new")
            db.session.add(article)
            db.session.flush()
            db.session.add(Paragraph(article_id=article.id, position=0, kind="body", ar="فقرة",
                                     status="approved" if i % 5 == 0 else "draft"))
        db.session.commit()


def press(page, locator) -> None:
    """A tap on a phone (touch), a click on a desktop."""
    if page.viewport_size["width"] < 800:  # the phone sizes of conftest's `device` have touch
        locator.tap()
    else:
        locator.click()


def titles(page) -> list[str]:
    return [t.strip() for t in page.locator("table.listing tbody tr td:nth-child(3) a").all_inner_texts()]


def no_serious_violations(page, where: str) -> None:
    report = format_violations(axe_violations(page), f"{where} ")
    assert not report, "axe found serious or critical violations:\n" + report


@pytest.mark.parametrize("device", SIZES, indirect=True)
def test_admin_sorts_by_clicking_filters_and_pages_with_the_filters_kept(phone_page, live_server, device):
    page = phone_page
    add_wire_articles(live_server)
    log_in(page, "admin")
    page.goto("/admin/")
    assert page.locator("h1 .count").inner_text() == f"({WIRE_ARTICLES + len(live_server.world.articles)})"

    page.get_by_label("Source").select_option(WIRE)
    press(page, page.get_by_role("button", name="Filter"))
    page.wait_for_url(re.compile(r"source=Test\+wire"))
    assert page.locator("h1 .count").inner_text() == f"({WIRE_ARTICLES})"

    title_header = page.get_by_role("columnheader", name=re.compile("^Title"))
    assert title_header.get_attribute("aria-sort") == "none"
    press(page, title_header.get_by_role("link"))
    page.wait_for_url(re.compile(r"sort=title"))
    assert page.get_by_role("columnheader", name=re.compile("^Title")).get_attribute("aria-sort") == "ascending"
    assert titles(page)[:2] == ["Wire article 01", "Wire article 02"]
    press(page, page.get_by_role("columnheader", name=re.compile("^Title")).get_by_role("link"))
    page.wait_for_url(re.compile(r"dir=desc"))
    assert page.get_by_role("columnheader", name=re.compile("^Title")).get_attribute("aria-sort") == "descending"
    assert titles(page)[:2] == ["Wire article 55", "Wire article 54"] and len(titles(page)) == 50
    assert "Page 1 of 2" in page.locator(".pager").inner_text()
    # progress in words beside the bar: colour is not the only sign
    assert "1 approved · 0 edited · 0 draft of 1" in page.locator("tbody tr").first.inner_text()

    press(page, page.get_by_role("link", name="Next →"))
    page.wait_for_url(re.compile(r"page=2"))
    assert "source=Test+wire" in page.url and "sort=title" in page.url and "dir=desc" in page.url
    assert titles(page) == [f"Wire article {i:02d}" for i in (5, 4, 3, 2, 1)]
    assert page.get_by_label("Source").input_value() == WIRE  # the filter form still shows it
    assert page.get_by_role("columnheader", name=re.compile("^Title")).get_attribute("aria-sort") == "descending"
    no_serious_violations(page, page.url)

    page.goto("/admin/?sort=secret&published_from=31.12.2025")  # a hand-edited URL: a message, not a 500
    alert = page.get_by_role("alert")
    assert "cannot be sorted by 'secret'" in alert.inner_text() and "is not a date" in alert.inner_text()


@pytest.mark.parametrize("device", SIZES, indirect=True)
def test_admin_selects_a_page_of_articles_and_assigns_them_in_one_go(phone_page, live_server, device):
    page = phone_page
    add_wire_articles(live_server)
    log_in(page, "admin")
    page.goto("/admin/?source=Test+wire&sort=title&dir=desc&page=2")
    press(page, page.get_by_label("Select all articles on this page"))
    boxes = page.locator("tbody input[name=articles]")
    assert boxes.count() == 5 and all(boxes.nth(i).is_checked() for i in range(5))
    assert "(5 selected)" in page.locator("[data-selected-count]").inner_text()
    press(page, boxes.nth(0))  # one fewer: the select-all box is no longer all
    assert not page.get_by_label("Select all articles on this page").is_checked()
    press(page, boxes.nth(0))

    page.get_by_label("Assign to reviewer").select_option("rev2")
    page.get_by_label("Due date (optional)").fill("2031-01-31")
    with page.expect_navigation():
        press(page, page.get_by_role("button", name="Assign selected"))
    assert page.get_by_role("status").filter(has_text="Assigned 5 article(s).").is_visible()
    assert "page=2" in page.url and "source=Test+wire" in page.url and "sort=title" in page.url
    assert page.locator("tbody").inner_text().count("rev2 · due 31 January 2031") == 5
    with live_server.services():
        assigned = db.session.scalars(select(Article.title).join(Assignment).where(
            Article.source == WIRE).order_by(Article.title)).all()
    assert assigned == [f"Wire article {i:02d}" for i in range(1, 6)]

    # rev2 as their own second reviewer is refused before anything changes
    press(page, page.get_by_label("Select all articles on this page"))
    page.get_by_label("Assign to reviewer").select_option("rev1")
    page.get_by_label("Second reviewer (optional)").select_option("rev1")
    with page.expect_navigation():
        press(page, page.get_by_role("button", name="Assign selected"))
    assert "both the reviewer and the second reviewer" in page.locator(".flashes").inner_text()
    no_serious_violations(page, page.url)


@pytest.mark.parametrize("device", SIZES, indirect=True)
def test_reviewer_sorts_and_filters_my_work_with_overdue_work_marked(phone_page, live_server, device):
    page = phone_page
    first, second = live_server.world.assigned["rev1"]
    with live_server.services():
        from app.services.assignment import today_utc

        for article_id, days in ((first, 3), (second, -3)):  # the second is overdue
            db.session.scalar(select(Assignment).where(Assignment.article_id == article_id)).due = \
                today_utc() + timedelta(days=days)
        db.session.commit()
        names = {a.id: a.title for a in db.session.scalars(select(Article).where(Article.id.in_([first, second])))}
    log_in(page, "rev1")
    page.goto("/my-work")
    rows = page.locator("tbody tr")
    assert rows.count() == 2 and names[second] in rows.first.inner_text()  # overdue first
    assert "Overdue" in rows.first.inner_text() and "Overdue" not in rows.nth(1).inner_text()

    press(page, page.get_by_role("columnheader", name=re.compile("^Due")).get_by_role("link"))
    page.wait_for_url(re.compile(r"sort=due"))
    assert page.get_by_role("columnheader", name=re.compile("^Due")).get_attribute("aria-sort") == "ascending"
    press(page, page.get_by_role("columnheader", name=re.compile("^Due")).get_by_role("link"))
    page.wait_for_url(re.compile(r"dir=desc"))
    assert names[first] in page.locator("tbody tr").first.inner_text()

    press(page, page.get_by_label("Overdue only"))
    press(page, page.get_by_role("button", name="Filter"))
    page.wait_for_url(re.compile(r"overdue=1"))
    assert page.locator("tbody tr").count() == 1 and names[second] in page.locator("tbody tr").inner_text()
    assert "sort=due" in page.url  # the sort went along with the filter
    no_serious_violations(page, page.url)
