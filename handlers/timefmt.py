"""Times as a rep reads them: in the rep's zone, relative to today where that is shorter."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def day_label(moment: datetime, now: datetime) -> str:
    """``today``, ``tomorrow``, ``Fri 27 Nov`` or ``Mon 4 Jan 2027``; both args in one zone."""
    days = (moment.date() - now.date()).days
    if days == 0:
        return "today"
    if days == 1:
        return f"tomorrow ({moment:%a} {moment.day} {moment:%b})"
    if days == -1:
        return "yesterday"
    label = f"{moment:%a} {moment.day} {moment:%b}"
    return label if moment.year == now.year else f"{label} {moment.year}"


def describe(moment: datetime, now: datetime, timezone: str) -> str:
    """``tomorrow (Tue 24 Nov) at 10:00`` in the rep's zone."""
    moment, now = local(moment, timezone), local(now, timezone)
    return f"{day_label(moment, now)} at {moment:%H:%M}"


def day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The start of the rep's today and of tomorrow, as aware datetimes in the rep's zone."""
    today = local(now, timezone).date()
    zone = ZoneInfo(timezone)
    start = datetime(today.year, today.month, today.day, tzinfo=zone)
    following = today + timedelta(days=1)
    return start, datetime(following.year, following.month, following.day, tzinfo=zone)
