"""``/idle``: how many days a deal may sit in each stage with no news before it counts as quiet.

``/idle`` shows the team's limits; ``/idle offer 10`` sets a stage's (by its key or its label,
case and accents aside), ``/idle offer default`` puts it back. Only managers and admins change
them: they decide what /pipeline and the digests flag for the whole team.
"""

from __future__ import annotations

from handlers.domain import PIPELINE, QUIET_AFTER_DAYS, Rep, Stage
from handlers.i18n import _, ngettext
from handlers.messages import Reply
from handlers.names import name_key
from handlers.permissions import sees_team
from handlers.ports import UnitOfWork
from handlers.terms import STAGE_LABELS, stage_label

MAX_DAYS = 365
"""A longer limit flags nothing in practice; a typo ("1000") is more likely."""
_RESET_WORDS = frozenset({"default", "reset"})


def _may_change(rep: Rep) -> bool:
    # Managers steer the team's deals, so they tune what counts as quiet, as admins do
    # (handlers.permissions: the same people who see the whole team's pipeline).
    return sees_team(rep)


def _usage() -> str:
    return _(
        "Change a stage's limit with /idle <stage> <days>, e.g. /idle offer 10; "
        "/idle offer default puts the default back."
    )


def stage_named(typed: str) -> Stage | None:
    """The stage with a limit that ``typed`` names: its key, its label, or the start of one
    when only one stage starts so ("neg" is negotiation)."""
    key = name_key(typed)
    if not key:
        return None
    stages = [stage for stage in PIPELINE if stage in QUIET_AFTER_DAYS]
    names = {
        stage: {name_key(stage.value), name_key(STAGE_LABELS[stage]), name_key(stage_label(stage))}
        for stage in stages
    }
    exact = [stage for stage in stages if key in names[stage]]
    if exact:
        return exact[0]
    starting = [stage for stage in stages if any(n.startswith(key) for n in names[stage])]
    return starting[0] if len(starting) == 1 else None


async def idle_command(uow: UnitOfWork, rep: Rep, args: str) -> Reply:
    words = args.split()
    if not words:
        return await _show(uow, rep)
    if not _may_change(rep):
        return Reply(_("Only a manager or an admin can change the team's idle limits."))
    if len(words) < 2:
        return Reply(_usage())
    stage = stage_named(" ".join(words[:-1]))
    if stage is None:
        known = ", ".join(stage.value for stage in PIPELINE if stage in QUIET_AFTER_DAYS)
        return Reply(
            _("I don't know a stage called {stage}. Stages with a limit: {known}.").format(
                stage=" ".join(words[:-1]), known=known
            )
        )
    value = words[-1].lower()
    label = stage_label(stage)
    if value in _RESET_WORDS:
        await uow.deals.set_idle_limit(rep.team_id, stage, None)
        days = QUIET_AFTER_DAYS[stage]
        said = _("{stage} is back to the default: {days}.").format(stage=label, days=_days(days))
        return Reply(said)
    if not value.isdecimal() or not 1 <= int(value) <= MAX_DAYS:
        return Reply(
            _("The limit is a number of days from 1 to {most}. Nothing was changed.").format(
                most=MAX_DAYS
            )
        )
    await uow.deals.set_idle_limit(rep.team_id, stage, int(value))
    return Reply(
        _("✓ {stage}: a deal with no news for {days} counts as quiet.").format(
            stage=label, days=_days(int(value))
        )
    )


def _days(count: int) -> str:
    return ngettext("{count} day", "{count} days", count).format(count=count)


async def _show(uow: UnitOfWork, rep: Rep) -> Reply:
    limits = await uow.deals.idle_limits(rep.team_id)
    lines = [_("Days a deal may go without news before /pipeline flags it as quiet:")]
    for stage in PIPELINE:
        if stage not in limits:
            continue
        line = f"• {stage_label(stage)}: {_days(limits[stage])}"
        if limits[stage] != QUIET_AFTER_DAYS.get(stage):
            line += " " + _("(default {days})").format(days=QUIET_AFTER_DAYS[stage])
        lines.append(line)
    if _may_change(rep):
        lines.append(_usage())
    else:
        lines.append(_("Managers and admins can change them."))
    return Reply("\n".join(lines))
