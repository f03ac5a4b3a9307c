"""Matching names to the team's contacts and companies, and "Which Sam?", with fakes."""

from __future__ import annotations

from typing import Any

import pytest

from handlers import texts
from handlers.assistant import Assistant
from handlers.corrections import NOT_YOURS
from handlers.domain import Contact
from handlers.likeness import company_score, contact_score, short_name_of
from handlers.matching import MAX_CHOICES, find_company, find_contact
from handlers.messages import Reply
from tests.core.conftest import console
from tests.core.test_corrections import add_colleague, button, card_change, snapshot
from tests.fakes import FakeDatabase

TWO_SAMS = ["Met Sam Reed from Northwind", "Called Sam Smith at Acme"]


def contact(database: FakeDatabase, name: str) -> Contact:
    return next(c for c in database.state.contacts.values() if c.full_name == name)


def latest(records: dict[int, Any]) -> Any:
    return records[max(records)]


async def send(assistant: Assistant, *messages: str) -> Reply:
    reply = Reply("")
    for text in messages:
        reply = await assistant.handle(console(text))
    return reply


# Scoring --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        pytest.param("Sam", "Sam Reed", id="first-name-alone"),
        pytest.param("reed", "Sam Reed", id="surname-alone"),
        pytest.param("Sam Reid", "Sam Reed", id="typo"),
        pytest.param("Reed Sam", "Sam Reed", id="order"),
        pytest.param("Ana Popescu", "Anna Popescu", id="typo-in-first-name"),
        pytest.param("ana popÉscu", "Ana Popescu", id="case-and-accent"),
        pytest.param("Борису", "Борис Орлов", id="ru-ending"),
        pytest.param("Бориса Орлова", "Борис Орлов", id="ru-endings"),
        pytest.param("Marty Nowickiej", "Marta Nowicka", id="pl-endings"),
        pytest.param("Łukasz", "Lukasz Zielinski", id="l-stroke"),
    ],
)
def test_a_typed_name_fits_the_contact_meant(typed: str, known: str) -> None:
    assert contact_score(typed, known) > 0


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        pytest.param("Pam", "Sam Reed", id="short-names-one-letter-apart"),
        pytest.param("Ana", "Anna Smith", id="a-lone-word-must-be-near-exact"),
        pytest.param("Sam Smith", "Sam Reed", id="another-surname"),
        pytest.param("Samuel Reed", "Sam Reed", id="a-longer-first-name"),
        pytest.param("Sam Reed", "Sam", id="more-words-than-the-name-has"),
        pytest.param("Mike", "Sam Reed", id="nothing-alike"),
    ],
)
def test_a_typed_name_does_not_fit_another_person(typed: str, known: str) -> None:
    assert contact_score(typed, known) == 0


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        pytest.param("Nortwind", "Northwind", id="typo"),
        pytest.param("NORTHWND", "Northwind", id="typo-upper-case"),
        pytest.param("Biedronki", "Biedronka", id="pl-ending"),
        pytest.param("Orlenem", "Orlen", id="pl-instrumental"),
        pytest.param("Пятерочка", "Пятёрочка", id="ru-yo"),
        pytest.param("Ромашкой", "Ромашка", id="ru-instrumental"),
        pytest.param("PiedPiper", "Pied Piper", id="spacing"),
    ],
)
def test_a_typed_company_fits_the_company_meant(typed: str, known: str) -> None:
    assert company_score(typed, known) > 0


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        pytest.param("Acne", "Acme", id="one-letter-of-four"),
        pytest.param("Northwind", "Northwind Logistics", id="a-longer-name"),
        pytest.param("Hart", "Harter", id="short-stem"),
        pytest.param("Initech", "Northwind", id="nothing-alike"),
    ],
)
def test_a_typed_company_does_not_fit_another(typed: str, known: str) -> None:
    assert company_score(typed, known) == 0


# Finding ----------------------------------------------------------------------------------


async def test_find_company_prefers_the_same_name_then_the_closest(
    database: FakeDatabase,
) -> None:
    async with database() as uow:
        team = await uow.teams.add("Sales")
        biedronka = await uow.companies.add(team.id, "Biedronka")
        northwind = await uow.companies.add(team.id, "Northwind")
        other_team = await uow.teams.add("Other")
        await uow.companies.add(other_team.id, "Initech")

        assert await find_company(uow, team.id, "Biedronki") == biedronka
        assert await find_company(uow, team.id, "northwind") == northwind
        assert await find_company(uow, team.id, "Nortwind") == northwind
        assert await find_company(uow, team.id, "Initech") is None  # another team's
        assert await find_company(uow, team.id, "Acme") is None


