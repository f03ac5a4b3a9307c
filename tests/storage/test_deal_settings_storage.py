"""Deal cards, idle limits and folded note search on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from handlers.digest import latest_slot, period_ending
from handlers.digest_data import DigestKind
from handlers.domain import QUIET_AFTER_DAYS, ActivityKind, Role, Stage
from storage.database import create_engine
from storage.digests import SqlDigestSource
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


async def _team_with_rep(uow: SqlUnitOfWork, name: str) -> tuple[int, int]:
    team = await uow.teams.add(f"{name}'s team")
    rep = await uow.reps.add(
        team_id=team.id, platform="console", external_id=name, chat_id=name,
        display_name=name.title(), language="en", timezone="UTC", role=Role.ADMIN,
    )  # fmt: skip
    return team.id, rep.id


async def test_idle_limits_are_the_defaults_until_a_team_sets_its_own(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team_id, _ = await _team_with_rep(uow, "ana")
        other_team, _ = await _team_with_rep(uow, "bob")
        assert await uow.deals.idle_limits(team_id) == QUIET_AFTER_DAYS
        await uow.deals.set_idle_limit(team_id, Stage.OFFER, 10)
        await uow.deals.set_idle_limit(team_id, Stage.OFFER, 12)  # a second change replaces it
        await uow.deals.set_idle_limit(team_id, Stage.DELIVERY, 30)
        await uow.commit()

    async with uow_factory() as uow:
        limits = await uow.deals.idle_limits(team_id)
        assert limits == {**QUIET_AFTER_DAYS, Stage.OFFER: 12, Stage.DELIVERY: 30}
        assert await uow.deals.idle_limits(other_team) == QUIET_AFTER_DAYS
        await uow.deals.set_idle_limit(team_id, Stage.OFFER, None)
        await uow.deals.set_idle_limit(other_team, Stage.OFFER, None)  # nothing to reset
        with pytest.raises(ValueError, match="not an open stage"):
            await uow.deals.set_idle_limit(team_id, Stage.LOST, 3)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.deals.idle_limits(team_id) == {**QUIET_AFTER_DAYS, Stage.DELIVERY: 30}


async def test_a_deal_line_and_a_companys_open_deals(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        team_id, ana = await _team_with_rep(uow, "ana")
        other_team, _ = await _team_with_rep(uow, "bob")
        northwind = await uow.companies.add(team_id, "Northwind")
        first = await uow.deals.add(
            team_id=team_id, company_id=northwind.id, owner_rep_id=ana, title="Northwind",
            stage=Stage.OFFER, amount=Decimal(12000), currency="EUR", at=NOW - timedelta(days=3),
        )  # fmt: skip
        support = await uow.deals.add(
            team_id=team_id, company_id=northwind.id, owner_rep_id=ana, title="Support",
            stage=Stage.NEEDS, amount=None, currency=None, at=NOW - timedelta(days=2),
        )  # fmt: skip
        await uow.deals.add(
            team_id=team_id, company_id=northwind.id, owner_rep_id=ana, title="Old",
            stage=Stage.COMPLETED, amount=None, currency=None, at=NOW - timedelta(days=1),
        )  # fmt: skip
        for days in (4, 1):
            await uow.activities.add(
                team_id=team_id, rep_id=ana, kind=ActivityKind.CALL,
                occurred_at=NOW - timedelta(days=days), text="called", contact_id=None,
                company_id=northwind.id,
            )  # fmt: skip
        for days in (-1, 2, 5):  # one overdue: not "next"
            await uow.reminders.add(
                team_id=team_id, rep_id=ana, due_at=NOW + timedelta(days=days), text="call",
                contact_id=None, company_id=northwind.id,
            )  # fmt: skip
        await uow.commit()

    async with uow_factory() as uow:
        line = await uow.deals.line(team_id, first.id, NOW)
        assert line is not None
        assert (line.deal, line.company_name, line.owner_name) == (first, "Northwind", "Ana")
        assert line.last_activity_at == NOW - timedelta(days=1)
        assert line.next_callback_at == NOW + timedelta(days=2)
        assert await uow.deals.line(other_team, first.id, NOW) is None
        assert await uow.deals.open_of_company(team_id, northwind.id) == [first, support]
        assert await uow.deals.open_of_company(other_team, northwind.id) == []
        lines = await uow.deals.open_lines(team_id, ana, NOW)
        assert [(x.deal.title, x.next_callback_at) for x in lines] == [
            ("Northwind", NOW + timedelta(days=2)),
            ("Support", NOW + timedelta(days=2)),
        ]


async def test_notes_are_found_by_their_folded_text(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        team_id, ana = await _team_with_rep(uow, "ana")
        other_team, bob = await _team_with_rep(uow, "bob")
        texts = {
            "ro": "Ședință amânată cu Ioana",
            "pl": "Kupiła ŻÓŁWIA dla córki",
            "de": "Treffen in der Hauptstraße",
            "wild": "100% sure, under_score",
            "quote": "Lunch with O'Brien; a \\ b",
        }
        for text in texts.values():
            await uow.activities.add(
                team_id=team_id, rep_id=ana, kind=ActivityKind.NOTE, occurred_at=NOW,
                text=text, contact_id=None, company_id=None,
            )  # fmt: skip
        await uow.activities.add(
            team_id=other_team, rep_id=bob, kind=ActivityKind.NOTE, occurred_at=NOW,
            text="ședință", contact_id=None, company_id=None,
        )  # fmt: skip
        await uow.commit()

    async with uow_factory() as uow:

        async def found(needle: str) -> list[str]:
            lines = await uow.recall.find_activities(team_id, None, [needle], 10)
            return [line.activity.text for line in lines]

        assert await found("sedinta") == [texts["ro"]]
        assert await found("zolwia") == [texts["pl"]]
        assert await found("hauptstrasse") == [texts["de"]]
        assert await found("0% s") == [texts["wild"]]
        assert await found("1_0") == []  # "_" is a character here, not a wildcard
        assert await found("o'brien; a \\ b") == [texts["quote"]]  # written into the SQL: safe


async def test_the_digests_flag_quiet_deals_by_the_teams_own_limits(
    database_url: str, uow_factory: SqlUnitOfWorkFactory
) -> None:
    async with uow_factory() as uow:
        team_id, ana = await _team_with_rep(uow, "ana")
        for title, stage, days in (("Slow", Stage.OFFER, 8), ("Fresh", Stage.NEGOTIATION, 3)):
            company = await uow.companies.add(team_id, title)
            await uow.deals.add(
                team_id=team_id, company_id=company.id, owner_rep_id=ana, title=title,
                stage=stage, amount=None, currency=None, at=NOW - timedelta(days=days),
            )  # fmt: skip
        await uow.commit()

    engine = create_engine(database_url)
    try:
        source = SqlDigestSource(engine)

        async def quiet_titles() -> list[str]:
            (schedule,) = await source.schedules()
            slot = latest_slot(schedule, DigestKind.DAY, NOW)
            data = await source.digest(
                schedule, DigestKind.DAY, period_ending(schedule, DigestKind.DAY, slot), None, NOW
            )
            return [line.deal.title for line in data.quiet_candidates]

        assert await quiet_titles() == ["Slow"]  # offer: 5 days by default
        async with uow_factory() as uow:
            await uow.deals.set_idle_limit(team_id, Stage.OFFER, 10)
            await uow.deals.set_idle_limit(team_id, Stage.NEGOTIATION, 2)
            await uow.commit()
        assert await quiet_titles() == ["Fresh"]
    finally:
        await engine.dispose()


def test_the_migration_folds_the_text_of_activities_stored_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0006")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO teams (id, name, default_hour, date_order, created_at) "
                    "VALUES (1, 'T', 9, 'DMY', :at)"
                ),
                {"at": NOW},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO reps (id, team_id, platform, external_id, chat_id, display_name,"
                    " language, timezone, role, created_at) "
                    "VALUES (1, 1, 'console', 'ana', 'ana', 'Ana', 'ro', 'UTC', 'admin', :at)"
                ),
                {"at": NOW},
            )
            for text in ("Ședință  AMÂNATĂ", "Żółw"):
                connection.execute(
                    sa.text(
                        "INSERT INTO activities (team_id, rep_id, kind, occurred_at, text, "
                        "created_at) VALUES (1, 1, 'note', :at, :text, :at)"
                    ),
                    {"at": NOW, "text": text},
                )

        upgrade(url)

        with engine.connect() as connection:
            keys = connection.scalars(sa.text("SELECT text_key FROM activities ORDER BY id"))
            assert list(keys) == ["sedinta amanata", "zolw"]
    finally:
        engine.dispose()
