"""SqlRecall on SQLite and PostgreSQL: team scoping, rep scoping, folding, order and limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.domain import ActivityKind, ReminderStatus, Role
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


async def _team_with_rep(uow: SqlUnitOfWork, name: str) -> tuple[int, int]:
    team = await uow.teams.add(f"{name}'s team")
    rep = await uow.reps.add(
        team_id=team.id, platform="console", external_id=name, chat_id=name,
        display_name=name, language="en", timezone="UTC", role=Role.ADMIN,
    )  # fmt: skip
    return team.id, rep.id


async def test_history_reads_are_scoped_ordered_and_bounded(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team_id, ana = await _team_with_rep(uow, "ana")
        other_team, bob = await _team_with_rep(uow, "bob")
        northwind = await uow.companies.add(team_id, "Northwind")
        sam = await uow.contacts.add(team_id, "Sam Reed", northwind.id)
        await uow.contacts.add(team_id, "Ana Pop", northwind.id)
        await uow.contacts.add(team_id, "Zoe Free", None)
        for days, kind, text in [
            (5, "note", "birthday 12 May"),
            (4, "call", "called"),
            (3, "note", "loves sailing"),
            (2, "email", "sent offer"),
        ]:
            await uow.activities.add(
                team_id=team_id, rep_id=ana, kind=ActivityKind(kind),
                occurred_at=NOW - timedelta(days=days), text=text,
                contact_id=sam.id, company_id=northwind.id,
            )  # fmt: skip
        done = await uow.reminders.add(
            team_id=team_id, rep_id=ana, due_at=NOW - timedelta(days=2), text="old",
            contact_id=sam.id, company_id=northwind.id,
        )  # fmt: skip
        await uow.reminders.set_status(done.team_id, done.id, ReminderStatus.DONE)
        overdue = await uow.reminders.add(
            team_id=team_id, rep_id=ana, due_at=NOW - timedelta(hours=1), text="overdue",
            contact_id=None, company_id=northwind.id,
        )  # fmt: skip
        await uow.commit()

    async with uow_factory() as uow:
        people = await uow.recall.contacts_at(team_id, northwind.id, 10)
        assert [c.full_name for c in people] == ["Ana Pop", "Sam Reed"]
        assert await uow.recall.contacts_at(other_team, northwind.id, 10) == []

        notes = await uow.recall.activities_about(
            team_id, contact_id=sam.id, company_id=None, rep_id=None,
            kind=ActivityKind.NOTE, limit=2,
        )  # fmt: skip
        assert [a.text for a in notes] == ["loves sailing", "birthday 12 May"]
        recent = await uow.recall.activities_about(
            team_id, contact_id=None, company_id=northwind.id, rep_id=ana, kind=None, limit=3
        )
        assert [a.text for a in recent] == ["sent offer", "loves sailing", "called"]
        assert not await uow.recall.activities_about(
            team_id, contact_id=sam.id, company_id=None, rep_id=bob, kind=None, limit=5
        )
        assert not await uow.recall.activities_about(
            other_team, contact_id=sam.id, company_id=None, rep_id=None, kind=None, limit=5
        )

        by_company = await uow.recall.next_callback(
            team_id, contact_id=None, company_id=northwind.id, rep_id=ana
        )
        assert by_company is not None
        assert by_company.id == overdue.id
        assert (
            await uow.recall.next_callback(team_id, contact_id=sam.id, company_id=None, rep_id=None)
            is None
        )  # the only one about Sam is done
        assert (
            await uow.recall.next_callback(
                other_team, contact_id=None, company_id=northwind.id, rep_id=None
            )
            is None
        )


async def test_find_folds_names_lowers_texts_and_escapes_wildcards(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team_id, ana = await _team_with_rep(uow, "ana")
        other_team, bob = await _team_with_rep(uow, "bob")
        await uow.contacts.add(team_id, "Ștefan Nörth", None)
        await uow.contacts.add(team_id, "Sam 100% Reed", None)
        northwind = await uow.companies.add(team_id, "Northwind")
        await uow.companies.add(other_team, "North Star")
        for rep_id, team, days, text in [
            (ana, team_id, 3, "Loves SAILING on the lake"),
            (ana, team_id, 1, "sailing again, cafe by the lake"),
            (bob, other_team, 1, "sailing with bob"),
        ]:
            await uow.activities.add(
                team_id=team, rep_id=rep_id, kind=ActivityKind.NOTE,
                occurred_at=NOW - timedelta(days=days), text=text,
                contact_id=None, company_id=northwind.id if team == team_id else None,
            )  # fmt: skip
        await uow.commit()

    async with uow_factory() as uow:
        contacts = await uow.recall.find_contacts(team_id, "north", 10)
        assert [c.full_name for c in contacts] == ["Ștefan Nörth"]
        assert [c.full_name for c in await uow.recall.find_contacts(team_id, "stefan", 10)] == [
            "Ștefan Nörth"
        ]
        assert [c.full_name for c in await uow.recall.find_contacts(team_id, "100%", 10)] == [
            "Sam 100% Reed"
        ]
        assert await uow.recall.find_contacts(team_id, "s%d", 10) == []  # not a wildcard
        assert await uow.recall.find_contacts(team_id, "m_1", 10) == []
        assert [c.name for c in await uow.recall.find_companies(team_id, "north", 10)] == [
            "Northwind"
        ]

        hits = await uow.recall.find_activities(team_id, None, ["sailing"], 10)
        assert [h.activity.text for h in hits] == [
            "sailing again, cafe by the lake",
            "Loves SAILING on the lake",
        ]
        assert {(h.contact_name, h.company_name) for h in hits} == {(None, "Northwind")}
        assert len(await uow.recall.find_activities(team_id, None, ["sailing"], 1)) == 1
        assert await uow.recall.find_activities(team_id, bob, ["sailing"], 10) == []
        either = await uow.recall.find_activities(team_id, ana, ["café", "cafe"], 10)
        assert [h.activity.text for h in either] == ["sailing again, cafe by the lake"]
        assert await uow.recall.find_activities(team_id, None, ["s%g"], 10) == []
        assert await uow.recall.find_activities(team_id, None, [], 10) == []
