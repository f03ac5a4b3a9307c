"""SqlDeals on SQLite and PostgreSQL: stage history, the pipeline query, undo support."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from handlers.domain import ActivityKind, Role, Stage
from storage.models import StageChangeRow
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


async def _team_with_rep(uow: SqlUnitOfWork, name: str = "ana") -> tuple[int, int]:
    team = await uow.teams.add(f"{name}'s team")
    rep = await uow.reps.add(
        team_id=team.id, platform="console", external_id=name, chat_id=name,
        display_name=name, language="en", timezone="UTC", role=Role.ADMIN,
    )  # fmt: skip
    return team.id, rep.id


async def _moves(uow: SqlUnitOfWork, deal_id: int) -> list[tuple[str | None, str]]:
    session = uow._session  # reading the history table directly is the point here
    assert session is not None
    rows = await session.scalars(
        select(StageChangeRow).where(StageChangeRow.deal_id == deal_id).order_by(StageChangeRow.id)
    )
    return [(row.from_stage, row.to_stage) for row in rows]


async def test_a_deal_keeps_its_stage_history(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        team_id, rep_id = await _team_with_rep(uow)
        company = await uow.companies.add(team_id, "Northwind")
        deal = await uow.deals.add(
            team_id=team_id, company_id=company.id, owner_rep_id=rep_id, title="Northwind",
            stage=Stage.NEEDS, amount=None, currency=None, at=NOW,
        )  # fmt: skip
        await uow.deals.move(deal.team_id, deal.id, Stage.OFFER, rep_id, NOW + timedelta(days=1))
        won = await uow.deals.move(
            deal.team_id, deal.id, Stage.COMPLETED, rep_id, NOW + timedelta(days=9)
        )
        priced = await uow.deals.set_amount(deal.team_id, deal.id, Decimal("12000.50"), "EUR", NOW)
        await uow.commit()

    async with uow_factory() as uow:
        assert await _moves(uow, deal.id) == [
            (None, "needs"),
            ("needs", "offer"),
            ("offer", "completed"),
        ]
        assert won.closed_at == NOW + timedelta(days=9)
        assert (priced.amount, priced.currency) == (Decimal("12000.50"), "EUR")
        assert await uow.deals.open_for_company(team_id, company.id) is None
        latest = await uow.deals.latest_for_company(team_id, company.id)
        assert latest is not None
        assert latest.stage is Stage.COMPLETED


async def test_open_lines_joins_owner_company_last_activity_and_next_callback(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team_id, rep_id = await _team_with_rep(uow)
        other_team, other_rep = await _team_with_rep(uow, "eve")
        northwind = await uow.companies.add(team_id, "Northwind")
        acme = await uow.companies.add(team_id, "Acme")
        secret = await uow.companies.add(other_team, "Secret")
        for company, stage in ((northwind, Stage.OFFER), (acme, Stage.LOST)):
            await uow.deals.add(
                team_id=team_id, company_id=company.id, owner_rep_id=rep_id,
                title=company.name, stage=stage, amount=Decimal(100), currency="EUR", at=NOW,
            )  # fmt: skip
        await uow.deals.add(
            team_id=other_team, company_id=secret.id, owner_rep_id=other_rep, title="Secret",
            stage=Stage.NEEDS, amount=None, currency=None, at=NOW,
        )  # fmt: skip
        for days in (1, 3):
            await uow.activities.add(
                team_id=team_id, rep_id=rep_id, kind=ActivityKind.CALL,
                occurred_at=NOW + timedelta(days=days), text="call", contact_id=None,
                company_id=northwind.id,
            )  # fmt: skip
        for days in (-1, 5, 9):  # the past one is overdue, not "next"
            await uow.reminders.add(
                team_id=team_id, rep_id=rep_id, due_at=NOW + timedelta(days=days),
                text="call back", contact_id=None, company_id=northwind.id,
            )  # fmt: skip
        await uow.commit()

    async with uow_factory() as uow:
        (line,) = await uow.deals.open_lines(team_id, None, NOW + timedelta(days=4))
        assert (line.company_name, line.owner_name, line.deal.stage) == (
            "Northwind",
            "ana",
            Stage.OFFER,
        )
        assert line.last_activity_at == NOW + timedelta(days=3)
        assert line.next_callback_at == NOW + timedelta(days=5)
        assert await uow.deals.open_lines(team_id, other_rep, NOW) == []


async def test_revert_and_delete_take_back_what_a_message_did(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team_id, rep_id = await _team_with_rep(uow)
        company = await uow.companies.add(team_id, "Northwind")
        before = await uow.deals.add(
            team_id=team_id, company_id=company.id, owner_rep_id=rep_id, title="Northwind",
            stage=Stage.NEEDS, amount=None, currency=None, at=NOW,
        )  # fmt: skip
        await uow.deals.move(
            before.team_id, before.id, Stage.NEGOTIATION, rep_id, NOW + timedelta(hours=1)
        )
        reverted = await uow.deals.revert(team_id, before.id, before)
        assert reverted == before
        assert await _moves(uow, before.id) == [(None, "needs")]
        assert not await uow.deals.delete(team_id + 1, before.id)  # another team's id
        assert await uow.deals.delete(team_id, before.id)
        assert await uow.deals.get(team_id, before.id) is None
        assert await _moves(uow, before.id) == []
