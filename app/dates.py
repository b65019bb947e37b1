"""One way to show a date to people, on every page: the long form of the interface's locale (English),
"6 December 2026", and "6 December 2026, 14:05 UTC" for a moment; machines get ISO 8601 in the
`datetime` attribute of a <time> element. The templates use the filters `long_date` (the text alone)
and `time` (the whole element); JSON answers keep ISO 8601.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from markupsafe import Markup, escape

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _as_date_or_datetime(value: object) -> date | None:
    """A date or an aware UTC datetime from what templates hold: either, or their ISO text (audit events, JSON)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    if isinstance(value, date):
        return value
    return None


def long_date(value: object, default: str = "—") -> str:
    """'6 December 2026'; a moment adds its UTC time: '6 December 2026, 14:05 UTC'. `default` for None."""
    when = _as_date_or_datetime(value)
    if when is None:
        return default if value is None or value == "" else str(value)
    text = f"{when.day} {MONTHS[when.month - 1]} {when.year}"
    if isinstance(when, datetime):
        text += f", {when:%H:%M} UTC"
    return text


def iso(value: object) -> str:
    """ISO 8601 for the `datetime` attribute: '2026-12-06', or '2026-12-06T14:05:09Z'."""
    when = _as_date_or_datetime(value)
    if isinstance(when, datetime):
        return when.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return when.isoformat() if when is not None else ""


def time_element(value: object, default: str = "—") -> Markup:
    """<time datetime="ISO">long form</time>; `default` (escaped) for None."""
    if _as_date_or_datetime(value) is None:
        return escape(long_date(value, default))
    return Markup('<time datetime="{}">{}</time>').format(iso(value), long_date(value))
