"""Which time zone is a rep in? Asked once of a new member after joining, and on ``/tz``.

Answered with a button (the team's zone and a few common ones), typed (a zone such as
``Europe/Lisbon``, a city such as "Bucharest" or "new york", or a whole-hour UTC offset), or
skipped (the team's zone stays). A message that is clearly not an answer is captured as
usual: the question never stands between a rep and their CRM.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from handlers.domain import Rep, Team
from handlers.i18n import _, format_clock
from handlers.messages import Button, Reply
from handlers.names import name_key
from handlers.ports import UnitOfWork

AWAITING_TZ = "tz"
"""The ``Rep.awaiting`` value while the rep is asked for their time zone."""
BUTTON = re.compile(r"^tz:(?:(?P<skip>skip)|set:(?P<zone>[A-Za-z0-9_+\-/]{1,60}))$")
SKIP_PAYLOAD = "tz:skip"

_REGIONS = (
    "Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/",
    "Indian/", "Pacific/",
)  # fmt: skip
_COMMON_BY_LANGUAGE = {
    "en": ("Europe/London", "America/New_York", "America/Chicago", "America/Los_Angeles"),
    "ro": ("Europe/Bucharest", "Europe/Chisinau", "Europe/London"),
    "pl": ("Europe/Warsaw", "Europe/London"),
    "bg": ("Europe/Sofia", "Europe/London"),
    "es": ("Europe/Madrid", "America/Mexico_City", "America/Bogota"),
    "ru": ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Almaty"),
}
_FALLBACK = ("Europe/London", "Europe/Berlin", "America/New_York", "UTC")
ZONE_BUTTONS = 4

_ALIASES = {
    "bucuresti": "Europe/Bucharest",
    "cluj": "Europe/Bucharest",
    "cluj-napoca": "Europe/Bucharest",
    "iasi": "Europe/Bucharest",
    "timisoara": "Europe/Bucharest",
    "warszawa": "Europe/Warsaw",
    "krakow": "Europe/Warsaw",
    "gdansk": "Europe/Warsaw",
    "wroclaw": "Europe/Warsaw",
    "poznan": "Europe/Warsaw",
    "plovdiv": "Europe/Sofia",
    "varna": "Europe/Sofia",
    "barcelona": "Europe/Madrid",
    "sevilla": "Europe/Madrid",
    "valencia": "Europe/Madrid",
    "moskva": "Europe/Moscow",
    "москва": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "st petersburg": "Europe/Moscow",
    "санкт-петербург": "Europe/Moscow",
    "софия": "Europe/Sofia",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "beijing": "Asia/Shanghai",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "utc": "UTC",
    "gmt": "UTC",
}
"""Places reps name that are not the city an IANA zone is named after (or not in English)."""

_OFFSET = re.compile(
    r"^(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$"
)
_MAX_ANSWER_WORDS = 3
"""Longer messages are not answers to "which time zone?": they are captured."""


@functools.cache
def _places() -> dict[str, str]:
    """Folded place or zone name -> IANA zone: "new york", "america/new_york", "bucharest"."""
    places: dict[str, str] = {}
    for zone in sorted(available_timezones(), key=lambda z: (z.count("/"), z)):
        if not zone.startswith(_REGIONS):
            continue
        places.setdefault(_key(zone), zone)
        places.setdefault(_key(zone.rsplit("/", 1)[1]), zone)
    places.update({_key(alias): zone for alias, zone in _ALIASES.items()})
    return places


def _key(text: str) -> str:
    return name_key(text.strip().strip(".!").replace("_", " "))


def resolve(text: str) -> str | None:
    """The IANA zone a typed answer names, if it names one exactly (forgiving case,
    accents, underscores)."""
    key = _key(text)
    if not key:
        return None
    if key in _places():
        return _places()[key]
    # "Etc/GMT-2", "US/Eastern" and the like, typed whole.
    return next((zone for zone in available_timezones() if _key(zone) == key), None)


class OffsetError(ValueError):
    """An offset that no IANA zone stands for (half hours: name the city instead)."""


def offset_zone(text: str) -> str | None:
    """The fixed zone of a whole-hour UTC offset ("UTC+2", "+03:00", "GMT-5"); None if the
    text is not an offset. Etc/GMT signs are inverted by POSIX: UTC+2 is Etc/GMT-2."""
    match = _OFFSET.match(_key(text))
    if match is None:
        return None
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    if minutes or hours > (14 if match["sign"] == "+" else 12):
        raise OffsetError(text)
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{'-' if match['sign'] == '+' else '+'}{hours}"


def suggestions(text: str, limit: int = 3) -> list[str]:
    """Zones whose place names are close to a mistyped one ("Bucharset")."""
    close = difflib.get_close_matches(_key(text), list(_places()), n=limit * 2, cutoff=0.75)
    return list(dict.fromkeys(_places()[key] for key in close))[:limit]


def zone_label(zone: str, now: datetime) -> str:
    """ "Bucharest (UTC+2)": the city and its offset now."""
    offset = ZoneInfo(zone).utcoffset(now)
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    shown = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} ({shown})" if zone != "UTC" else shown


def _choices(team: Team, rep: Rep) -> list[str]:
    language = (rep.language or "en").split("-")[0].lower()
    candidates = [team.timezone, *_COMMON_BY_LANGUAGE.get(language, ()), *_FALLBACK]
    return list(dict.fromkeys(candidates))[:ZONE_BUTTONS]


def question(team: Team, rep: Rep, now: datetime) -> Reply:
    """The time zone question, with a button per likely zone and Skip."""
    buttons = [(Button(zone_label(zone, now), f"tz:set:{zone}"),) for zone in _choices(team, rep)]
    buttons.append((Button(_("Skip: keep {zone}").format(zone=rep.timezone), SKIP_PAYLOAD),))
    text = _(
        "Which time zone are you in? Your reminders and morning agenda follow it. "
        "Tap one, or type your city (e.g. Lisbon) or zone (Europe/Lisbon)."
    )
    return Reply(text, tuple(buttons))


async def _set_zone(uow: UnitOfWork, rep: Rep, zone: str, now: datetime) -> Reply:
    await uow.reps.update_profile(
        rep.id,
        chat_id=rep.chat_id,
        display_name=rep.display_name,
        language=rep.language,
        timezone=zone,
    )
    await uow.reps.set_awaiting(rep.id, None)
    local = now.astimezone(ZoneInfo(zone))
    text = _("Time zone set: {zone}. It's {time} there now. Send me what happened when ready.")
    return Reply(text.format(zone=zone, time=format_clock(local)))


async def press(uow: UnitOfWork, rep: Rep, team: Team, payload: str, now: datetime) -> Reply | None:
    """A tap on the question's buttons; None if the payload is not one of them."""
    match = BUTTON.fullmatch(payload)
    if match is None:
        return None
    if match["skip"]:
        await uow.reps.set_awaiting(rep.id, None)
        return Reply(_("OK, your time zone stays {zone}.").format(zone=rep.timezone))
    zone = match["zone"]
    if zone not in available_timezones():
        return None
    return await _set_zone(uow, rep, zone, now)


