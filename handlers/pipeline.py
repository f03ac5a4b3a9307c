"""``/pipeline``: open deals by stage with amounts, and the deals that have gone quiet."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers import timefmt
from handlers.audit import ChangeLog
from handlers.deal_card import DealDesk, card_payload
from handlers.deals import money
from handlers.domain import PIPELINE, QUIET_AFTER_DAYS, DealLine, DealTally, Rep, Stage, Team
from handlers.i18n import _, ngettext
from handlers.messages import Button, Reply
from handlers.permissions import Action, Subject, allowed, refusal, sees_team
from handlers.ports import UnitOfWork
from handlers.terms import stage_label

QUIET_BUTTONS = 3
"""Quiet deals offered with buttons in one reply; more would bury the card."""


TEAM_DETAIL_LIMIT = 40
"""Past this many open deals a manager's /pipeline sums each rep's deals up by stage instead of
naming every deal (a chat message holds about 4,000 characters)."""
QUIET_LISTED = 15
"""Quiet deals named in one reply; the digest and each rep's own /pipeline name the rest."""
CARD_BUTTONS = 6
"""Deals offered as buttons that open their card (``/deal`` finds the others by name)."""


def is_quiet(line: DealLine, now: datetime, limits: Mapping[Stage, int] = QUIET_AFTER_DAYS) -> bool:
    """Past its stage's idle limit (the team's, ``limits``) with no activity since, and no
    callback ahead."""
    limit = limits.get(line.deal.stage)
    if limit is None or line.next_callback_at is not None:
        return False
    last_news = max(line.last_activity_at or line.deal.updated_at, line.deal.updated_at)
    return now - last_news > timedelta(days=limit)


def _totals(lines: list[DealLine]) -> str:
    return _sum_up((line.deal.currency, line.deal.amount) for line in lines)


