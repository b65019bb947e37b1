"""Dates read one way on every page: '6 December 2026' (and ', 14:05 UTC' for a moment), ISO 8601 in <time>."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from app.dates import iso, long_date, time_element


def test_a_day_reads_in_the_long_form_with_iso_for_machines():
    assert long_date(date(2026, 12, 6)) == "6 December 2026"
    assert str(time_element(date(2026, 12, 6))) == '<time datetime="2026-12-06">6 December 2026</time>'


def test_a_moment_reads_in_utc_whatever_zone_it_came_in():
    cairo = timezone(timedelta(hours=2))
    moment = datetime(2026, 1, 1, 1, 5, 9, tzinfo=cairo)  # 31 December 2025, 23:05 UTC
    assert long_date(moment) == "31 December 2025, 23:05 UTC"
    assert iso(moment) == "2025-12-31T23:05:09Z"
    assert str(time_element("2026-12-06T14:05:00+00:00")) == (
        '<time datetime="2026-12-06T14:05:00Z">6 December 2026, 14:05 UTC</time>')


def test_nothing_shows_the_default_and_text_that_is_no_date_is_shown_escaped():
    assert str(time_element(None)) == "—"
    assert str(time_element(None, "never")) == "never"
    assert str(time_element("<b>soon</b>")) == "&lt;b&gt;soon&lt;/b&gt;"
