"""The permission matrix (handlers.permissions), through the real Assistant on SQLite and
PostgreSQL: role x action x whose (the actor's own, another rep's, another team's).

Team Acme has Ana (rep), Bob (rep), Maria (manager) and Ion (admin); team Umbrella has Eve
(admin). Each of them has logged meetings with callbacks and a deal. Every allowed press
changes something and is audited; every refused one answers clearly and leaves every table
exactly as it was. One world per role and owner: each action is tried on a record of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers import texts
from handlers.assistant import Assistant, CoreConfig
from handlers.capture import read_message
from handlers.clock import FixedClock
from handlers.domain import Rep, Role
from handlers.messages import Incoming
from handlers.recording import CaptureRecorder
from storage.database import create_engine
from storage.models import Base
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

ZONE = "Europe/Bucharest"
STALE = texts.UNKNOWN_BUTTON
NOT_YOURS = "That belongs to another rep, so only they can change it. Nothing was changed."
CARD_NOT_YOURS = "Only the rep who sent that message can change or undo it. Nothing was changed."
DEAL_NOT_YOURS = (
    "That deal belongs to another rep; only they or a manager can change it. Nothing was changed."
)
MESSAGES = {
    "ana": "Met Sam Reed from Northwind, they want a quote for 12k EUR, call back tomorrow at 10",
    "bob": "Met Dan Ene from Initech, they want a quote for 5k EUR, call back tomorrow at 11",
    "maria": "Met Ion Popa from Globex, they want a quote for 3k EUR, call back tomorrow at 9",
    "ion": "Met Mia Lund from Hooli, they want a quote for 4k EUR, call back tomorrow at 15",
    "eve": "Met Olga Ivanova from Umbrella, they want a quote for 7k EUR, call back tomorrow at 12",
}
CONTACTS = {
    "ana": "Sam Reed",
    "bob": "Dan Ene",
    "maria": "Ion Popa",
    "ion": "Mia Lund",
    "eve": "Olga Ivanova",
}
ACTOR = {"rep": "ana", "manager": "maria", "admin": "ion"}
ROLES = {"ana": Role.REP, "bob": Role.REP, "maria": Role.MANAGER, "ion": Role.ADMIN,
         "eve": Role.ADMIN}  # fmt: skip
TARGET = {"other_rep": "bob", "other_team": "eve"}


def telegram(user: str, text: str = "", button: str | None = None) -> Incoming:
    return Incoming(platform="telegram", user_id=user, chat_id=user, text=text, button=button)


@dataclass(frozen=True)
class Logged:
    """What one message stored: the ids the buttons that touch it carry."""

    reminder_id: int
    change_id: str
    deal_id: int | None
    contact_id: int


@dataclass
class World:
    assistant: Assistant
    engine: AsyncEngine
    logged: dict[tuple[str, str], Logged]
    """Per (person, action): the message of that person the action is tried on."""


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the redelivery log), to compare before and after."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name == "processed_updates":
                continue
            rows = await connection.execute(select(table))
            tables[table.name] = sorted((tuple(map(repr, row)) for row in rows), key=str)
    return tables


# action: (payload template, the answer on another rep's record per role; None = allowed).
# Another team's record is never touched, and the answer never tells it exists.
ACTIONS: dict[str, tuple[str, dict[str, str | None]]] = {
    "reminder done": ("r:done:{reminder_id}", dict.fromkeys(ACTOR, NOT_YOURS)),
    "reminder cancel": ("r:cancel:{reminder_id}", dict.fromkeys(ACTOR, NOT_YOURS)),
    "reminder snooze": ("r:snooze:{reminder_id}", dict.fromkeys(ACTOR, NOT_YOURS)),
    "card undo": ("u:{change_id}", dict.fromkeys(ACTOR, CARD_NOT_YOURS)),
    "card not a callback": ("nc:{change_id}", dict.fromkeys(ACTOR, CARD_NOT_YOURS)),
    # The deal card's stage button, then a quiet deal's: "lost" last, as it closes the deal.
    "deal move": (
        "d:m:{deal_id}:needs:offer",
        {"rep": DEAL_NOT_YOURS, "manager": None, "admin": None},
    ),
    "deal callback": ("d:cb:{deal_id}", {"rep": DEAL_NOT_YOURS, "manager": None, "admin": None}),
    "deal lost": ("d:lost:{deal_id}", {"rep": DEAL_NOT_YOURS, "manager": None, "admin": None}),
}


@pytest.fixture
async def world(database_url: str, clock: FixedClock) -> AsyncIterator[World]:
    """Everyone logs the deal's first meeting, then one more meeting per action, so every
    action is tried on a record nothing else touched (all in one transaction: fast)."""
    engine = create_engine(database_url)
    factory = SqlUnitOfWorkFactory(engine, clock)
    logged: dict[tuple[str, str], Logged] = {}
    async with factory() as uow:
        acme = await uow.teams.add("Acme", ZONE)
        umbrella = await uow.teams.add("Umbrella Corp", ZONE)
        for user, message in MESSAGES.items():
            rep = await uow.reps.add(
                team_id=umbrella.id if user == "eve" else acme.id, platform="telegram",
                external_id=user, chat_id=user, display_name=user.title(), language="en",
                timezone=ZONE, role=ROLES[user],
            )  # fmt: skip
            first = await _record(uow, rep, message, clock)
            follow_up = message.split(", they want")[0] + ", call back tomorrow at 16"
            for action in ACTIONS:
                again = first if action.startswith("deal") else None
                logged[user, action] = again or await _record(uow, rep, follow_up, clock)
        await uow.commit()
    try:
        yield World(Assistant(factory, clock, CoreConfig(default_timezone=ZONE)), engine, logged)
    finally:
        await engine.dispose()


async def _record(uow: SqlUnitOfWork, rep: Rep, message: str, clock: FixedClock) -> Logged:
    """Store a message as the Assistant does (its capture card's recorder)."""
    capture = read_message(message, now=clock.now(), timezone=ZONE, language="en")
    recorder = CaptureRecorder(uow, rep, clock.now())
    reply = await recorder.record(message, capture)
    assert reply.text.startswith("✓ Meeting with"), reply.text
    rows = await uow.audit.for_change(rep.team_id, recorder.change_id)
    reminder_id = next(row.entity_id for row in rows if row.entity == "reminder")
    deal_id = next((row.entity_id for row in rows if row.entity == "deal"), None)
    contact = await uow.contacts.find_by_name(rep.team_id, CONTACTS[rep.external_id])
    assert contact is not None
    return Logged(reminder_id, recorder.change_id, deal_id, contact.id)


@pytest.mark.parametrize("whose", ["own", "other_rep", "other_team"])
@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
async def test_button_matrix(world: World, role: str, whose: str) -> None:
    """Every action of ACTIONS, by ``role``, on ``whose`` record."""
    actor = ACTOR[role]
    owner = actor if whose == "own" else TARGET[whose]
    # A deal's card is the team's to read; its stage buttons only for whom may move it.
    deal_id = world.logged[owner, "deal lost"].deal_id  # still open
    card = await world.assistant.handle(telegram(actor, button=f"d:o:{deal_id}"))
    assert card is not None
    if whose == "other_team":
        assert card.text == STALE
    else:
        movable = any(b.payload.startswith("d:m:") for b in card.flat_buttons)
        assert movable is (whose == "own" or role != "rep"), card

    for action, (template, refusals) in ACTIONS.items():
        payload = template.format(**world.logged[owner, action].__dict__)
        refused = {"own": None, "other_rep": refusals[role], "other_team": STALE}[whose]
        before = await snapshot(world.engine)

        reply = await world.assistant.handle(telegram(actor, button=payload))

        assert reply is not None
        after = await snapshot(world.engine)
        if refused is not None:
            assert (action, reply.text) == (action, refused)
            assert after == before, f"{action} was refused but changed the database"
            continue
        assert "Nothing was changed" not in reply.text, (action, reply)
        assert reply.text != STALE, action
        new_audit = [row for row in after["audit_log"] if row not in before["audit_log"]]
        assert new_audit, f"{action} changed nothing or was not audited"

    # Contacts are the team's address book; the activities about them are their rep's, and
    # the whole team's for managers and admins.
    contact_id = world.logged[owner, "card undo"].contact_id
    before = await snapshot(world.engine)
    reply = await world.assistant.handle(telegram(actor, button=f"h:c:{contact_id}"))
    assert reply is not None
    assert await snapshot(world.engine) == before
    if whose == "other_team":
        assert reply.text == STALE
    else:
        assert reply.text.startswith(f"👤 {CONTACTS[owner]}")
        assert ("Meeting:" in reply.text) is (whose == "own" or role != "rep"), reply.text


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
async def test_reads_settings_and_erasure_by_role(world: World, role: str) -> None:
    """/find and /pipeline show the team's work to managers and admins only, never another
    team's; only an admin changes digests or erases a contact, of their own team only."""
    actor = ACTOR[role]
    found = await world.assistant.handle(telegram(actor, "/find quote"))
    pipeline = await world.assistant.handle(telegram(actor, "/pipeline"))

    assert found is not None
    assert pipeline is not None
    for user in ("ana", "bob", "maria", "ion"):
        company = MESSAGES[user].split(" from ")[1].split(",")[0]
        visible = user == actor or role != "rep"
        assert (company in found.text) is visible, (user, found.text)
        assert (company in pipeline.text) is visible, (user, pipeline.text)
    for text in (found.text, pipeline.text):
        assert "Umbrella" not in text
        assert "Olga" not in text

    before = await snapshot(world.engine)
    digests = await world.assistant.handle(telegram(actor, "/digests daily 17:30"))
    assert digests is not None
    if role == "admin":
        assert digests.text.startswith("Saved;")
        assert await snapshot(world.engine) != before
    else:
        assert digests.text.startswith("Only your team's admin can change")
        assert await snapshot(world.engine) == before

    for whose in ("other_team", "other_rep", "own"):
        owner = actor if whose == "own" else TARGET[whose]
        contact_id = world.logged[owner, "card undo"].contact_id
        before = await snapshot(world.engine)
        erased = await world.assistant.handle(telegram(actor, button=f"fg:{contact_id}"))
        assert erased is not None
        if role != "admin":
            assert erased.text == "Only your team's admin can erase a contact. Nothing was changed."
            assert await snapshot(world.engine) == before
        elif whose == "other_team":
            assert erased.text == STALE
            assert await snapshot(world.engine) == before
        else:
            assert erased.text.startswith("Erased: the contact is now “Erased contact #")
            assert await snapshot(world.engine) != before
