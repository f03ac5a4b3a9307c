"""What a big team's /pipeline reads in SQL (SQLite and PostgreSQL): tallies per owner, stage
and currency, the first quiet deals, the first deals in pipeline order. Each must agree with
the rule the core applies to the full list of open deals (``handlers.pipeline.is_quiet``),
which the fakes in tests/fakes.py apply too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from handlers.clock import FixedClock
from handlers.domain import (
    PIPELINE,
    QUIET_AFTER_DAYS,
    ActivityKind,
    DealTally,
    ReminderStatus,
    Rep,
    Role,
    Stage,
)
from handlers.pipeline import is_quiet, pipeline
from handlers.ports import UnitOfWork
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.fakes import FakeDatabase

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=60)


async def _rep(uow: UnitOfWork, team_id: int, name: str) -> int:
    rep = await uow.reps.add(
        team_id=team_id, platform="console", external_id=name, chat_id=name,
        display_name=name, language="en", timezone="UTC", role=Role.REP,
    )  # fmt: skip
    return rep.id


async def _deal(
    uow: SqlUnitOfWork,
    team_id: int,
    owner: int,
    name: str | None,
    stage: Stage,
    *,
    amount: int | None = 1000,
    currency: str | None = "EUR",
    at: datetime = LONG_AGO,
) -> int:
    company = await uow.companies.add(team_id, name) if name else None
    deal = await uow.deals.add(
        team_id=team_id, company_id=company.id if company else None, owner_rep_id=owner,
        title=name or "Untitled", stage=stage,
        amount=Decimal(amount) if amount is not None else None, currency=currency, at=at,
    )  # fmt: skip
    return deal.id


async def _activity(
    uow: SqlUnitOfWork, team_id: int, rep_id: int, deal_id: int, at: datetime
) -> None:
    deal = await uow.deals.get(team_id, deal_id)
    assert deal is not None
    await uow.activities.add(
        team_id=team_id, rep_id=rep_id, kind=ActivityKind.CALL, occurred_at=at, text="call",
        contact_id=None, company_id=deal.company_id,
    )  # fmt: skip


async def _callback(
    uow: SqlUnitOfWork, team_id: int, rep_id: int, deal_id: int, due: datetime
) -> int:
    deal = await uow.deals.get(team_id, deal_id)
    assert deal is not None
    reminder = await uow.reminders.add(
        team_id=team_id, rep_id=rep_id, due_at=due, text="call back", contact_id=None,
        company_id=deal.company_id,
    )  # fmt: skip
    return reminder.id


async def test_tallies_count_and_sum_open_deals_per_owner_stage_and_currency(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana, bob = await _rep(uow, team.id, "ana"), await _rep(uow, team.id, "bob")
        await _deal(uow, team.id, ana, "Northwind", Stage.OFFER, amount=1000)
        await _deal(uow, team.id, ana, "Acme", Stage.OFFER, amount=250)
        await _deal(uow, team.id, ana, "Globex", Stage.OFFER, amount=None, currency=None)
        await _deal(uow, team.id, ana, "Initech", Stage.OFFER, amount=70, currency="USD")
        await _deal(uow, team.id, ana, "Hooli", Stage.COMPLETED, amount=9000)  # closed
        await _deal(uow, team.id, bob, "Umbrella", Stage.NEEDS, amount=None, currency="EUR")
        await _deal(uow, team.id, bob, None, Stage.NEGOTIATION, amount=5)
        other = await uow.teams.add("Rivals")
        eve = await _rep(uow, other.id, "eve")
        await _deal(uow, other.id, eve, "Secret", Stage.OFFER, amount=777)
        await uow.commit()

    async with uow_factory() as uow:
        tallies = await uow.deals.open_tallies(team.id, None)
        mine = await uow.deals.open_tallies(team.id, bob)

    def key(tally: DealTally) -> tuple[str, str, str]:
        return tally.owner_name, tally.stage.value, tally.currency or ""

    assert sorted(tallies, key=key) == [
        DealTally("ana", Stage.OFFER, None, 1, None),  # nothing to sum: no amount
        DealTally("ana", Stage.OFFER, "EUR", 2, Decimal(1250)),
        DealTally("ana", Stage.OFFER, "USD", 1, Decimal(70)),
        DealTally("bob", Stage.NEEDS, "EUR", 1, None),
        DealTally("bob", Stage.NEGOTIATION, "EUR", 1, Decimal(5)),
    ]
    assert sorted(mine, key=key) == [
        tally for tally in sorted(tallies, key=key) if tally.owner_name == "bob"
    ]


async def test_quiet_lines_are_the_open_deals_the_core_calls_quiet(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    offer_cutoff = NOW - timedelta(days=QUIET_AFTER_DAYS[Stage.OFFER])
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana, bob = await _rep(uow, team.id, "ana"), await _rep(uow, team.id, "bob")
        silent = await _deal(uow, team.id, bob, "Silent", Stage.OFFER)
        await _deal(uow, team.id, ana, None, Stage.PROSPECT)  # no company: quiet all the same
        await _deal(uow, team.id, ana, "Fresh", Stage.OFFER, at=NOW - timedelta(days=1))
        news = await _deal(uow, team.id, ana, "News", Stage.OFFER)
        await _activity(uow, team.id, bob, news, NOW - timedelta(days=1))
        at_cutoff = await _deal(uow, team.id, ana, "At cutoff", Stage.OFFER)
        await _activity(uow, team.id, ana, at_cutoff, offer_cutoff)  # not past the limit yet
        past_cutoff = await _deal(uow, team.id, ana, "Past cutoff", Stage.OFFER)
        await _activity(uow, team.id, ana, past_cutoff, offer_cutoff - timedelta(seconds=1))
        ahead = await _deal(uow, team.id, ana, "Callback ahead", Stage.OFFER)
        await _callback(uow, team.id, ana, ahead, NOW + timedelta(days=2))
        overdue = await _deal(uow, team.id, ana, "Overdue callback", Stage.OFFER)
        await _callback(uow, team.id, ana, overdue, NOW - timedelta(days=2))
        done = await _deal(uow, team.id, ana, "Done callback", Stage.OFFER)
        reminder = await _callback(uow, team.id, ana, done, NOW + timedelta(days=2))
        await uow.reminders.set_status(team.id, reminder, ReminderStatus.DONE)
        await _deal(uow, team.id, ana, "Lost", Stage.LOST)
        await _deal(uow, team.id, ana, "Patient", Stage.NEEDS, at=NOW - timedelta(days=30))
        await uow.deals.set_idle_limit(team.id, Stage.NEEDS, 45)  # the team's own limit
        other = await uow.teams.add("Rivals")
        await _deal(uow, other.id, await _rep(uow, other.id, "eve"), "Secret", Stage.OFFER)
        await uow.commit()

    async with uow_factory() as uow:
        limits = await uow.deals.idle_limits(team.id)
        expected = [
            line for line in await uow.deals.open_lines(team.id, None, NOW)
            if is_quiet(line, NOW, limits)
        ]  # fmt: skip
        everything = await uow.deals.quiet_lines(team.id, None, NOW, limits, 100)
        first_two = await uow.deals.quiet_lines(team.id, None, NOW, limits, 2)
        bobs = await uow.deals.quiet_lines(team.id, bob, NOW, limits, 100)
        none_asked = await uow.deals.quiet_lines(team.id, None, NOW, limits, 0)

    names = [line.company_name or line.deal.title for line in expected]
    # The test covers each side of the rule (ana's first: open_lines' order, by owner).
    assert names == ["Untitled", "Past cutoff", "Overdue callback", "Done callback", "Silent"]
    assert everything == (expected, 5)
    assert first_two == (expected[:2], 5)
    assert bobs == ([line for line in expected if line.deal.id == silent], 1)
    assert none_asked == ([], 0)


async def test_first_open_lines_follow_the_pipeline_order(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana, bob = await _rep(uow, team.id, "ana"), await _rep(uow, team.id, "bob")
        contract = await _deal(uow, team.id, ana, "Contract", Stage.CONTRACT)
        await _deal(uow, team.id, ana, "Won", Stage.COMPLETED)
        offer = await _deal(uow, team.id, bob, "Offer", Stage.OFFER)
        prospect = await _deal(uow, team.id, bob, "Prospect", Stage.PROSPECT)
        second_offer = await _deal(uow, team.id, ana, "Second offer", Stage.OFFER)
        await uow.commit()

    async with uow_factory() as uow:
        first = await uow.deals.first_open_lines(team.id, None, NOW, 3)
        anas = await uow.deals.first_open_lines(team.id, ana, NOW, 10)
        every = {line.deal.id: line for line in await uow.deals.open_lines(team.id, None, NOW)}

    assert [line.deal.id for line in first] == [prospect, offer, second_offer]
    assert first == [every[prospect], every[offer], every[second_offer]]
    assert [line.deal.id for line in anas] == [second_offer, contract]


async def _big_team(uow: UnitOfWork) -> Rep:
    """Two reps with 45 open deals: quiet ones, fresh ones, dollars, euros, no amount."""
    team = await uow.teams.add("Sales")
    ana = await uow.reps.add(
        team_id=team.id, platform="console", external_id="ana", chat_id="ana",
        display_name="ana", language="en", timezone="UTC", role=Role.MANAGER,
    )  # fmt: skip
    bob = await _rep(uow, team.id, "bob")
    for number in range(45):
        company = await uow.companies.add(team.id, f"Client {number:02}")
        await uow.deals.add(
            team_id=team.id, company_id=company.id if number % 9 else None,
            owner_rep_id=bob if number % 3 else ana.id, title=f"Deal {number:02}",
            stage=PIPELINE[number % 7], amount=Decimal(100 * number) if number % 4 else None,
            currency="USD" if number % 5 == 0 else "EUR",
            at=NOW - timedelta(days=10 + number % 30),
        )  # fmt: skip
        if number % 6 == 0:
            await uow.activities.add(
                team_id=team.id, rep_id=bob, kind=ActivityKind.NOTE,
                occurred_at=NOW - timedelta(days=2), text="news", contact_id=None,
                company_id=company.id,
            )  # fmt: skip
        if number % 8 == 0:
            await uow.reminders.add(
                team_id=team.id, rep_id=ana.id, due_at=NOW + timedelta(days=1),
                text="call back", contact_id=None, company_id=company.id,
            )  # fmt: skip
    await uow.commit()
    return ana


async def test_a_big_teams_pipeline_reads_the_same_from_sql_as_from_the_fakes(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    fakes = FakeDatabase(FixedClock(NOW))
    async with fakes() as uow:
        fake_manager = await _big_team(uow)
    async with uow_factory() as uow:
        manager = await _big_team(uow)

    async with fakes() as uow:
        expected = await pipeline(uow, fake_manager, NOW)
    async with uow_factory() as uow:
        reply = await pipeline(uow, manager, NOW)

    assert "… and" in expected.text  # more quiet deals than are named
    assert reply.text == expected.text
    # Buttons carry deal ids: the same deals, in the same places.
    assert [b.label for b in reply.flat_buttons] == [b.label for b in expected.flat_buttons]
