"""``/forget``: an admin erases a contact's personal data; activity counts stay."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from handlers import texts
from handlers.assistant import Assistant
from handlers.domain import ActivityKind, Role
from handlers.messages import Incoming, Reply
from tests.conftest import NOW
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase

ABOUT_SAM = [
    "Met Sam Reed from Northwind, call back tomorrow at 10",
    "Note: Sam Reed sails every weekend, birthday 5 May",
    "Called Ana Popescu at Acme, she knows sam reed from school",  # names him, in other case
]
ABOUT_OTHERS = "Called Mike Hart at Pied Piper, follow up Friday"


async def say(assistant: Assistant, text: str, user: str = "ana") -> Reply:
    reply = await assistant.handle(console(text, user=user))
    assert reply is not None
    return reply


async def press(assistant: Assistant, payload: str, user: str = "ana") -> Reply:
    reply = await assistant.handle(console(button=payload, user=user))
    assert reply is not None
    return reply


@pytest.fixture
async def sam(assistant: Assistant, database: FakeDatabase) -> int:
    """Ana (the console's admin of her own team) has logged three things about Sam Reed and
    one about Mike Hart, and the team has a company named after Sam (as a misread message or
    an import may leave); Sam's contact id."""
    for text in [*ABOUT_SAM, ABOUT_OTHERS]:
        await say(assistant, text)
    rep = next(iter(database.state.reps.values()))
    async with database() as uow:
        await uow.companies.add(rep.team_id, "Sam Reed")
        await uow.commit()
    return next(c.id for c in database.state.contacts.values() if c.full_name == "Sam Reed")


def everything(database: FakeDatabase) -> str:
    """The whole fake database as text, to look for a name anywhere in it."""
    state = database.state
    tables = [state.contacts, state.activities, state.reminders, state.companies]
    return repr(tables) + json.dumps(state.audit, default=str)


async def test_forget_asks_first_and_changes_nothing_until_confirmed(
    assistant: Assistant, database: FakeDatabase, sam: int
) -> None:
    before = everything(database)

    reply = await say(assistant, "/forget sam reed")

    assert reply.text.startswith("Erase Sam Reed (Northwind) for good?")
    assert "This cannot be undone." in reply.text
    assert [b.payload for b in reply.flat_buttons] == [f"fg:{sam}", "fg:no"]
    assert reply.flat_buttons[0].label == "Erase Sam Reed (Northwind)"
    assert everything(database) == before
    cancelled = await press(assistant, "fg:no")
    assert cancelled.text == "OK, nothing was erased."
    assert everything(database) == before


async def test_erasing_removes_the_name_and_texts_and_keeps_the_counts(
    assistant: Assistant, database: FakeDatabase, sam: int
) -> None:
    rep = next(iter(database.state.reps.values()))
    async with database() as uow:
        counts = await uow.activities.count_by_kind(rep.id, NOW - timedelta(days=1), NOW)
    database.state.contacts[sam] = replace(  # as an import would have filled them in
        database.state.contacts[sam], email="sam@reed.example", phone="0721 000 111",
        job_title="Skipper",
    )  # fmt: skip

    reply = await press(assistant, f"fg:{sam}")

    assert reply.text == (
        f"Erased: the contact is now “Erased contact #{sam}”. 3 activities and 1 callback keep "
        "their dates and kinds (so the digests still count them), without their texts. "
        "A company named after them got a placeholder name too."
    )
    text = everything(database)
    # The whole phone: a bare "0721" can turn up inside a random change id.
    for personal in (
        "Sam Reed",
        "sam reed",
        "sails",
        "birthday",
        "sam@reed",
        "0721 000 111",
        "Skipper",
    ):
        assert personal not in text, personal
    assert database.state.contacts[sam].full_name == f"Erased contact #{sam}"
    assert "Mike Hart" in text  # someone else's records stay as they were
    async with database() as uow:
        assert await uow.activities.count_by_kind(rep.id, NOW - timedelta(days=1), NOW) == counts
    kinds = sorted(a.kind for a in database.state.activities.values())
    assert kinds.count(ActivityKind.NOTE) == 1
    (erase,) = [row for row in database.state.audit if row["action"] == "erase"]
    assert (erase["entity"], erase["entity_id"], erase["before"]) == ("contact", sam, None)
    # Snapshots scrubbed: Sam, his reminder and the three activities (the company named after
    # him was added without an audit row of its own; it is renamed all the same).
    assert erase["after"] == {
        "activities": 3, "reminders": 1, "audit_rows": 5, "companies": 1, "via": "chat"
    }  # fmt: skip


async def test_an_erased_contact_is_found_no_more(
    assistant: Assistant, database: FakeDatabase, sam: int
) -> None:
    await press(assistant, f"fg:{sam}")

    history = await say(assistant, "/history Sam Reed")
    found = await say(assistant, "/find reed")
    again = await press(assistant, f"fg:{sam}")
    forget = await say(assistant, "/forget Sam Reed")

    assert history.text.startswith("I don't know anyone called “Sam Reed”")
    assert found.text == "Nothing found for “reed”."
    assert again.text == "That contact is already erased. Nothing was changed."
    assert forget.text.startswith("I don't know anyone called “Sam Reed”")


async def test_only_an_admin_may_erase(
    assistant: Assistant, database: FakeDatabase, sam: int
) -> None:
    ana = next(iter(database.state.reps.values()))
    async with database() as uow:
        for user, role in (("bob", Role.REP), ("maria", Role.MANAGER)):
            await uow.reps.add(
                team_id=ana.team_id, platform="console", external_id=user, chat_id=user,
                display_name=user.title(), language="en", timezone=ZONE, role=role,
            )  # fmt: skip
        await uow.commit()
    before = everything(database)

    for user in ("bob", "maria"):
        asked = await say(assistant, "/forget Sam Reed", user=user)
        pressed = await press(assistant, f"fg:{sam}", user=user)  # an admin's card, in a group
        refused = "Only your team's admin can erase a contact. Nothing was changed."
        assert (asked.text, pressed.text) == (refused, refused)

    assert everything(database) == before


@pytest.mark.parametrize(
    ("payload", "answer"),
    [
        ("fg:999999", texts.UNKNOWN_BUTTON),  # no such contact
        ("fg:0", texts.UNKNOWN_BUTTON),  # not a valid id
        ("fg:", texts.UNKNOWN_BUTTON),
        ("fg:yes", texts.UNKNOWN_BUTTON),
    ],
)
async def test_forged_confirmations_change_nothing(
    assistant: Assistant, database: FakeDatabase, sam: int, payload: str, answer: str
) -> None:
    before = everything(database)

    assert (await press(assistant, payload)).text == answer
    assert everything(database) == before


async def test_another_teams_admin_cannot_erase(
    assistant: Assistant, database: FakeDatabase, sam: int
) -> None:
    before = everything(database)

    reply = await assistant.handle(
        Incoming(platform="console", user_id="eve", chat_id="eve", button=f"fg:{sam}")
    )  # eve's own one-person team: she is its admin

    assert reply is not None
    assert reply.text.endswith(texts.UNKNOWN_BUTTON)
    assert database.state.contacts[sam].full_name == "Sam Reed"
    assert "Sam Reed" in everything(database)
    assert everything(database).count("Sam Reed") == before.count("Sam Reed")


@pytest.mark.parametrize("args", ["", "   ", "!!!", "x" * 300])
async def test_forget_without_a_usable_name_says_how(
    assistant: Assistant, database: FakeDatabase, sam: int, args: str
) -> None:
    before = everything(database)

    reply = await say(assistant, f"/forget {args}")

    assert reply.text.startswith(("Whose personal data", "I don't know anyone called"))
    assert everything(database) == before


def test_help_lists_forget() -> None:
    assert "/forget Sam Reed: erase a contact's personal data for good (admins only)" in (
        texts.HELP
    )


async def test_only_whole_words_name_them(assistant: Assistant, database: FakeDatabase) -> None:
    await say(assistant, "Met Sam from Northwind, call back tomorrow")
    await say(assistant, "Note: Samsung phones for the same team, ask Sam about it")
    await say(assistant, "Note: Samsung phones are cheaper this month")
    (sam,) = [c.id for c in database.state.contacts.values() if c.full_name == "Sam"]

    await press(assistant, f"fg:{sam}")

    kept = sorted(a.text for a in database.state.activities.values())
    assert kept == ["(erased)", "(erased)", "Note: Samsung phones are cheaper this month"]
