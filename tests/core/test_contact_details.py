"""/history shows a contact's job title, phone and e-mail under their name, where a rep looks
right before a call."""

from __future__ import annotations

from dataclasses import replace

from handlers.assistant import Assistant
from handlers.clock import FixedClock
from tests.core.test_recall import rep_of, say, seed
from tests.fakes import FakeDatabase


async def test_history_shows_the_phone_and_e_mail_under_the_name(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    ids = await seed(database, clock, rep)
    contacts = database.state.contacts
    contacts[ids["sam"]] = replace(
        contacts[ids["sam"]], email="sam@northwind.example", phone="+40 721 000 111",
        job_title="Head of IT",
    )  # fmt: skip

    lines = (await say(assistant, "/history Sam Reed")).text.split("\n")

    assert lines[:3] == [
        "👤 Sam Reed, Northwind",
        "Head of IT · 📞 +40 721 000 111 · ✉️ sam@northwind.example",
        "Notes:",
    ]


async def test_history_shows_what_is_known_and_nothing_for_the_rest(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    ids = await seed(database, clock, rep)
    contacts = database.state.contacts
    contacts[ids["sam"]] = replace(contacts[ids["sam"]], phone="0721 000 111")

    lines = (await say(assistant, "/history Sam Reed")).text.split("\n")
    ana = (await say(assistant, "/history Ana Pop")).text.split("\n")

    assert lines[1] == "📞 0721 000 111"
    assert ana[:2] == ["👤 Ana Pop, Northwind", "Deal: Offer sent, 12,000 EUR."]  # no details


async def test_find_a_contact_by_e_mail_or_by_the_digits_of_their_phone(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    rep = await rep_of(assistant, database)
    ids = await seed(database, clock, rep)
    contacts = database.state.contacts
    contacts[ids["sam"]] = replace(
        contacts[ids["sam"]], email="Sam.Reed@Northwind.example", phone="+40 (721) 000-111"
    )

    by_email = (await say(assistant, "/find sam.reed@northwind")).text
    by_digits = (await say(assistant, "/find 721.000.111")).text
    by_part = (await say(assistant, "/find 000 111")).text
    too_short = (await say(assistant, "/find 721")).text

    reach = "📞 +40 (721) 000-111 · ✉️ Sam.Reed@Northwind.example"
    for reply in (by_email, by_digits, by_part):
        assert f"• Sam Reed (Northwind): {reach}" in reply.split("\n")
    assert "Sam Reed" not in too_short  # three digits would match most numbers
