"""``/digests``: a team's digest settings, shown and changed in chat by its managers.

The settings are the columns of ``teams`` the scheduler reads every minute (see
:mod:`handlers.digest`), so a change takes effect at the next minute. Each change is checked
before anything is written, and audited (entity ``team``, before and after).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from handlers.audit import ChangeLog
from handlers.digest import WEEKDAYS, ScheduleError, clock_time, weekly_time
from handlers.domain import Rep, Team
from handlers.i18n import N_, _
from handlers.messages import Reply
from handlers.permissions import Action, allowed, refusal
from handlers.ports import UnitOfWork

USAGE = N_("""\
Change them with:
/digests daily 17:30: the daily digest's time (weekdays)
/digests weekly fri 16:00: the weekly digest's day and time
/digests agenda 08:00: the reps' morning agenda
/digests off or /digests on: the managers' daily and weekly digests
/digests zone Europe/Bucharest: the team's time zone""")

NOT_ALLOWED = N_(
    "Only your team's admin can change digests (managers see them). Ask your admin, "
    "e.g. /digests daily 17:30."
)

_DAY_NAMES = {
    name: short
    for short, full in zip(
        WEEKDAYS,
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        strict=True,
    )
    for name in (short.lower(), full)
}
_WEEKDAY_LABELS = dict(
    zip(WEEKDAYS, (N_("Mondays"), N_("Tuesdays"), N_("Wednesdays"), N_("Thursdays"),
                   N_("Fridays"), N_("Saturdays"), N_("Sundays")), strict=True)
)  # fmt: skip


class SettingError(ValueError):
    """What a manager typed is not a setting; the message says why and how."""


@dataclass(frozen=True, slots=True)
class DigestSettings:
    timezone: str
    daily_digest_at: str
    weekly_digest_at: str
    agenda_at: str
    digests_enabled: bool

    @classmethod
    def of(cls, team: Team) -> DigestSettings:
        return cls(
            team.timezone,
            team.daily_digest_at,
            team.weekly_digest_at,
            team.agenda_at,
            team.digests_enabled,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "daily_digest_at": self.daily_digest_at,
            "weekly_digest_at": self.weekly_digest_at,
            "agenda_at": self.agenda_at,
            "digests_enabled": self.digests_enabled,
        }


def parse_clock(text: str) -> str:
    """``17:30`` (or ``9:00``) as ``HH:MM``, the form stored."""
    try:
        return f"{clock_time(text):%H:%M}"
    except ScheduleError:
        raise SettingError(
            _("“{text}” is not a time. Use the 24-hour clock, e.g. 17:30 or 08:00.").format(
                text=text
            )
        ) from None


def parse_weekday(text: str) -> str:
    """``fri`` or ``Friday`` as ``FRI``."""
    day = _DAY_NAMES.get(text.strip().lower())
    if day is None:
        raise SettingError(
            _("“{text}” is not a day of the week. Use mon, tue, … sun, e.g. fri.").format(text=text)
        )
    return day


@cache
def _zones() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def parse_zone(text: str) -> str:
    """An IANA zone name, in its canonical spelling whatever the case typed."""
    zone = _zones().get(text.strip().casefold())
    if zone is None:
        raise SettingError(
            _(
                "I don't know the time zone “{text}”. Use an IANA name such as "
                "Europe/Bucharest or America/New_York."
            ).format(text=text)
        )
    return zone


def apply(settings: DigestSettings, args: str) -> DigestSettings:
    """The settings after ``/digests <args>``; :class:`SettingError` if the args are wrong."""
    what, *values = args.split()
    what = what.lower()
    if what in ("on", "off"):
        if values:
            raise SettingError(
                _("{command} takes nothing after it.").format(command=f"/digests {what}")
            )
        return replace(settings, digests_enabled=what == "on")
    if what in ("daily", "weekly", "agenda", "zone"):
        expected = 2 if what == "weekly" else 1
        if len(values) != expected:
            example = {
                "daily": "/digests daily 17:30",
                "weekly": "/digests weekly fri 16:00",
                "agenda": "/digests agenda 08:00",
                "zone": "/digests zone Europe/Bucharest",
            }[what]
            raise SettingError(_("Say it like this: {example}").format(example=example))
        if what == "daily":
            return replace(settings, daily_digest_at=parse_clock(values[0]))
        if what == "agenda":
            return replace(settings, agenda_at=parse_clock(values[0]))
        if what == "weekly":
            weekly = f"{parse_weekday(values[0])} {parse_clock(values[1])}"
            return replace(settings, weekly_digest_at=weekly)
        return replace(settings, timezone=parse_zone(values[0]))
    raise SettingError(
        _("I don't know the digest setting “{name}”.").format(name=what) + "\n\n" + _(USAGE)
    )


def describe(team: Team) -> str:
    """The team's digest settings as /digests shows them."""
    settings = DigestSettings.of(team)
    try:
        weekday, at = weekly_time(settings.weekly_digest_at)
        weekly = _("{days} at {time}").format(
            days=_(_WEEKDAY_LABELS[WEEKDAYS[weekday]]), time=f"{at:%H:%M}"
        )
    except ScheduleError:  # written straight into the table; shown as it is
        weekly = settings.weekly_digest_at
    state = _("on") if settings.digests_enabled else _("off (the morning agendas still go out)")
    return _(
        "Digests of {team}:\n"
        "• Daily digest: weekdays at {daily}\n"
        "• Weekly digest: {weekly}\n"
        "• Managers' digests: {state}\n"
        "• Time zone of the digests: {zone}\n"
        "• Reps' morning agenda: {agenda}, on each rep's own clock"
    ).format(
        team=team.name,
        daily=settings.daily_digest_at,
        weekly=weekly,
        state=state,
        zone=settings.timezone,
        agenda=settings.agenda_at,
    )


async def digests_command(uow: UnitOfWork, rep: Rep, args: str) -> Reply:
    """``/digests`` (show: managers and admins) or ``/digests <setting> <value>`` (change:
    admins, who configure the team; see :mod:`handlers.permissions`)."""
    if not allowed(rep, Action.VIEW_SETTINGS):
        return Reply(_(NOT_ALLOWED))
    team = await uow.teams.get(rep.team_id)
    if team is None:  # a rep's team is a foreign key; this is a broken database
        raise LookupError(f"team {rep.team_id} of rep {rep.id} is missing")
    if not args.strip():
        return Reply(f"{describe(team)}\n\n{_(USAGE)}")
    if not allowed(rep, Action.CONFIGURE_TEAM):
        return Reply(refusal(rep, Action.CONFIGURE_TEAM) + "\n\n" + describe(team))
    before = DigestSettings.of(team)
    try:
        after = apply(before, args)
    except SettingError as error:
        return Reply(f"{error}\n" + _("Nothing was changed."))
    if after == before:
        return Reply(_("That is already so; nothing was changed.") + f"\n\n{describe(team)}")
    team = await uow.teams.set_digest_settings(team.id, **after.as_dict())
    await ChangeLog(uow, rep).record("update", "team", team.id, before.as_dict(), after.as_dict())
    return Reply(_("Saved; it holds from the next minute.") + f"\n\n{describe(team)}")
