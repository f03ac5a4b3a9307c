"""Times as a rep reads them: in the rep's zone, relative to today where that is shorter."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.i18n import _, format_clock, format_day


def local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def day_label(moment: datetime, now: datetime) -> str:
    """``today``, ``tomorrow (Tue 24 Nov)``, ``Fri 27 Nov`` or ``Mon 4 Jan 2027`` (in the
    current locale: ``mâine (miercuri, 25 noiembrie)``); both args in one zone."""
    days = (moment.date() - now.date()).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow ({day})").format(day=format_day(moment))
    if days == -1:
        return _("yesterday")
    return format_day(moment, with_year=moment.year != now.year)


def describe(moment: datetime, now: datetime, timezone: str) -> str:
    """``tomorrow (Tue 24 Nov) at 10:00`` in the rep's zone and language."""
    moment, now = local(moment, timezone), local(now, timezone)
    return _("{day} at {time}").format(day=day_label(moment, now), time=format_clock(moment))


def day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The start of the rep's today and of tomorrow, as aware datetimes in the rep's zone."""
    today = local(now, timezone).date()
    zone = ZoneInfo(timezone)
    start = datetime(today.year, today.month, today.day, tzinfo=zone)
    following = today + timedelta(days=1)
    return start, datetime(following.year, following.month, following.day, tzinfo=zone)