def _sum_up(amounts: Iterable[tuple[str | None, Decimal | None]]) -> str:
    """``12,000 EUR + 3,000 USD``: the amounts summed per currency (those without none)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in amounts:
        if amount is not None:
            sums[currency or ""] += amount
    return " + ".join(money(amount, currency or None) for currency, amount in sorted(sums.items()))


def _stage_lines(lines: list[DealLine]) -> list[str]:
    result = []
    for stage in PIPELINE:
        in_stage = [line for line in lines if line.deal.stage == stage]
        if not in_stage:
            continue
        deals = " · ".join(
            " ".join(
                part
                for part in (line.company_name or line.deal.title, money(*_price(line)))
                if part
            )
            for line in in_stage
        )
        result.append(f"{stage_label(stage)} ({len(in_stage)}): {deals}")
    return result


def _price(line: DealLine) -> tuple[Decimal | None, str | None]:
    return line.deal.amount, line.deal.currency


async def pipeline(uow: UnitOfWork, rep: Rep, now: datetime) -> Reply:
    team_view = sees_team(rep)  # handlers.permissions
    if team_view:
        # Counted in SQL first: a big team's deals are summed up, never read one by one.
        tallies = await uow.deals.open_tallies(rep.team_id, None)
        owners = sorted({tally.owner_name for tally in tallies})
        if len(owners) > 1 and sum(tally.count for tally in tallies) > TEAM_DETAIL_LIMIT:
            return await _team_summary(uow, rep, now, tallies, owners)
    lines = await uow.deals.open_lines(rep.team_id, None if team_view else rep.id, now)
    if not lines:
        return Reply(
            _("No open deals yet. Tell me about one: “Northwind wants a quote, about 12k EUR”.")
        )
    owners = sorted({line.owner_name for line in lines})
    text = [_("Pipeline: the team's open deals") if team_view else _("Pipeline: your open deals")]
    if team_view and len(owners) > 1:
        for owner in owners:
            mine = [line for line in lines if line.owner_name == owner]
            text.append(f"\n{owner}:")
            text += [f"  {entry}" for entry in _stage_lines(mine)]
    else:
        text += _stage_lines(lines)
    text.append(_total_line(len(lines), _totals(lines)))

    limits = await uow.deals.idle_limits(rep.team_id)
    quiet = [line for line in lines if is_quiet(line, now, limits)]
    buttons = _quiet_section(text, quiet[:QUIET_LISTED], len(quiet), now)
    buttons += _card_buttons(lines)
    return Reply("\n".join(text), tuple(buttons))


async def _team_summary(
    uow: UnitOfWork, rep: Rep, now: datetime, tallies: list[DealTally], owners: list[str]
) -> Reply:
    """A big team's pipeline (every deal by name would not fit a message): each rep summed up
    by stage, the first quiet deals and the first cards, each read with an SQL limit."""
    text = [_("Pipeline: the team's open deals"), *_owner_summaries(tallies, owners)]
    count = sum(tally.count for tally in tallies)
    text.append(_total_line(count, _sum_up((t.currency, t.amount) for t in tallies)))
    limits = await uow.deals.idle_limits(rep.team_id)
    quiet, quiet_count = await uow.deals.quiet_lines(rep.team_id, None, now, limits, QUIET_LISTED)
    buttons = _quiet_section(text, quiet, quiet_count, now)
    buttons += _card_buttons(await uow.deals.first_open_lines(rep.team_id, None, now, CARD_BUTTONS))
    return Reply("\n".join(text), tuple(buttons))


def _total_line(count: int, total: str) -> str:
    if total:
        return _("Total: {count} open, {amount}.").format(count=count, amount=total)
    return _("Total: {count} open.").format(count=count)


def _quiet_section(
    text: list[str], listed: list[DealLine], quiet_count: int, now: datetime
) -> list[tuple[Button, ...]]:
    """Name the ``listed`` quiet deals (of ``quiet_count`` in all) under ``text``; their
    buttons: a callback tomorrow, or lost, for the first few."""
    buttons: list[tuple[Button, ...]] = []
    if not listed:
        return buttons
    text.append("\n" + _("Gone quiet (no news past the stage's limit, no callback):"))
    for line in listed:
        last = line.last_activity_at or line.deal.updated_at
        days = (now - last).days
        name = line.company_name or line.deal.title
        stage = stage_label(line.deal.stage)
        silence = ngettext("{days} day without news", "{days} days without news", days)
        text.append(f"⚠ {name}: {stage}, {silence.format(days=days)}")
    if quiet_count > len(listed):
        text.append(_("… and {count} more.").format(count=quiet_count - len(listed)))
    for line in listed[:QUIET_BUTTONS]:
        name = line.company_name or line.deal.title
        buttons.append(
            (
                Button(_("Call {name} tomorrow").format(name=name), f"d:cb:{line.deal.id}"),
                Button(_("{name}: lost").format(name=name), f"d:lost:{line.deal.id}"),
            )
        )
    return buttons


def _owner_summaries(tallies: list[DealTally], owners: list[str]) -> list[str]:
    """One line per rep: open deals, their worth, and how many sit in each stage."""
    counts: dict[str, Counter[Stage]] = defaultdict(Counter)
    amounts: dict[str, list[tuple[str | None, Decimal | None]]] = defaultdict(list)
    for tally in tallies:
        counts[tally.owner_name][tally.stage] += tally.count
        amounts[tally.owner_name].append((tally.currency, tally.amount))
    labels = {stage: stage_label(stage) for stage in PIPELINE}  # once, not once per rep
    result = []
    for owner in owners:
        mine = counts[owner]
        stages = " · ".join(f"{labels[stage]} {mine[stage]}" for stage in PIPELINE if mine[stage])
        worth = _sum_up(amounts[owner])
        deals = mine.total()
        result.append(f"• {owner}: {deals}" + (f", {worth}" if worth else "") + f" ({stages})")
    return result


def _card_buttons(lines: list[DealLine]) -> list[tuple[Button, ...]]:
    """Buttons that open the first deals' cards, in the order the stages list them."""
    order = {stage: index for index, stage in enumerate(PIPELINE)}
    shown = sorted(lines, key=lambda line: (order[line.deal.stage], line.deal.id))[:CARD_BUTTONS]
    row = [
        Button(f"📈 {line.company_name or line.deal.title}", card_payload(line.deal.id))
        for line in shown
    ]
    return [tuple(row[start : start + 3]) for start in range(0, len(row), 3)]


async def quiet_deal_action(
    uow: UnitOfWork, rep: Rep, team: Team, action: str, deal_id: int, now: datetime
) -> tuple[Reply, datetime | None] | None:
    """A press on a quiet deal's button; None when the deal is not this rep's to touch."""
    deal = await uow.deals.get(rep.team_id, deal_id)
    if deal is None or deal.stage.is_closed:
        return None
    subject = Subject(deal.team_id, deal.owner_rep_id)
    if not allowed(rep, Action.CHANGE_DEAL, subject):  # e.g. pressed by a rep in a group
        return Reply(refusal(rep, Action.CHANGE_DEAL, subject)), None
    company = await uow.companies.get(rep.team_id, deal.company_id) if deal.company_id else None
    name = company.name if company else deal.title
    if action == "lost":
        await DealDesk(uow, rep, now).move_to(deal, Stage.LOST)  # audited: Undo takes it back
        return Reply(_("Marked lost: {name}.").format(name=name)), None
    tomorrow = timefmt.local(now, rep.timezone).date() + timedelta(days=1)
    due = datetime.combine(tomorrow, time(team.default_hour), tzinfo=ZoneInfo(rep.timezone))
    reminder = await uow.reminders.add(
        team_id=rep.team_id,
        rep_id=rep.id,
        due_at=due.astimezone(UTC),
        text=_("follow up on the {name} deal").format(name=name),
        contact_id=None,
        company_id=deal.company_id,
    )
    await ChangeLog(uow, rep).created("reminder", reminder)  # /undo takes it back
    when = timefmt.describe(due, now, rep.timezone)
    return Reply(_("⏰ Callback {who}: {when}.").format(who=name, when=when)), due.astimezone(UTC)