async def typed(uow: UnitOfWork, rep: Rep, team: Team, text: str, now: datetime) -> Reply | None:
    """A message while the question is open: the zone it names, a hint to try again, or None
    when it is no answer at all (the caller captures it; the question is dropped)."""
    if len(text.split()) > _MAX_ANSWER_WORDS:
        await uow.reps.set_awaiting(rep.id, None)
        return None
    answered = await _named_zone(uow, rep, team, text, now)
    if answered is None:
        await uow.reps.set_awaiting(rep.id, None)  # "call Sam": not an answer; capture it
    return answered


async def zone_command(uow: UnitOfWork, rep: Rep, team: Team, args: str, now: datetime) -> Reply:
    """``/tz``: the rep's zone and buttons to change it; ``/tz Lisbon`` changes it at once."""
    if args:
        answered = await _named_zone(uow, rep, team, args, now)
        if answered is not None:
            return answered
        hint = _(
            "I don't know the time zone “{text}”. Type a city (Bucharest, New York), a zone "
            "(Europe/Bucharest) or an offset (UTC+2), or tap Skip to keep {zone}."
        )
        await uow.reps.set_awaiting(rep.id, AWAITING_TZ)
        return Reply(
            hint.format(text=args, zone=rep.timezone), ((Button(_("Skip"), SKIP_PAYLOAD),),)
        )
    await uow.reps.set_awaiting(rep.id, AWAITING_TZ)
    local = now.astimezone(ZoneInfo(rep.timezone))
    text = _(
        "Your time zone is {zone}; it's {time} there now. Tap another, or type your city "
        "(e.g. Lisbon) or zone (Europe/Lisbon)."
    ).format(zone=rep.timezone, time=format_clock(local))
    zones = [zone for zone in _choices(team, rep) if zone != rep.timezone]
    buttons = [(Button(zone_label(zone, now), f"tz:set:{zone}"),) for zone in zones]
    buttons.append((Button(_("Skip: keep {zone}").format(zone=rep.timezone), SKIP_PAYLOAD),))
    return Reply(text, tuple(buttons))


async def _named_zone(
    uow: UnitOfWork, rep: Rep, team: Team, text: str, now: datetime
) -> Reply | None:
    """The zone ``text`` names set for the rep, a hint when it nearly names one, or None."""
    try:
        zone = resolve(text) or offset_zone(text)
    except OffsetError:
        hint = _(
            "I can take whole-hour offsets only (UTC+2, UTC-5). Type your city instead, "
            "e.g. Kolkata, or tap Skip."
        )
        return Reply(hint, ((Button(_("Skip"), SKIP_PAYLOAD),),))
    if zone is not None:
        return await _set_zone(uow, rep, zone, now)
    close = suggestions(text)
    if close:
        hint = _("I don't know the time zone “{text}”. Did you mean one of these?")
        buttons = [(Button(zone_label(zone, now), f"tz:set:{zone}"),) for zone in close]
        buttons.append((Button(_("Skip"), SKIP_PAYLOAD),))
        return Reply(hint.format(text=text), tuple(buttons))
    if len(text.split()) == 1 or "/" in text:
        hint = _(
            "I don't know the time zone “{text}”. Type a city (Bucharest, New York), a zone "
            "(Europe/Bucharest) or an offset (UTC+2), or tap Skip to keep {zone}."
        )
        return Reply(
            hint.format(text=text, zone=rep.timezone), ((Button(_("Skip"), SKIP_PAYLOAD),),)
        )
    return None
