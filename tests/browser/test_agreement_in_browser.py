"""The agreement of double-annotated articles on the admin dashboard (issue 18, item 2), in a real browser at
1440×900 and on a 390×844 phone: the chart and its table, and the empty state, both clean for axe."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.browser.conftest import axe_violations, format_violations, log_in
from tests.test_article_agreement import annotated_and_submitted

pytestmark = pytest.mark.slow


def test_an_admin_sees_no_agreement_yet_then_a_chart_per_pair_with_its_table(screen, live_server):
    log_in(screen, "admin")
    screen.goto("/admin/dashboard")
    section = screen.locator("section", has=screen.locator("#agreement"))
    assert "No double-annotated article has been submitted by both its annotators yet." in section.inner_text()
    violations = axe_violations(screen)
    assert not violations, format_violations(violations, "empty dashboard: ")

    with live_server.services():
        users = {u.username: u for u in db.session.scalars(select(User))}
        annotated_and_submitted(users["admin"], users["rev1"], users["rev2"])
    screen.goto("/admin/dashboard")
    chart = section.get_by_role("img", name="Entity F1 per label, Arabic and English, rev1 and rev2")
    assert chart.is_visible()
    assert chart.locator("rect").count() > 2
    table = section.get_by_role("table", name="Agreement per label, rev1 and rev2")
    loc = table.get_by_role("row").filter(has=screen.get_by_role("rowheader", name="LOC"))
    assert loc.get_by_role("cell").all_inner_texts()[:4] == ["0.67", "2", "1", "1"]
    assert "1 double-annotated article" in section.inner_text()
    violations = axe_violations(screen)
    assert not violations, format_violations(violations, "dashboard with agreement: ")
    if screen.phone:  # the chart shrinks to the screen instead of widening the page
        assert screen.evaluate("document.documentElement.scrollWidth") <= 390
