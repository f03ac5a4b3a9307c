"""A manager's /today and /reminders show the team's due and overdue callbacks by rep, after
their own (handlers.permissions: a manager reads the team's work); a rep's stay their own."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.domain import Role
from handlers.messages import Incoming
from tests.core.conftest import ZONE
from tests.fakes import FakeDatabase


def telegram(user: str, text: str) -> Incoming:
    return Incoming(platform="telegram", user_id=user, chat_id=user, text=text, timezone=ZONE)


async def team_of(database: FakeDatabase, ana_role: Role) -> None:
    async with database() as uow:
        team = await uow.teams.add("Acme", ZONE)
        other = await uow.teams.add("Elsewhere", ZONE)
        for user, role, team_id in (
            ("ana", ana_role, team.id),
            ("bob", Role.REP, team.id),
            ("cara", Role.REP, team.id),
            ("eve", Role.REP, other.id),
        ):
            await uow.reps.add(
                team_id=team_id, platform="telegram", external_id=user, chat_id=user,
                display_name=user.title(), language="en", timezone=ZONE, role=role,
            )  # fmt: skip
        await uow.commit()


async def day_of_the_team(assistant: Assistant, database: FakeDatabase, clock: FixedClock) -> None:
    """Bob has a callback due this afternoon and one two days overdue, Cara one tomorrow,
    Ana one of her own today, and Eve, of another team, one today."""
    await assistant.handle(telegram("ana", "Called Ion Pop at Altex, call back today at 16"))
    await assistant.handle(telegram("bob", "Called Sam Reed at Northwind, call back today at 15"))
    await assistant.handle(telegram("bob", "Met Dan Ene at Initech, call back tomorrow"))
    await assistant.handle(telegram("cara", "Met Ioana Lungu at Globex, call back tomorrow"))
    await assistant.handle(telegram("eve", "Called Lena Roth at Zeta, call back today at 14"))
    # Bob's Initech callback was due two days ago and is still open.
    (initech,) = [
        reminder
        for reminder in database.state.reminders.values()
        if database.state.contacts[reminder.contact_id or 0].full_name == "Dan Ene"
    ]
    overdue = replace(initech, due_at=clock.now() - timedelta(days=2))
    database.state.reminders[initech.id] = overdue


def reminders_of(database: FakeDatabase, user: str) -> set[int]:
    (rep,) = [rep for rep in database.state.reps.values() if rep.external_id == user]
    return {r.id for r in database.state.reminders.values() if r.rep_id == rep.id}


@pytest.mark.parametrize("command", ["/today", "/reminders"])
async def test_a_manager_sees_the_teams_callbacks_by_rep_after_their_own(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock, command: str
) -> None:
    await team_of(database, Role.MANAGER)
    await day_of_the_team(assistant, database, clock)

    reply = await assistant.handle(telegram("ana", command))

    assert reply is not None
    text = reply.text
    own, team = text.split("The team's callbacks:")
    assert "Ion Pop" in own
    assert "Sam Reed" not in own
    assert "Bob: 1 overdue, 1 due today" in team
    assert "Sam Reed (Northwind)" in team
    assert "Dan Ene (Initech)" in team
    assert "Cara" not in team  # not due until tomorrow
    assert "Lena Roth" not in text  # another team's
    # Buttons are for the manager's own callbacks: another rep's stay theirs to change.
    pressed = {int(button.payload.rsplit(":", 1)[-1]) for row in reply.buttons for button in row}
    assert pressed <= reminders_of(database, "ana")


@pytest.mark.parametrize("command", ["/today", "/reminders"])
async def test_a_rep_sees_only_their_own_callbacks(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock, command: str
) -> None:
    await team_of(database, Role.REP)
    await day_of_the_team(assistant, database, clock)

    reply = await assistant.handle(telegram("ana", command))

    assert reply is not None
    assert "Ion Pop" in reply.text
    assert "The team's callbacks" not in reply.text
    assert "Sam Reed" not in reply.text
    assert "Dan Ene" not in reply.text
