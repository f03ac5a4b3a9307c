"""/history and /find over the fakes: who someone is, what happened, and where a word occurs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from handlers import recall, texts
from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.domain import ActivityKind, Rep, Role, Stage
from handlers.messages import Reply
from tests.core.conftest import console
from tests.fakes import FakeDatabase


async def say(assistant: Assistant, text: str, user: str = "ana") -> Reply:
    reply = await assistant.handle(console(text, user=user))
    assert reply is not None
    return reply


async def rep_of(assistant: Assistant, database: FakeDatabase, user: str = "ana") -> Rep:
    await say(assistant, "/help", user)  # the console's first message makes the rep a team
    rep = next(r for r in database.state.reps.values() if r.external_id == user)
    return rep


async def seed(database: FakeDatabase, clock: FixedClock, rep: Rep) -> dict[str, int]:
    """Northwind with Sam Reed and Ana Pop, a priced deal, notes, activities and callbacks."""
    now = clock.now()
    async with database() as uow:
        northwind = await uow.companies.add(rep.team_id, "Northwind")
        sam = await uow.contacts.add(rep.team_id, "Sam Reed", northwind.id)
        await uow.contacts.add(rep.team_id, "Ana Pop", northwind.id)
        deal = await uow.deals.add(
            team_id=rep.team_id, company_id=northwind.id, owner_rep_id=rep.id, title="Northwind",
            stage=Stage.NEEDS, amount=None, currency=None, at=now - timedelta(days=9),
        )  # fmt: skip
        await uow.deals.move(deal.team_id, deal.id, Stage.OFFER, rep.id, now - timedelta(days=1))
        await uow.deals.set_amount(
            deal.team_id, deal.id, Decimal(12000), "EUR", now - timedelta(days=1)
        )
        entries = [
            (ActivityKind.NOTE, 8, "Sam's birthday is 12 May"),
            (ActivityKind.NOTE, 7, "Loves SAILING and his dog Rex, weekends on the lake"),
            (ActivityKind.NOTE, 6, "Daughter starts school in September"),
            (ActivityKind.CALL, 5, "Called about the quote"),
            (ActivityKind.MEETING, 4, "Met at the fair " + "x" * 120),
            (ActivityKind.EMAIL, 3, "Sent the offer, 12k EUR"),
            (ActivityKind.CALL, 2, "They read the offer"),
        ]
        for kind, days, text in entries:
            await uow.activities.add(
                team_id=rep.team_id, rep_id=rep.id, kind=kind,
                occurred_at=now - timedelta(days=days), text=text,
                contact_id=sam.id, company_id=northwind.id,
            )  # fmt: skip
        await uow.reminders.add(
            team_id=rep.team_id, rep_id=rep.id, due_at=now + timedelta(days=3),
            text="ask about the contract", contact_id=sam.id, company_id=northwind.id,
        )  # fmt: skip
        await uow.reminders.add(
            team_id=rep.team_id, rep_id=rep.id, due_at=now + timedelta(days=1),
            text="call back about the offer", contact_id=sam.id, company_id=northwind.id,
        )  # fmt: skip
        await uow.commit()
    return {"sam": sam.id, "northwind": northwind.id}


async def test_history_of_a_contact_tells_who_notes_deal_activities_and_callback(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    await seed(database, clock, rep)

    reply = await say(assistant, "/history sam reid")  # a typo, in lower case

    lines = reply.text.split("\n")
    assert lines[0] == "👤 Sam Reed, Northwind"
    assert lines[1:4] == [
        "Notes:",
        "• Tue 17 Nov: “Daughter starts school in September”",
        "• Mon 16 Nov: “Loves SAILING and his dog Rex, weekends on the lake”",
    ]
    assert "Deal: Offer sent, 12,000 EUR." in lines
    start = lines.index("Last activities:")
    assert lines[start + 1 : start + 6] == [
        "• Sat 21 Nov, Call: They read the offer",
        "• Fri 20 Nov, E-mail: Sent the offer, 12k EUR",
        "• Thu 19 Nov, Meeting: Met at the fair " + "x" * 63 + "…",
        "• Wed 18 Nov, Call: Called about the quote",
        "• Tue 17 Nov, Note: Daughter starts school in September",
    ]
    assert lines[-1] == ("Next callback: tomorrow (Tue 24 Nov) at 10:00: call back about the offer")
    assert not reply.buttons


async def test_history_of_a_company_lists_its_contacts(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    await seed(database, clock, rep)

    reply = await say(assistant, "/history NÓRTWIND")  # accent, case and a letter missing

    lines = reply.text.split("\n")
    assert lines[:2] == ["🏢 Northwind", "Contacts: Ana Pop, Sam Reed."]
    assert "Deal: Offer sent, 12,000 EUR." in lines
    assert "• Sat 21 Nov, Call: They read the offer" in lines
    assert lines[-1].startswith("Next callback: tomorrow (Tue 24 Nov) at 10:00")


async def test_an_ambiguous_name_offers_a_button_per_candidate_and_a_press_shows_one(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    ids = await seed(database, clock, rep)
    async with database() as uow:
        acme = await uow.companies.add(rep.team_id, "Acme")
        other = await uow.contacts.add(rep.team_id, "Sam Wood", acme.id)
        await uow.commit()

    reply = await say(assistant, "/history Sam")

    assert reply.text == "Which Sam do you mean?"
    assert [(b.label, b.payload) for b in reply.flat_buttons] == [
        ("Sam Reed (Northwind)", f"h:c:{ids['sam']}"),
        ("Sam Wood (Acme)", f"h:c:{other.id}"),
    ]
    async with database() as uow:
        shown = await recall.press(uow, rep, clock.now(), f"h:c:{other.id}")
        company = await recall.press(uow, rep, clock.now(), f"h:o:{acme.id}")
    assert shown is not None
    assert shown.text.startswith("👤 Sam Wood, Acme\nNo open deal.")
    assert company is not None
    assert company.text.startswith("🏢 Acme\nContacts: Sam Wood.")


@pytest.mark.parametrize(
    "payload", ["h:c:0", "h:c:01", "h:x:1", "h:c:1 ", "h:c:-1", "h:c:1:2", "h:c:" + "9" * 19]
)
async def test_history_payloads_are_validated_strictly(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock, payload: str
) -> None:
    rep = await rep_of(assistant, database)
    async with database() as uow:
        assert await recall.press(uow, rep, clock.now(), payload) is None


async def test_a_press_through_the_assistant_shows_the_history(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    ids = await seed(database, clock, rep)
    reply = await assistant.handle(console(button=f"h:c:{ids['sam']}"))
    assert reply is not None
    assert reply.text.startswith("👤 Sam Reed, Northwind")


async def test_another_teams_records_are_never_shown(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    ana = await rep_of(assistant, database)
    ids = await seed(database, clock, ana)
    bob = await rep_of(assistant, database, "bob")  # a team of his own

    assert (
        "I don't know anyone called “Sam Reed”"
        in (await say(assistant, "/history Sam Reed", "bob")).text
    )
    assert (await say(assistant, "/find sailing", "bob")).text == "Nothing found for “sailing”."
    assert (await say(assistant, "/find northwind", "bob")).text == "Nothing found for “northwind”."
    async with database() as uow:
        pressed = await recall.press(uow, bob, clock.now(), f"h:c:{ids['sam']}")
        company = await recall.press(uow, bob, clock.now(), f"h:o:{ids['northwind']}")
    assert pressed == company == Reply(texts.UNKNOWN_BUTTON)


async def test_a_rep_sees_only_their_own_activities_and_a_manager_the_teams(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    ana = await rep_of(assistant, database)
    await seed(database, clock, ana)
    async with database() as uow:
        ben = await uow.reps.add(
            team_id=ana.team_id, platform="console", external_id="ben", chat_id="ben",
            display_name="ben", language="en", timezone="UTC", role=Role.REP,
        )  # fmt: skip
        await uow.commit()

    found = await say(assistant, "/find sailing", "ben")
    history = await say(assistant, "/history Sam Reed", "ben")
    as_admin = await say(assistant, "/find sailing")

    assert found.text == "Nothing found for “sailing”."
    assert history.text.startswith("👤 Sam Reed, Northwind\nDeal: Offer sent")
    assert "No activities yet." in history.text
    assert "No callback planned." in history.text
    assert ben.role is Role.REP
    assert "Loves SAILING" in as_admin.text


async def test_find_a_word_in_a_note_ignoring_case_and_accents(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    await seed(database, clock, rep)

    reply = await say(assistant, "/find Sáiling")

    assert reply.text.split("\n") == [
        "Found for “Sáiling”:",
        "Activities:",
        "• Mon 16 Nov, Note (Sam Reed (Northwind)): Loves SAILING and his dog Rex, weekends on "
        "the lake",
    ]


async def test_find_names_groups_contacts_companies_with_their_deal(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    await seed(database, clock, rep)
    async with database() as uow:
        await uow.contacts.add(rep.team_id, "Ștefan Nörth", None)
        await uow.commit()

    reply = await say(assistant, "/find NORTH")

    assert reply.text.split("\n") == [
        "Found for “NORTH”:",
        "Contacts:",
        "• Ștefan Nörth",
        "Companies:",
        "• Northwind: deal at Offer sent, 12,000 EUR",
    ]


async def test_find_shows_ten_hits_taking_turns_between_groups(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    async with database() as uow:
        for i in range(12):
            await uow.contacts.add(rep.team_id, f"Kim Lake{i:02}", None)
        await uow.activities.add(
            team_id=rep.team_id, rep_id=rep.id, kind=ActivityKind.NOTE,
            occurred_at=clock.now(), text="a house by the lake", contact_id=None, company_id=None,
        )  # fmt: skip
        await uow.commit()

    lines = (await say(assistant, "/find lake")).text.split("\n")

    assert sum(line.startswith("• ") for line in lines) == 10
    assert "• today, Note: a house by the lake" in lines
    assert lines[-1] == "Showing the first 10: add a word to narrow it down."


@pytest.mark.parametrize("command", ["/history", "/history   ", "/history ?!"])
async def test_history_without_a_name_explains_itself(assistant: Assistant, command: str) -> None:
    assert (await say(assistant, command)).text.endswith(texts.HISTORY_USAGE)


@pytest.mark.parametrize("command", ["/find", "/find  ", "/find a", "/FIND %"])
async def test_find_without_words_explains_itself(assistant: Assistant, command: str) -> None:
    assert (await say(assistant, command)).text.endswith(texts.FIND_USAGE)


async def test_find_treats_like_wildcards_as_plain_characters(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    await seed(database, clock, rep)

    assert (await say(assistant, "/find %%")).text == "Nothing found for “%%”."


async def test_help_lists_the_recall_commands(assistant: Assistant) -> None:
    text = (await say(assistant, "/help")).text
    assert "/history Sam Reed:" in text
    assert "/find fishing:" in text


async def test_find_folds_accents_and_letters_in_note_texts_too(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await rep_of(assistant, database)
    await say(assistant, "Notă: ședința cu Ioana de la Dacia a fost amânată")
    await say(assistant, "Note: Marta Nowicka kupiła ŻÓŁWIA dla córki; straße")

    dacia = await say(assistant, "/find sedinta")
    turtle = await say(assistant, "/find zolwia")
    street = await say(assistant, "/find STRASSE")

    assert dacia.text.split("\n")[:2] == ["Found for “sedinta”:", "Activities:"]
    assert "ședința cu Ioana" in dacia.text
    assert turtle.text.split("\n")[-1].endswith("kupiła ŻÓŁWIA dla córki; straße")
    assert "straße" in street.text
    assert (await say(assistant, "/find zolwie")).text == "Nothing found for “zolwie”."


async def test_find_cuts_the_snippet_around_a_folded_hit_late_in_a_long_note(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await rep_of(assistant, database)
    await say(assistant, "Note: straße şi ședință, " + "lungă " * 20 + "apoi discuţie despre żółw")

    found = await say(assistant, "/find zolw")

    # 25 characters before the hit, not the note's start (folding shifts no positions).
    assert found.text.split("\n")[-1] == "• today, Note: …ngă apoi discuţie despre żółw"
