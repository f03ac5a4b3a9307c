"""``/pipeline``: open deals by stage with amounts, and the deals that have gone quiet."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers import texts, timefmt
from handlers.deals import money
from handlers.domain import PIPELINE, QUIET_AFTER_DAYS, DealLine, Rep, Role, Stage, Team
from handlers.messages import Button, Reply
from handlers.ports import UnitOfWork

QUIET_BUTTONS = 3
"""Quiet deals offered with buttons in one reply; more would bury the card."""


def is_quiet(line: DealLine, now: datetime) -> bool:
    """Past its stage's idle limit with no activity since, and no callback ahead."""
    limit = QUIET_AFTER_DAYS.get(line.deal.stage)
    if limit is None or line.next_callback_at is not None:
        return False
    last_news = max(line.last_activity_at or line.deal.updated_at, line.deal.updated_at)
    return now - last_news > timedelta(days=limit)


def _totals(lines: list[DealLine]) -> str:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.deal.amount is not None:
            sums[line.deal.currency or ""] += line.deal.amount
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
        result.append(f"{texts.STAGE_LABELS[stage]} ({len(in_stage)}): {deals}")
    return result


def _price(line: DealLine) -> tuple[Decimal | None, str | None]:
    return line.deal.amount, line.deal.currency


async def pipeline(uow: UnitOfWork, rep: Rep, now: datetime) -> Reply:
    team_view = rep.role in (Role.MANAGER, Role.ADMIN)
    lines = await uow.deals.open_lines(rep.team_id, None if team_view else rep.id, now)
    if not lines:
        return Reply(
            "No open deals yet. Tell me about one: “Northwind wants a quote, about 12k EUR”."
        )
    owners = sorted({line.owner_name for line in lines})
    text = ["Pipeline: the team's open deals" if team_view else "Pipeline: your open deals"]
    if team_view and len(owners) > 1:
        for owner in owners:
            mine = [line for line in lines if line.owner_name == owner]
            text.append(f"\n{owner}:")
            text += [f"  {entry}" for entry in _stage_lines(mine)]
    else:
        text += _stage_lines(lines)
    total = _totals(lines)
    text.append(f"Total: {len(lines)} open" + (f", {total}" if total else "") + ".")

    quiet = [line for line in lines if is_quiet(line, now)]
    buttons: list[tuple[Button, ...]] = []
    if quiet:
        text.append("\nGone quiet (no news past the stage's limit, no callback):")
        for line in quiet:
            last = line.last_activity_at or line.deal.updated_at
            days = (now - last).days
            name = line.company_name or line.deal.title
            stage = texts.STAGE_LABELS[line.deal.stage]
            text.append(f"⚠ {name}: {stage}, {days} days without news")
        for line in quiet[:QUIET_BUTTONS]:
            name = line.company_name or line.deal.title
            buttons.append(
                (
                    Button(f"Call {name} tomorrow", f"d:cb:{line.deal.id}"),
                    Button(f"{name}: lost", f"d:lost:{line.deal.id}"),
                )
            )
    return Reply("\n".join(text), tuple(buttons))


async def quiet_deal_action(
    uow: UnitOfWork, rep: Rep, team: Team, action: str, deal_id: int, now: datetime
) -> tuple[Reply, datetime | None] | None:
    """A press on a quiet deal's button; None when the deal is not this rep's to touch."""
    deal = await uow.deals.get(rep.team_id, deal_id)
    if deal is None or deal.stage.is_closed:
        return None
    if deal.owner_rep_id != rep.id and rep.role not in (Role.MANAGER, Role.ADMIN):
        return None
    company = await uow.companies.get(rep.team_id, deal.company_id) if deal.company_id else None
    name = company.name if company else deal.title
    if action == "lost":
        await uow.deals.move(deal_id, Stage.LOST, rep.id, now)
        return Reply(f"Marked lost: {name}."), None
    tomorrow = timefmt.local(now, rep.timezone).date() + timedelta(days=1)
    due = datetime.combine(tomorrow, time(team.default_hour), tzinfo=ZoneInfo(rep.timezone))
    await uow.reminders.add(
        team_id=rep.team_id,
        rep_id=rep.id,
        due_at=due.astimezone(UTC),
        text=f"follow up on the {name} deal",
        contact_id=None,
        company_id=deal.company_id,
    )
    when = timefmt.describe(due, now, rep.timezone)
    return Reply(f"⏰ Callback {name}: {when}."), due.astimezone(UTC)
