"""The Telegram adapter, offline: realistic update JSON in, the exact Bot API calls out.

PTB's application runs with a request class that records every call (tests/adapters/botapi.py),
over the real core and a temporary SQLite database at the fixed time of tests/conftest.py.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import CallbackContext

from bot.runtime import open_runtime
from bot.telegram import (
    MAX_CALLBACK_DATA,
    MAX_PART,
    PLATFORM,
    ChatOrderedProcessor,
    TelegramAdapter,
    TelegramNotifier,
    build_application,
    is_addressed,
    keyboard,
    retry_after_seconds,
    split_text,
    strip_mention,
)
from handlers import texts
from handlers.assistant import CoreConfig
from handlers.clock import FixedClock
from handlers.domain import ActivityKind, Rep, Role
from handlers.messages import Button, Incoming, Reply
from handlers.ports import RetryLater, Undeliverable
from storage.database import create_engine
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.botapi import (
    ANA,
    BOT_USERNAME,
    GROUP,
    LOCATION,
    PHOTO,
    STICKER,
    STRANGER,
    TOKEN,
    VOICE,
    BotApi,
    Call,
    RecordingRequest,
    callback,
    message,
)
from tests.adapters.doubles import BookingLimiter, SpyCore

ZONE = "Europe/Bucharest"
ANA_CHAT = ANA["id"]


class CannedCore:
    """A core that answers every update with one fixed reply (for rendering tests)."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply

    async def handle(self, incoming: Incoming) -> Reply | None:
        return self.reply


