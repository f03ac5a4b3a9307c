"""A voice note sent right after a capture is kept with it, by file id, without transcription."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.domain import ActivityKind
from handlers.messages import Incoming, Reply
from handlers.voice_notes import VOICE_NOTE_WINDOW
from tests.core.conftest import console
from tests.fakes import FakeDatabase


def voice(file_id: str = "AwAD-1", user: str = "ana") -> Incoming:
    return replace(console(user=user), attachment="voice note", voice_file_id=file_id)


async def ask(assistant: Assistant, incoming: Incoming) -> Reply:
    reply = await assistant.handle(incoming)
    assert reply is not None
    return reply


def notes(database: FakeDatabase) -> list[tuple[str, int | None, int | None]]:
    state = database.state
    return [
        (a.text, a.contact_id, a.company_id)
        for a in state.activities.values()
        if a.kind is ActivityKind.NOTE
    ]


async def test_a_voice_note_after_a_capture_is_a_note_about_the_same_people(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await ask(assistant, console("Met Sam Reed from Northwind, wants a quote"))
    clock.advance(timedelta(minutes=3))

    reply = await ask(assistant, voice("AwAD-42"))

    assert reply.text.startswith("🎤 Voice note kept with Sam Reed (Northwind).")
    meeting = next(a for a in database.state.activities.values() if a.kind is ActivityKind.MEETING)
    assert notes(database) == [("🎤 Voice note", meeting.contact_id, meeting.company_id)]
    [attachment] = database.state.attachments.values()
    assert (attachment.kind, attachment.file_id, attachment.platform) == (
        "voice",
        "AwAD-42",
        "console",
    )
    history = await ask(assistant, console("/history Sam Reed"))
    assert "Voice note" in history.text


async def test_a_voice_note_long_after_the_last_capture_is_explained_and_not_kept(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await ask(assistant, console("Called Ana Popescu at Acme"))
    clock.advance(VOICE_NOTE_WINDOW + timedelta(seconds=1))

    reply = await ask(assistant, voice())

    assert reply.text.startswith("I can't listen to voice notes.")
    assert notes(database) == []
    assert database.state.attachments == {}


async def test_a_voice_note_follows_the_senders_own_capture_only(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await ask(assistant, console("Met Sam Reed from Northwind", user="ana"))

    reply = await ask(assistant, voice(user="bob"))

    assert "I can't listen to voice notes." in reply.text
    assert database.state.attachments == {}


async def test_undo_on_the_voice_note_card_removes_the_note_and_its_recording(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await ask(assistant, console("Emailed Ana Popescu @Acme"))
    kept = await ask(assistant, voice())
    undo = next(button for button in kept.flat_buttons if button.label == "Undo")

    await ask(assistant, console(button=undo.payload))

    assert notes(database) == []
    assert database.state.attachments == {}
    kinds = [a.kind for a in database.state.activities.values()]
    assert kinds == [ActivityKind.EMAIL]  # the capture itself stays


async def test_a_second_voice_note_joins_the_same_client(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await ask(assistant, console("Met Sam Reed from Northwind"))
    await ask(assistant, voice("AwAD-1"))

    reply = await ask(assistant, voice("AwAD-2"))

    assert reply.text.startswith("🎤 Voice note kept with Sam Reed (Northwind).")
    assert len(notes(database)) == 2
    assert sorted(a.file_id for a in database.state.attachments.values()) == ["AwAD-1", "AwAD-2"]