async def test_find_contact_offers_at_most_a_screenful_of_equally_good_choices(
    database: FakeDatabase,
) -> None:
    async with database() as uow:
        team = await uow.teams.add("Sales")
        for surname in ["Reed", "Smith", "Hart", "Doe", "Popa", "Lee", "Kowalski"]:
            await uow.contacts.add(team.id, f"Sam {surname}", None)

        match = await find_contact(uow, team.id, "Sam")

    assert match.contact is None
    assert len(match.choices) == MAX_CHOICES
    names = [choice.full_name for choice in match.choices]
    assert names == sorted(names)


# The only Sam, typos, case endings -----------------------------------------------------------


async def test_the_only_sam_is_found_by_his_first_name(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await send(assistant, "Met Sam Reed from Northwind", "Called Sam, call back Friday")

    assert reply.text.startswith("✓ Call with Sam Reed (Northwind) saved.")
    sam = contact(database, "Sam Reed")
    assert len(database.state.contacts) == 1
    call = latest(database.state.activities)
    reminder = latest(database.state.reminders)
    assert (call.contact_id, reminder.contact_id) == (sam.id, sam.id)
    assert [b.label for b in reply.flat_buttons] == [
        "Change time",
        "Not a callback",
        "Change contact",
        "Undo",
    ]


async def test_a_typo_in_the_name_finds_the_contact(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await send(assistant, "Met Sam Reed from Northwind", "called sam reid")

    assert reply.text.startswith("✓ Call with Sam Reed (Northwind) saved.")
    assert len(database.state.contacts) == 1


async def test_a_typo_in_the_company_reuses_it_instead_of_a_duplicate(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await send(assistant, "Met Sam Reed from Northwind", "Met Bob at Nortwind")

    assert reply.text.startswith("✓ Meeting with Bob (Northwind) saved.")
    (northwind,) = database.state.companies.values()
    assert northwind.name == "Northwind"
    assert contact(database, "Bob").company_id == northwind.id
    assert latest(database.state.activities).company_id == northwind.id


async def test_a_russian_company_written_with_e_for_yo_is_the_same(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(
        assistant,
        "Звонил Борису Орлову из Пятёрочки",
        "Встреча с Ольгой Смирновой из Пятерочки",
    )

    (company,) = database.state.companies.values()
    assert company.name == "Пятёрочка"
    assert {c.company_id for c in database.state.contacts.values()} == {company.id}


async def test_a_polish_company_in_another_case_is_the_same(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(assistant, "Spotkanie z Markiem z Biedronki")
    (company,) = database.state.companies.values()
    async with database() as uow:  # as if the engine had left the ending on
        assert await find_company(uow, company.team_id, "Biedronki") == company
        assert await find_company(uow, company.team_id, "BIEDRONCE") == company  # locative
        assert await find_company(uow, company.team_id, "Biedermann") is None


async def test_a_name_the_company_contradicts_is_someone_else(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await send(assistant, "Met Sam Reed from Northwind", "Met Sam from Pied Piper")

    assert reply.text.startswith("✓ Meeting with Sam (Pied Piper) saved.")
    assert len(database.state.contacts) == 2


async def test_a_full_name_that_is_known_wins_whatever_the_company(
    assistant: Assistant, database: FakeDatabase
) -> None:
    """As before matching: the same name is that contact (the message's company is kept)."""
    reply = await send(assistant, "Met Sam Reed from Northwind", "Called Sam Reed at Acme")

    assert reply.text.startswith("✓ Call with Sam Reed (Acme) saved.")
    assert len(database.state.contacts) == 1


# Two Sams -----------------------------------------------------------------------------------


async def test_two_sams_store_the_message_at_once_and_ask_which(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(assistant, *TWO_SAMS)
    contacts_before = dict(database.state.contacts)

    card = await send(assistant, "Called Sam, call back Friday")

    assert card.text == (
        "✓ Call saved.\n"
        "⏰ Callback: Fri 27 Nov at 09:00.\n"
        "Which Sam? Tap the right one, or add a new contact."
    )
    assert [[b.label for b in row] for row in card.buttons] == [
        ["Sam Reed (Northwind)"],
        ["Sam Smith (Acme)"],
        ["New contact: Sam"],
        ["Someone else"],
        ["Change time", "Not a callback"],
        ["Undo"],
    ]
    assert all(len(b.payload.encode()) <= 64 for b in card.flat_buttons)
    # Nothing waits for the answer: the call and the callback are stored, with no one yet.
    assert database.state.contacts == contacts_before
    call = latest(database.state.activities)
    reminder = latest(database.state.reminders)
    assert (call.contact_id, reminder.contact_id) == (None, None)
    (ana,) = database.state.reps.values()
    assert ana.awaiting is None
    question = [e for e in database.state.audit if e["action"] == "ask"]
    assert [(e["entity"], e["change_id"]) for e in question] == [("contact", card_change(card))]
    assert question[0]["after"] == {
        "name": "Sam",
        "offered": [contact(database, "Sam Reed").id, contact(database, "Sam Smith").id],
    }


async def test_choosing_a_sam_relinks_the_call_and_the_callback(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(assistant, *TWO_SAMS)
    card = await send(assistant, "Called Sam, call back Friday")

    reply = await assistant.handle(console(button=button(card, "Sam Smith (Acme)")))

    assert reply.text == "✓ Saved with Sam Smith (Acme)."
    smith = contact(database, "Sam Smith")
    call = latest(database.state.activities)
    reminder = latest(database.state.reminders)
    assert (call.contact_id, call.company_id) == (smith.id, smith.company_id)
    assert (reminder.contact_id, reminder.company_id) == (smith.id, smith.company_id)
    updates = [e for e in database.state.audit if e["action"] == "update"]
    assert [(e["entity"], e["change_id"]) for e in updates] == [
        ("activity", card_change(card)),
        ("reminder", card_change(card)),
    ]
    assert len(database.state.contacts) == 2
    # /today shows whom to call.
    agenda = await assistant.handle(console("/today"))
    assert "Sam Smith (Acme): call back Friday" in agenda.text


async def test_someone_else_asks_who_and_takes_a_typed_name(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(assistant, *TWO_SAMS)
    card = await send(assistant, "Called Sam, call back Friday")

    question = await assistant.handle(console(button=button(card, "Someone else")))
    reply = await assistant.handle(console("sam hart"))

    assert question.text.startswith("Who was it?")
    assert reply.text == "✓ Saved with Sam Hart. I added them as a new contact."
    hart = contact(database, "Sam Hart")
    assert latest(database.state.reminders).contact_id == hart.id
    # The question's buttons still choose, until another question replaces it.
    later = await assistant.handle(console(button=button(card, "Sam Reed (Northwind)")))
    assert later.text == "✓ Contact changed to Sam Reed (Northwind)."


async def test_the_message_names_the_company_so_there_is_no_question(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await send(assistant, *TWO_SAMS, "Met Sam from Acme again")

    assert reply.text.startswith("✓ Meeting with Sam Smith (Acme) saved.")
    assert "Which Sam?" not in reply.text


async def test_new_contact_adds_the_name_once_and_links_it(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(assistant, *TWO_SAMS)
    card = await send(assistant, "Called Sam, call back Friday")

    reply = await assistant.handle(console(button=button(card, "New contact: Sam")))
    again = await assistant.handle(console(button=button(card, "New contact: Sam")))

    assert reply.text == "✓ Saved with Sam. I added them as a new contact."
    assert again.text == "It already was Sam. Nothing was changed."
    sam = contact(database, "Sam")
    assert len(database.state.contacts) == 3
    assert latest(database.state.activities).contact_id == sam.id
    assert latest(database.state.reminders).contact_id == sam.id


async def test_undo_after_choosing_takes_everything_back_and_keeps_both_sams(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(assistant, *TWO_SAMS)
    before = snapshot(database)
    card = await send(assistant, "Called Sam, call back Friday")
    await assistant.handle(console(button=button(card, "New contact: Sam")))

    reply = await assistant.handle(console(button=button(card, "Undo")))

    assert reply.text == "↩ Undone: removed the callback, the call and Sam."
    assert snapshot(database)[:4] == before[:4]
    stale = await assistant.handle(console(button=button(card, "Sam Reed (Northwind)")))
    assert stale.text == texts.UNKNOWN_BUTTON


async def test_which_buttons_of_another_rep_or_forged_change_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(assistant, *TWO_SAMS, "Met Mike Hart at Pied Piper")
    card = await send(assistant, "Called Sam, call back Friday")
    await add_colleague(database)
    before = snapshot(database)
    payload = button(card, "Sam Reed (Northwind)")
    change = card_change(card)
    mike = contact(database, "Mike Hart")

    colleague = await assistant.handle(console(button=payload, user="bob"))
    assert colleague.text == NOT_YOURS
    for forged in [
        f"w:{change}:1:{mike.id}",  # a contact that was not offered
        f"w:{change}:2:new",  # a question that was not asked
        f"w:{change}:1:999999",
        f"w:{'0' * 32}:1:new",
        payload + "0",
        payload.replace("w:", "w: "),
    ]:
        reply = await assistant.handle(console(button=forged))
        assert reply.text == texts.UNKNOWN_BUTTON, forged
    assert snapshot(database) == before


async def test_change_contact_to_an_ambiguous_name_asks_which(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(assistant, *TWO_SAMS)
    card = await send(assistant, "Met Mike Hart at Pied Piper, call back Friday")
    await assistant.handle(console(button=button(card, "Change contact")))

    question = await assistant.handle(console("sam"))
    assert question.text == "Which Sam? Tap the right one, or add a new contact."
    assert [b.label for b in question.flat_buttons] == [
        "Sam Reed (Northwind)",
        "Sam Smith (Acme)",
        "New contact: Sam",
        "Someone else",
    ]
    (ana,) = (rep for rep in database.state.reps.values() if rep.external_id == "ana")
    assert ana.awaiting is None  # the next message is a message again

    reply = await assistant.handle(console(button=button(question, "Sam Reed (Northwind)")))

    assert reply.text == "✓ Contact changed to Sam Reed (Northwind)."
    reed = contact(database, "Sam Reed")
    assert latest(database.state.activities).contact_id == reed.id
    assert latest(database.state.reminders).contact_id == reed.id
    undone = await assistant.handle(console(button=button(card, "Undo")))
    assert undone.text == "↩ Undone: removed the callback, the meeting, Mike Hart and Pied Piper."


async def test_change_contact_to_a_typo_of_a_known_contact_finds_them(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await send(assistant, "Met Sam Reed from Northwind")
    card = await send(assistant, "Met Mike Hart at Pied Piper")
    await assistant.handle(console(button=button(card, "Change contact")))

    reply = await assistant.handle(console("sam reid"))

    assert reply.text == "✓ Contact changed to Sam Reed (Northwind)."
    assert len(database.state.contacts) == 2


async def test_a_short_name_finds_the_one_company_it_belongs_to(database: FakeDatabase) -> None:
    async with database() as uow:
        team = await uow.teams.add("Sales")
        brightline = await uow.companies.add(team.id, "Brightline Logistics")
        await uow.companies.add(team.id, "Kestrel Energy")
        await uow.companies.add(team.id, "Kestrel Bank")

        assert await find_company(uow, team.id, "brightline") == brightline
        assert await find_company(uow, team.id, "kestrel") is None  # two Kestrels: not a guess


def test_a_short_name_is_the_leading_or_distinctive_words_of_one_name() -> None:
    known = ["Brightline Logistics", "Grupa Azoty", "Kestrel Energy", "Kestrel Bank"]
    assert short_name_of("brightline", known) == "Brightline Logistics"
    assert short_name_of("Azotów", known) is None  # "Azot-ów": not the word, too far off
    assert short_name_of("azoty", known) == "Grupa Azoty"
    assert short_name_of("kestrel", known) is None
    assert short_name_of("logistics", ["Brightline Logistics", "Kestrel Logistics"]) is None


async def test_deal_and_history_find_a_client_by_its_short_name(assistant: Assistant) -> None:
    await send(assistant, "Met Jo Park from Brightline Logistics, they want a quote")

    deal = await assistant.handle(console("/deal brightline"))
    history = await assistant.handle(console("/history brightline"))

    assert "Brightline Logistics" in deal.text
    assert "Brightline Logistics" in history.text
    assert "Jo Park" in history.text