@dataclass
class Bot:
    api: BotApi
    core: SpyCore
    limiter: BookingLimiter
    uow_factory: SqlUnitOfWorkFactory
    rep: Rep
    clock: FixedClock
    errors: list[BaseException] = field(default_factory=list)
    adapter: TelegramAdapter | None = None

    def adapt(self, core: Any) -> TelegramAdapter:
        """A fresh initialized-later application and adapter over ``core``."""
        application = build_application(
            TOKEN, request=RecordingRequest(self.api), updates_request=RecordingRequest(self.api)
        )
        adapter = TelegramAdapter(core, self.limiter, application)

        async def keep(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
            assert context.error is not None
            self.errors.append(context.error)

        application.add_error_handler(keep)
        return adapter

    async def swap(self, core: Any) -> None:
        """Put another core behind a fresh application (the old one is shut down)."""
        assert self.adapter is not None
        await self.adapter.stop()
        self.adapter = self.adapt(core)
        await self.adapter.application.initialize()

    async def feed(self, *updates: dict[str, Any]) -> None:
        assert self.adapter is not None
        application = self.adapter.application
        for update in updates:
            await application.process_update(Update.de_json(update, application.bot))

    async def add_reminder(self, text: str = "call back Sam Reed") -> int:
        async with self.uow_factory() as uow:
            reminder = await uow.reminders.add(
                team_id=self.rep.team_id,
                rep_id=self.rep.id,
                due_at=self.clock.now() - timedelta(hours=1),
                text=text,
                contact_id=None,
                company_id=None,
            )
            await uow.commit()
        return reminder.id


@pytest.fixture
async def bot(tmp_path: Path, sqlite_template: Path, clock: FixedClock) -> AsyncIterator[Bot]:
    """The adapter over the real core; a rep, Ana, is on the team (Telegram user 4242)."""
    path = tmp_path / "crm.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    uow_factory = SqlUnitOfWorkFactory(engine, clock)
    async with uow_factory() as uow:
        team = await uow.teams.add("Northwind sales")
        rep = await uow.reps.add(
            team_id=team.id,
            platform=PLATFORM,
            external_id=str(ANA_CHAT),
            chat_id=str(ANA_CHAT),
            display_name="Ana Pop",
            language="en",
            timezone=ZONE,
            role=Role.REP,
        )
        # Ana picked English with /lang; her app (language_code "ro") no longer decides.
        rep = await uow.reps.set_language(rep.id, "en")
        await uow.commit()
    try:
        async with open_runtime(
            url, CoreConfig(default_timezone=ZONE), clock, migrate=False
        ) as runtime:
            harness = Bot(
                BotApi(), SpyCore(runtime.assistant), BookingLimiter(), uow_factory, rep, clock
            )
            harness.adapter = harness.adapt(harness.core)
            await harness.adapter.application.initialize()
            try:
                yield harness
            finally:
                await harness.adapter.stop()
            assert harness.errors == [], "an update failed in the adapter"
    finally:
        await engine.dispose()


def only(calls: list[Call], method: str) -> Call:
    matching = [call for call in calls if call.method == method]
    assert len(matching) == 1, calls
    return matching[0]


# ---------------------------------------------------------------------------------------------
# Starting up


async def test_start_checks_the_token_sets_the_menu_and_long_polls(bot: Bot) -> None:
    adapter = bot.adapt(bot.core)
    before = len(bot.api.calls)
    await adapter.start()
    try:
        for _ in range(100):
            if any(call.method == "getUpdates" for call in bot.api.calls):
                break
            await asyncio.sleep(0.02)
    finally:
        await adapter.stop()

    calls = bot.api.calls[before:]
    methods = [call.method for call in calls]
    assert methods[:2] == ["getMe", "setMyCommands"]  # getMe checks the token
    menus = {
        call.params.get("language_code"): call.params["commands"]
        for call in calls
        if call.method == "setMyCommands"
    }
    assert set(menus) == {None, "ro", "pl", "bg", "es", "ru"}  # English is the default menu
    for commands in menus.values():
        assert [command["command"] for command in commands] == [
            "start",
            "log",
            "today",
            "reminders",
            "pipeline",
            "history",
            "find",
            "deal",
            "undo",
            "team",
            "invite",
            "help",
            "cancel",
            "lang",
            "tz",
        ]
    # Each menu speaks its language: Romanian's /lang is described in Romanian.
    described = {code: {c["command"]: c["description"] for c in menus[code]} for code in menus}
    assert described["ro"]["lang"] != described[None]["lang"]
    assert all(command["description"] for command in commands)
    assert "deleteWebhook" in methods  # polling: any old webhook is removed first
    poll = next(call for call in calls if call.method == "getUpdates")
    assert poll.params["allowed_updates"] == ["message", "callback_query"]
    assert poll.params["timeout"] == 10


# ---------------------------------------------------------------------------------------------
# Messages


async def test_a_private_message_is_logged_and_confirmed_in_plain_text(bot: Bot) -> None:
    await bot.feed(message(1001, "Met Sam Reed from Northwind, call back tomorrow at 10"))

    assert bot.core.seen == [
        Incoming(
            platform="telegram",
            user_id="4242",
            chat_id="4242",
            text="Met Sam Reed from Northwind, call back tomorrow at 10",
            display_name="Ana Pop",
            language="ro",
            update_id="1001",
        )
    ]
    sent = only(bot.api.calls, "sendMessage")
    assert sent.params["chat_id"] == ANA_CHAT
    assert sent.params["text"].startswith("✓ Meeting with Sam Reed (Northwind) saved.")
    assert "parse_mode" not in sent.params
    assert sent.params["link_preview_options"] == {"is_disabled": True}
    assert "reply_parameters" not in sent.params  # a private chat needs no quote
    assert bot.limiter.booked == [("telegram", "4242")]


async def test_a_command_with_a_payload_reaches_the_core_as_typed(bot: Bot) -> None:
    await bot.feed(message(1002, "/start invite-7f3a"))

    assert bot.core.seen[0].text == "/start invite-7f3a"
    answer = only(bot.api.calls, "sendMessage").params["text"]
    assert "I don't know the invite code INVITE7F3A" in answer  # a code, not /help


async def test_a_stranger_joins_with_the_deep_links_start_code(bot: Bot) -> None:
    async with bot.uow_factory() as uow:
        await uow.invites.add(
            team_id=bot.rep.team_id,
            code="K7PMQX3R9T",
            role=Role.REP,
            created_by=bot.rep.id,
            expires_at=None,
            max_uses=1,
        )
        await uow.commit()

    # What Telegram sends when someone opens https://t.me/<bot>?start=K7PMQX3R9T
    await bot.feed(message(1005, "/start K7PMQX3R9T", user=STRANGER))

    sent = only(bot.api.calls, "sendMessage")
    assert sent.params["chat_id"] == STRANGER["id"]
    assert sent.params["text"].startswith("Welcome to Northwind sales, Someone!")
    buttons = [b["text"] for row in sent.params["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[-1].startswith("Skip")
    async with bot.uow_factory() as uow:
        joined = await uow.reps.by_identity("telegram", str(STRANGER["id"]))
    assert joined is not None
    assert (joined.team_id, joined.role, joined.language) == (bot.rep.team_id, Role.REP, "en")


async def test_a_stranger_gets_one_polite_message(bot: Bot) -> None:
    await bot.feed(message(1003, "Met Sam Reed from Northwind", user=STRANGER))

    sent = only(bot.api.calls, "sendMessage")
    assert sent.params == {
        "chat_id": STRANGER["id"],
        "text": texts.STRANGER,
        "link_preview_options": {"is_disabled": True},
    }


async def test_a_redelivered_message_is_answered_once(bot: Bot) -> None:
    update = message(1004, "Called Ana at Acme")

    await bot.feed(update, update)

    assert len(bot.core.seen) == 2
    assert bot.api.methods() == ["sendMessage"]


async def test_edited_messages_are_ignored(bot: Bot) -> None:
    await bot.feed(
        message(1005, "Met Sam Reed from Northwind, call back Friday", key="edited_message")
    )

    assert bot.core.seen == []
    assert bot.api.sent() == []


@pytest.mark.parametrize(
    ("content", "attachment"),
    [(PHOTO, "photo"), (STICKER, "sticker"), (LOCATION, "location")],
)
async def test_non_text_messages_reach_the_core_as_attachments(
    bot: Bot, content: dict[str, Any], attachment: str
) -> None:
    await bot.feed(message(1006, **content))

    assert bot.core.seen[0].text == ""
    assert bot.core.seen[0].attachment == attachment
    sent = only(bot.api.calls, "sendMessage")
    assert sent.params["text"] == texts.NOT_TEXT.format(attachment=attachment)


async def test_a_voice_note_on_its_own_is_explained_and_nothing_is_kept(bot: Bot) -> None:
    await bot.feed(message(1008, **VOICE))

    assert bot.core.seen[0].voice_file_id == "AwAD-voice"
    text = only(bot.api.calls, "sendMessage").params["text"]
    assert text.startswith("I can't listen to voice notes.")
    assert "right after" in text


async def test_a_voice_note_right_after_a_capture_is_kept_with_it(bot: Bot) -> None:
    await bot.feed(message(1009, "Met Sam Reed from Northwind, wants a quote"))
    bot.api.calls.clear()

    await bot.feed(message(1010, **VOICE))

    text = only(bot.api.calls, "sendMessage").params["text"]
    assert text.startswith("🎤 Voice note kept with Sam Reed (Northwind).")
    async with bot.uow_factory() as uow:
        note = await uow.activities.latest_created_by(
            bot.rep.team_id, bot.rep.id, bot.clock.now() - timedelta(minutes=1)
        )
        assert note is not None
        meeting = await uow.activities.get(bot.rep.team_id, note.id - 1)
        attachments = await uow.activities.attachments(bot.rep.team_id, note.id)
    assert meeting is not None
    assert (note.kind, note.contact_id, note.company_id) == (
        ActivityKind.NOTE,
        meeting.contact_id,
        meeting.company_id,
    )
    assert [(a.platform, a.kind, a.file_id) for a in attachments] == [
        ("telegram", "voice", "AwAD-voice")
    ]


async def test_a_captioned_photo_is_still_a_photo(bot: Bot) -> None:
    await bot.feed(message(1007, caption="Met Sam Reed", **PHOTO))

    assert (bot.core.seen[0].text, bot.core.seen[0].attachment) == ("", "photo")


# ---------------------------------------------------------------------------------------------
# Groups


async def test_in_a_group_only_addressed_commands_and_mentions_are_answered(bot: Bot) -> None:
    await bot.feed(
        message(1010, "/today", chat=GROUP, message_id=31),
        message(1011, "Met Sam at lunch, nice guy", chat=GROUP, message_id=32),
        message(1012, "ask @someone_else", chat=GROUP, message_id=33),
        message(1013, chat=GROUP, message_id=34, **PHOTO),
        message(1014, chat=GROUP, message_id=35, new_chat_members=[STRANGER]),
    )

    assert bot.core.seen == []
    assert bot.api.sent() == []

    await bot.feed(
        message(1015, f"/today@{BOT_USERNAME}", chat=GROUP, message_id=36),
        message(1016, f"@{BOT_USERNAME} Met Sam Reed from Northwind", chat=GROUP, message_id=37),
    )

    assert [incoming.text for incoming in bot.core.seen] == [
        "/today",
        "Met Sam Reed from Northwind",
    ]
    # Reminders still go to the rep's private chat; the answer goes to the group, quoting.
    assert {incoming.chat_id for incoming in bot.core.seen} == {"4242"}
    first, second = (call for call in bot.api.calls if call.method == "sendMessage")
    assert first.params["chat_id"] == GROUP["id"]
    assert first.params["reply_parameters"] == {
        "message_id": 36,
        "allow_sending_without_reply": True,
    }
    assert first.params["text"].startswith("Today")
    assert second.params["reply_parameters"]["message_id"] == 37
    assert second.params["text"].startswith("✓ Meeting with Sam Reed (Northwind) saved.")
    assert bot.limiter.booked == [("telegram", str(GROUP["id"]))] * 2


@pytest.mark.parametrize(
    ("text", "addressed", "stripped"),
    [
        ("/today@crm_test_bot", True, "/today"),
        ("/today@CRM_Test_Bot tomorrow", True, "/today tomorrow"),
        ("/today@other_bot", False, None),
        ("/today", False, None),
        ("@crm_test_bot met Sam", True, "met Sam"),
        ("@crm_test_bot: met Sam", True, "met Sam"),
        ("met Sam, @crm_test_bot please log it", True, "met Sam, please log it"),
        ("mail ana@crm_test_bot.com", False, None),
        ("ask @crm_test_bot_two", False, None),
    ],
)
def test_addressing_the_bot_in_a_group(text: str, addressed: bool, stripped: str | None) -> None:
    assert is_addressed(text, BOT_USERNAME) is addressed
    if stripped is not None:
        assert strip_mention(text, BOT_USERNAME) == stripped


# ---------------------------------------------------------------------------------------------
# Buttons


async def test_a_button_press_edits_its_card_and_answers_the_query(bot: Bot) -> None:
    reminder_id = await bot.add_reminder()

    await bot.feed(callback(1020, f"r:done:{reminder_id}", card_id=77))

    assert bot.core.seen[0].button == f"r:done:{reminder_id}"
    assert bot.core.seen[0].update_id == "1020"
    edit, answer = bot.api.sent()
    assert edit.method == "editMessageText"
    assert edit.params["chat_id"] == ANA_CHAT
    assert edit.params["message_id"] == 77
    assert edit.params["text"].startswith("✓ Done")
    assert edit.buttons == [[f"r:log:{reminder_id}", f"r:nolog:{reminder_id}"]]
    assert answer.method == "answerCallbackQuery"
    assert answer.params == {"callback_query_id": "4477"}
    assert bot.limiter.booked == [("telegram", "4242")]  # the edit; answers are not messages


async def test_a_reply_without_buttons_clears_the_cards_keyboard(bot: Bot) -> None:
    reminder_id = await bot.add_reminder()

    await bot.feed(callback(1021, f"r:nolog:{reminder_id}", card_id=78))

    edit = only(bot.api.calls, "editMessageText")
    assert edit.params["text"] == "OK, not logged."
    assert "reply_markup" not in edit.params


async def test_a_redelivered_press_changes_nothing_twice_but_is_answered(bot: Bot) -> None:
    reminder_id = await bot.add_reminder()
    press = callback(1022, f"r:done:{reminder_id}", card_id=79)

    await bot.feed(press, press)

    assert bot.api.methods() == ["editMessageText", "answerCallbackQuery", "answerCallbackQuery"]


async def test_a_card_that_cannot_be_edited_gets_a_new_message(bot: Bot) -> None:
    reminder_id = await bot.add_reminder()
    bot.api.fail("editMessageText", 400, "Bad Request: message can't be edited")

    await bot.feed(callback(1023, f"r:done:{reminder_id}", card_id=80))

    assert bot.api.methods() == ["editMessageText", "sendMessage", "answerCallbackQuery"]
    sent = only(bot.api.calls, "sendMessage")
    assert sent.params["text"].startswith("✓ Done")
    assert sent.buttons == [[f"r:log:{reminder_id}", f"r:nolog:{reminder_id}"]]


async def test_an_unchanged_card_is_left_alone(bot: Bot) -> None:
    reminder_id = await bot.add_reminder()
    bot.api.fail("editMessageText", 400, "Bad Request: message is not modified")

    await bot.feed(callback(1024, f"r:nolog:{reminder_id}", card_id=81))

    assert bot.api.methods() == ["editMessageText", "answerCallbackQuery"]


async def test_the_query_is_answered_even_when_the_edit_fails(bot: Bot) -> None:
    reminder_id = await bot.add_reminder()
    bot.api.fail("editMessageText", 502, "Bad Gateway")

    await bot.feed(callback(1025, f"r:done:{reminder_id}", card_id=82))

    assert bot.api.methods() == ["editMessageText", "answerCallbackQuery"]
    assert [type(error) for error in bot.errors] == [NetworkError]  # logged by the adapter
    bot.errors.clear()


async def test_a_stale_button_is_answered_on_its_card(bot: Bot) -> None:
    await bot.feed(callback(1026, "r:done:999999", card_id=83))

    edit = only(bot.api.calls, "editMessageText")
    assert edit.params["text"] == texts.UNKNOWN_BUTTON
    assert bot.api.methods()[-1] == "answerCallbackQuery"


# ---------------------------------------------------------------------------------------------
# Rendering and pacing


LONG = "\n".join(f"{number:04d} " + "x" * 45 for number in range(100))  # 5,099 characters


async def test_a_long_reply_is_split_with_the_buttons_on_the_last_part(bot: Bot) -> None:
    assert len(LONG) > 5000
    await bot.swap(CannedCore(Reply(LONG, ((Button("✓ Done", "r:done:1"),),))))

    await bot.feed(message(1030, "/reminders"))

    first, second = bot.api.sent()
    assert (first.method, second.method) == ("sendMessage", "sendMessage")
    assert "reply_markup" not in first.params
    assert second.buttons == [["r:done:1"]]
    assert all(len(call.params["text"]) < 4096 for call in (first, second))
    assert first.params["text"] + "\n" + second.params["text"] == LONG  # cut at a line break
    assert bot.limiter.booked == [("telegram", "4242")] * 2
    assert bot.limiter.slept
    assert bot.limiter.slept[0] == pytest.approx(1.0, abs=0.1)


async def test_a_long_reply_to_a_press_edits_the_card_then_adds_the_rest(bot: Bot) -> None:
    await bot.swap(CannedCore(Reply(LONG, ((Button("Again", "r:done:1"),),))))

    await bot.feed(callback(1031, "r:done:1", card_id=84))

    edit, more, answer = bot.api.sent()
    assert (edit.method, more.method, answer.method) == (
        "editMessageText",
        "sendMessage",
        "answerCallbackQuery",
    )
    assert edit.params["message_id"] == 84
    assert "reply_markup" not in edit.params
    assert more.buttons == [["r:done:1"]]


async def test_a_429_on_a_reply_holds_telegram_and_sends_after_retry_after(bot: Bot) -> None:
    bot.api.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)

    await bot.feed(message(1032, "/help"))

    assert bot.api.methods() == ["sendMessage", "sendMessage"]
    assert bot.limiter.slept == [pytest.approx(3.0, abs=0.1)]


def test_split_text_counts_utf16_units_and_never_cuts_a_character() -> None:
    text = "😀" * 2500  # 5,000 UTF-16 units in 2,500 characters, no spaces or lines

    parts = split_text(text)

    assert "".join(parts) == text
    assert [len(part) for part in parts] == [MAX_PART // 2, 2500 - MAX_PART // 2]
    assert split_text("short") == ["short"]
    assert split_text("a" * 10 + " " + "b" * 10, limit=12) == ["a" * 10, "b" * 10]


def test_callback_data_is_checked_against_telegrams_64_bytes() -> None:
    fits = "r:" + "9" * (MAX_CALLBACK_DATA - 2)
    markup = keyboard(
        Reply("ok", ((Button("A", fits), Button("B", "r:done:1")), (Button("C", "c"),)))
    )
    assert markup is not None
    assert [[button.callback_data for button in row] for row in markup.inline_keyboard] == [
        [fits, "r:done:1"],
        ["c"],
    ]
    with pytest.raises(ValueError, match="65 bytes"):
        keyboard(Reply("no", ((Button("Too long", fits + "9"),),)))
    assert keyboard(Reply("no buttons")) is None


async def test_updates_of_one_chat_keep_their_order_while_other_chats_go_ahead() -> None:
    processor = ChatOrderedProcessor()
    order: list[str] = []
    release = asyncio.Event()

    async def slow() -> None:
        await release.wait()
        order.append("ana 1")

    async def record(name: str) -> None:
        order.append(name)

    def update(chat: dict[str, Any], update_id: int) -> Update:
        return Update.de_json(message(update_id, "hi", chat=chat), None)

    ana, sam = {"id": 1, "type": "private"}, {"id": 2, "type": "private"}
    first = asyncio.create_task(processor.process_update(update(ana, 1), slow()))
    second = asyncio.create_task(processor.process_update(update(ana, 2), record("ana 2")))
    third = asyncio.create_task(processor.process_update(update(sam, 3), record("sam 1")))
    await third
    assert order == ["sam 1"]  # Sam did not wait for Ana's slow update
    release.set()
    await asyncio.gather(first, second)
    assert order == ["sam 1", "ana 1", "ana 2"]


# ---------------------------------------------------------------------------------------------
# The notifier (reminders)


async def test_the_notifier_sends_the_card_without_booking_the_limiter_again(bot: Bot) -> None:
    assert bot.adapter is not None
    notifier = TelegramNotifier(bot.adapter.bot, bot.limiter)
    card = Reply("⏰ Time to call Sam Reed.", ((Button("✓ Done", "r:done:5"),),))

    await notifier.send(bot.rep, card)

    sent = only(bot.api.calls, "sendMessage")
    assert sent.params["chat_id"] == ANA_CHAT
    assert sent.params["text"] == "⏰ Time to call Sam Reed."
    assert sent.buttons == [["r:done:5"]]
    assert bot.limiter.booked == []  # the dispatcher booked the slot before calling send


@pytest.mark.parametrize(
    ("status", "description", "parameters", "raised"),
    [
        (429, "Too Many Requests: retry after 7", {"retry_after": 7}, RetryLater),
        (403, "Forbidden: bot was blocked by the user", {}, Undeliverable),
        (403, "Forbidden: user is deactivated", {}, Undeliverable),
        (400, "Bad Request: chat not found", {}, Undeliverable),
        (400, "Bad Request: message is too long", {}, BadRequest),
        (502, "Bad Gateway", {}, NetworkError),
    ],
)
async def test_the_notifier_maps_telegram_errors_for_the_dispatcher(
    bot: Bot,
    status: int,
    description: str,
    parameters: dict[str, Any],
    raised: type[Exception],
) -> None:
    assert bot.adapter is not None
    notifier = TelegramNotifier(bot.adapter.bot, bot.limiter)
    bot.api.fail("sendMessage", status, description, **parameters)

    with pytest.raises(raised) as caught:
        await notifier.send(bot.rep, Reply("⏰ Time to call Sam Reed."))

    if raised is RetryLater:
        assert isinstance(caught.value, RetryLater)
        assert caught.value.retry_after == 7.0


async def test_a_timeout_is_left_to_the_dispatchers_retries(bot: Bot) -> None:
    assert bot.adapter is not None

    class TimingOut(RecordingRequest):
        async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
            if url.endswith("/sendMessage"):
                raise TimedOut("Timed out")
            return await super().do_request(url, *args, **kwargs)

    application = build_application(TOKEN, request=TimingOut(bot.api))
    await application.initialize()
    try:
        with pytest.raises(TimedOut):
            await TelegramNotifier(application.bot, bot.limiter).send(
                bot.rep, Reply("⏰ Time to call Sam Reed.")
            )
    finally:
        await application.shutdown()


async def test_the_notifier_refuses_reps_of_other_platforms(bot: Bot) -> None:
    assert bot.adapter is not None
    notifier = TelegramNotifier(bot.adapter.bot, bot.limiter)
    console_rep = Rep(
        id=99,
        team_id=1,
        platform="console",
        external_id="ana",
        chat_id="ana",
        display_name="ana",
        language="en",
        timezone=ZONE,
        role=Role.ADMIN,
    )

    with pytest.raises(Undeliverable, match="console"):
        await notifier.send(console_rep, Reply("hi"))
    assert bot.api.sent() == []


@pytest.mark.parametrize("opt_in", ["", "1"])
def test_retry_after_is_read_as_seconds_whatever_its_type(
    monkeypatch: pytest.MonkeyPatch, opt_in: str
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", opt_in)  # "1": PTB gives a timedelta, else an int

    assert retry_after_seconds(RetryAfter(7)) == 7.0
    assert retry_after_seconds(RetryAfter(timedelta(seconds=2.5))) == 2.5
