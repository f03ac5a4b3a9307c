"""Small talk is not work: a greeting, thanks or an "ok" in any of the six languages gets a
friendly answer in the rep's language and stores nothing, so it never counts in /today or in
the managers' digests. Words with substance are still kept as a note."""

from __future__ import annotations

import pytest

from handlers import chat
from handlers.assistant import Assistant
from handlers.messages import Incoming
from tests.core.conftest import ZONE
from tests.fakes import FakeDatabase


def rep_says(text: str, language: str) -> Incoming:
    return Incoming(
        platform="console", user_id="ana", chat_id="ana", text=text, timezone=ZONE,
        language=language,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "cheers, have a good one"),
        ("ro", "buna ziua"),
        ("pl", "dzięki wielkie"),
        ("bg", "мерси много"),
        ("es", "buenos días!"),
        ("ru", "ок, спасибо"),
    ],
)
async def test_small_talk_is_answered_and_nothing_is_stored(
    assistant: Assistant, database: FakeDatabase, language: str, text: str
) -> None:
    await assistant.handle(rep_says("/help", language))  # the rep and their team exist
    audit_before = len(database.state.audit)

    reply = await assistant.handle(rep_says(text, language))

    assert reply.text
    assert "✓" not in reply.text  # no card: nothing was saved
    english = {chat.THANKS, chat.GREETING, chat.NOTHING_TO_FILE}
    assert (reply.text in english) == (language == "en")  # the rep's own language
    assert not database.state.activities
    assert not database.state.contacts
    assert len(database.state.audit) == audit_before


async def test_thanks_and_hello_get_answers_of_their_own(assistant: Assistant) -> None:
    await assistant.handle(rep_says("/help", "en"))

    thanks = await assistant.handle(rep_says("thanks!", "en"))
    hello = await assistant.handle(rep_says("hello", "en"))

    assert thanks.text.startswith("You're welcome!")
    assert hello.text.startswith("Hi!")


async def test_a_note_the_rep_asks_for_is_kept(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await assistant.handle(rep_says("note: thanks card sent to the whole team", "en"))

    assert "Note saved" in reply.text
    assert len(database.state.activities) == 1


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Thanks, all clear now, nothing to add"),
        ("ro", "Mulțumesc, am înțeles tot"),
        ("pl", "Dziękuję, wszystko jasne"),
        ("bg", "Благодаря, всичко е ясно"),
        ("es", "Gracias, todo claro"),
        ("ru", "Благодарю, всё понятно"),
        ("bg", "blagodarya, vsichko e yasno"),
        ("ru", "Spasibo, vsyo ponyatno"),
    ],
)
async def test_a_greeting_or_thanks_is_never_filed_as_a_contact_or_company(
    assistant: Assistant, database: FakeDatabase, language: str, text: str
) -> None:
    await assistant.handle(rep_says("/help", language))

    await assistant.handle(rep_says(text, language))

    assert not database.state.contacts
    assert not database.state.companies
