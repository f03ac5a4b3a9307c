"""The Slack adapter in HTTP mode: signed requests over real HTTP in, the exact Web API calls out.

The adapter's aiohttp server listens on a free loopback port; its Web API client talks to a
Slack double on loopback (tests/adapters/fake_slack.py). Behind it is the real core over a
temporary SQLite database, at the fixed time of tests/conftest.py.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.runtime import open_runtime
from bot.slack import EVENTS_PATH, PLATFORM, HttpMode, SlackAdapter
from handlers import texts
from handlers.assistant import CoreConfig
from handlers.clock import FixedClock
from handlers.domain import Rep, Role
from handlers.messages import Button, Incoming, Reply
from storage.database import create_engine
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.doubles import BookingLimiter, SpyCore, free_port
from tests.adapters.fake_slack import (
    ANA,
    ANA_DM,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    GENERAL,
    SIGNING_SECRET,
    STRANGER,
    FakeSlack,
    SlackRequest,
    button_press,
    dm_of,
    message_event,
    signed,
    slash_command,
)

ZONE = "Europe/Bucharest"
WAIT = 10.0
"""Seconds any one expected thing may take at most."""


@dataclass
class Bot:
    slack: FakeSlack
    core: SpyCore
    limiter: BookingLimiter
    adapter: SlackAdapter
    uow_factory: SqlUnitOfWorkFactory
    rep: Rep
    clock: FixedClock
    http: httpx.AsyncClient

    @property
    def endpoint(self) -> str:
        assert isinstance(self.adapter.mode, HttpMode)
        return f"http://127.0.0.1:{self.adapter.mode.port}{EVENTS_PATH}"

    async def post(
        self,
        request: SlackRequest,
        *,
        headers: dict[str, str] | None = None,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
    ) -> httpx.Response:
        """Send a request as Slack does: signed, over HTTP, to /slack/events."""
        return await self.http.post(
            self.endpoint,
            content=request.body,
            headers={
                "Content-Type": request.content_type,
                **signed(request.body, secret, timestamp),
                **(headers or {}),
            },
        )

    async def settled(self, updates: int) -> None:
        """Wait until the core has seen ``updates`` updates and the adapter is idle."""
        deadline = time.monotonic() + WAIT
        while len(self.core.seen) < updates:
            assert time.monotonic() < deadline, f"the core saw {self.core.seen}"
            await asyncio.sleep(0.01)
        await self.adapter.idle(WAIT)

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
    """The adapter, over HTTP, over the real core; Ana (Slack user U0ANA) is on the team."""
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
            external_id=ANA,
            chat_id=ANA_DM,
            display_name="Ana Pop",
            language="en",
            timezone=ZONE,
            role=Role.REP,
        )
        # Ana picked English with /lang; her app (language_code "ro") no longer decides.
        rep = await uow.reps.set_language(rep.id, "en")
        await uow.commit()
    try:
        with FakeSlack().running() as slack:
            async with (
                open_runtime(
                    url, CoreConfig(default_timezone=ZONE), clock, migrate=False
                ) as runtime,
                httpx.AsyncClient(timeout=WAIT) as http,
            ):
                core, limiter = SpyCore(runtime.assistant), BookingLimiter()
                adapter = SlackAdapter(
                    core,
                    limiter,
                    bot_token=BOT_TOKEN,
                    mode=HttpMode(SIGNING_SECRET, listen="127.0.0.1", port=free_port()),
                    api_base_url=slack.url,
                )
                await adapter.start()
                try:
                    yield Bot(slack, core, limiter, adapter, uow_factory, rep, clock, http)
                finally:
                    await adapter.stop()
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------------------------
# Starting up and the door


async def test_start_checks_the_token_and_answers_slacks_url_check(bot: Bot) -> None:
    assert bot.slack.methods()[0] == "auth.test"
    assert (bot.adapter.bot_user_id, bot.adapter.bot_name) == (BOT_USER_ID, "crm")

    check = SlackRequest(
        json.dumps(
            {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY", "type": "url_verification"}
        ).encode(),
        "application/json",
    )
    answer = await bot.post(check)

    assert answer.status_code == 200
    assert answer.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY"}


async def test_a_request_with_a_bad_signature_is_refused_and_changes_nothing(bot: Bot) -> None:
    forged = await bot.post(message_event("Ev0BAD", "Met Sam Reed"), secret="not-the-secret")
    unsigned = await bot.http.post(
        bot.endpoint,
        content=message_event("Ev0BAD2", "Met Sam Reed").body,
        headers={"Content-Type": "application/json"},
    )

    assert (forged.status_code, unsigned.status_code) == (401, 401)
    await bot.adapter.idle(WAIT)
    assert bot.core.seen == []
    assert bot.slack.sent() == []


async def test_a_request_signed_more_than_five_minutes_ago_is_refused(bot: Bot) -> None:
    old = int(time.time()) - 5 * 60 - 10  # correctly signed, but stale: a replay

    answer = await bot.post(message_event("Ev0OLD", "Met Sam Reed"), timestamp=old)

    assert answer.status_code == 401
    await bot.adapter.idle(WAIT)
    assert bot.core.seen == []
    assert bot.slack.sent() == []


# ---------------------------------------------------------------------------------------------
# Direct messages


async def test_a_dm_is_logged_and_confirmed_with_block_kit_buttons(bot: Bot) -> None:
    answer = await bot.post(
        message_event("Ev0DM1", "Met Sam Reed from Northwind, call back tomorrow at 10")
    )
    assert answer.status_code == 200  # acknowledged before the core runs

    (sent,) = await bot.slack.wait_for("chat.postMessage")
    assert bot.core.seen == [
        Incoming(
            platform="slack",
            user_id=ANA,
            chat_id=ANA_DM,
            text="Met Sam Reed from Northwind, call back tomorrow at 10",
            display_name="Ana Pop",
            language="ro",
            update_id="Ev0DM1",
        )
    ]
    assert sent.params["channel"] == ANA_DM
    assert sent.section_text.startswith("✓ Meeting with Sam Reed (Northwind) saved.")
    assert sent.params["text"].startswith("✓ Meeting with Sam Reed (Northwind) saved.")
    section = sent.params["blocks"][0]
    assert section["type"] == "section"
    assert section["text"]["type"] == "plain_text"  # nothing a rep types can garble it
    rows = [block for block in sent.params["blocks"] if block["type"] == "actions"]
    assert rows
    action_ids = [element["action_id"] for row in rows for element in row["elements"]]
    assert len(set(action_ids)) == len(action_ids)
    assert all(element["type"] == "button" for row in rows for element in row["elements"])
    assert sent.params["unfurl_links"] is False
    assert "thread_ts" not in sent.params
    assert bot.limiter.booked == [("slack", ANA_DM)]
    assert {"users.info", "chat.postMessage"} <= set(bot.slack.methods())
    assert "conversations.open" not in bot.slack.methods()  # the event names the DM


async def test_a_retried_event_is_answered_once(bot: Bot) -> None:
    event = message_event("Ev0RETRY", "Called Ana at Acme")

    first = await bot.post(event)
    await bot.settled(1)
    retry = await bot.post(
        event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    await bot.settled(2)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert [incoming.update_id for incoming in bot.core.seen] == ["Ev0RETRY", "Ev0RETRY"]
    assert bot.slack.methods().count("chat.postMessage") == 1


async def test_a_stranger_gets_the_polite_answer_in_their_dm(bot: Bot) -> None:
    await bot.post(message_event("Ev0STR", "Met Sam Reed from Northwind", user=STRANGER))

    (sent,) = await bot.slack.wait_for("chat.postMessage")
    assert sent.params["channel"] == dm_of(STRANGER)
    assert sent.section_text == texts.for_platform(texts.STRANGER, "slack")
    assert "/crm join CODE" in sent.section_text  # how to join, as typed on Slack
    assert sent.buttons == []


async def test_messages_not_from_a_rep_in_the_dm_are_ignored(bot: Bot) -> None:
    ignored = [
        # The bot's own message (bolt drops the events of its own bot user).
        message_event("Ev0I1", "✓ Saved", user=BOT_USER_ID, bot_id=BOT_ID),
        # Another app's bot.
        message_event("Ev0I2", "Deploy done", subtype="bot_message", bot_id="B0OTHER"),
        # An edit, a deletion, a join: not new messages from the rep.
        message_event(
            "Ev0I3",
            subtype="message_changed",
            message={"type": "message", "user": ANA, "text": "Met Sam Reed", "ts": "1.1"},
        ),
        message_event("Ev0I4", subtype="message_deleted", deleted_ts="1.1"),
        message_event("Ev0I5", "joined", subtype="channel_join"),
        # A channel message (the app only reads its DMs).
        message_event("Ev0I6", "Met Sam Reed", channel=GENERAL, channel_type="channel"),
    ]
    for request in ignored:
        assert (await bot.post(request)).status_code == 200

    await bot.post(message_event("Ev0I7", "/help"))  # a marker: handled after the others
    await bot.settled(1)
    assert [incoming.update_id for incoming in bot.core.seen] == ["Ev0I7"]
    assert len(bot.slack.sent()) == 1


async def test_a_shared_file_reaches_the_core_as_an_attachment(bot: Bot) -> None:
    photo = {"id": "F0PHOTO", "name": "card.jpg", "mimetype": "image/jpeg", "filetype": "jpg"}
    await bot.post(message_event("Ev0FILE", "Met Sam Reed", subtype="file_share", files=[photo]))

    (sent,) = await bot.slack.wait_for("chat.postMessage")
    assert (bot.core.seen[0].text, bot.core.seen[0].attachment) == ("", "photo")
    assert sent.section_text == texts.NOT_TEXT.format(attachment="photo")


async def test_slack_markup_reaches_the_core_as_the_rep_typed_it(bot: Bot) -> None:
    await bot.post(
        message_event(
            "Ev0MARK",
            "Emailed <mailto:ana@acme.com|ana@acme.com> at Smith &amp; Sons &lt;3",
        )
    )

    await bot.slack.wait_for("chat.postMessage")
    assert bot.core.seen[0].text == "Emailed ana@acme.com at Smith & Sons <3"


async def test_a_message_in_a_thread_is_answered_in_the_thread(bot: Bot) -> None:
    await bot.post(message_event("Ev0THR", "/today", thread_ts="1795420000.000100"))

    (sent,) = await bot.slack.wait_for("chat.postMessage")
    assert sent.params["thread_ts"] == "1795420000.000100"


# ---------------------------------------------------------------------------------------------
# The slash command


async def test_crm_with_text_in_the_dm_is_a_capture_answered_there(bot: Bot) -> None:
    command = slash_command(
        "Met Sam Reed from Northwind, call back tomorrow at 10",
        trigger_id="13345224609.738474920.8088930838d88f008e0",
        response_url=bot.slack.response_url(),
    )

    started = time.monotonic()
    answer = await bot.post(command)
    assert answer.status_code == 200
    assert answer.text == ""  # an empty ack: the answer is a message of its own
    assert time.monotonic() - started < 3

    (sent,) = await bot.slack.wait_for("chat.postMessage")
    incoming = bot.core.seen[0]
    assert (incoming.user_id, incoming.chat_id) == (ANA, ANA_DM)
    assert incoming.text == "Met Sam Reed from Northwind, call back tomorrow at 10"
    assert incoming.update_id == "13345224609.738474920.8088930838d88f008e0"
    assert sent.params["channel"] == ANA_DM
    assert sent.section_text.startswith("✓ Meeting with Sam Reed (Northwind) saved.")
    assert sent.buttons


@pytest.mark.parametrize(
    ("typed", "core_text"),
    [
        ("help", "/help"),
        ("", "/help"),
        ("Today", "/today"),
        ("reminders", "/reminders"),
        ("cancel", "/cancel"),
        ("start invite-7f3a", "/start invite-7f3a"),
    ],
)
async def test_crm_with_a_command_word_runs_that_command(
    bot: Bot, typed: str, core_text: str
) -> None:
    await bot.post(
        slash_command(typed, trigger_id="1.2.abc", response_url=bot.slack.response_url())
    )

    await bot.slack.wait_for("chat.postMessage")
    assert bot.core.seen[0].text == core_text


async def test_crm_help_answers_with_the_cores_help(bot: Bot) -> None:
    await bot.post(
        slash_command("help", trigger_id="1.3.abc", response_url=bot.slack.response_url())
    )

    (sent,) = await bot.slack.wait_for("chat.postMessage")
    assert sent.section_text == texts.for_platform(texts.HELP, "slack")
    assert "/crm today:" in sent.section_text  # commands as typed on Slack


async def test_crm_in_another_channel_answers_only_the_rep_there(bot: Bot) -> None:
    await bot.post(
        slash_command(
            "today",
            trigger_id="1.4.abc",
            response_url=bot.slack.response_url("general"),
            channel=GENERAL,
        )
    )

    (answer,) = await bot.slack.wait_for("response_url")
    await bot.adapter.idle(WAIT)
    assert answer.params["response_type"] == "ephemeral"
    assert answer.section_text.startswith("Today")
    assert "chat.postMessage" not in bot.slack.methods()  # nothing in the channel for all
    # The rep's reminders still go to their DM, found with conversations.open.
    assert bot.core.seen[0].chat_id == ANA_DM
    assert "conversations.open" in bot.slack.methods()


# ---------------------------------------------------------------------------------------------
# Buttons


async def test_a_button_press_updates_its_card(bot: Bot) -> None:
    reminder_id = await bot.add_reminder()

    answer = await bot.post(
        button_press(
            f"r:done:{reminder_id}",
            trigger_id="2.1.press",
            message_ts="1795420700.000900",
            response_url=bot.slack.response_url(),
        )
    )
    assert answer.status_code == 200

    (update,) = await bot.slack.wait_for("chat.update")
    incoming = bot.core.seen[0]
    assert incoming.button == f"r:done:{reminder_id}"
    assert (incoming.chat_id, incoming.update_id) == (ANA_DM, "2.1.press")
    assert update.params["channel"] == ANA_DM
    assert update.params["ts"] == "1795420700.000900"
    assert update.section_text.startswith("✓ Done")
    assert update.buttons == [[f"r:log:{reminder_id}", f"r:nolog:{reminder_id}"]]
    await bot.adapter.idle(WAIT)
    assert "chat.postMessage" not in bot.slack.methods()


async def test_a_repeated_press_changes_nothing_twice(bot: Bot) -> None:
    reminder_id = await bot.add_reminder()
    press = button_press(
        f"r:done:{reminder_id}",
        trigger_id="2.2.press",
        message_ts="1795420700.000901",
        response_url=bot.slack.response_url(),
    )

    await bot.post(press)
    await bot.settled(1)
    await bot.post(press)
    await bot.settled(2)

    assert bot.slack.methods().count("chat.update") == 1


async def test_a_card_that_cannot_be_updated_gets_a_new_message(bot: Bot) -> None:
    reminder_id = await bot.add_reminder()
    bot.slack.fail("chat.update", "message_not_found")

    await bot.post(
        button_press(
            f"r:done:{reminder_id}",
            trigger_id="2.3.press",
            message_ts="1795420700.000902",
            response_url=bot.slack.response_url(),
        )
    )

    (sent,) = await bot.slack.wait_for("chat.postMessage")
    assert sent.section_text.startswith("✓ Done")
    assert sent.buttons == [[f"r:log:{reminder_id}", f"r:nolog:{reminder_id}"]]


async def test_a_press_on_an_ephemeral_card_replaces_it_through_the_response_url(
    bot: Bot,
) -> None:
    await bot.post(
        button_press(
            "r:done:999999",
            trigger_id="2.4.press",
            message_ts="1795420700.000903",
            response_url=bot.slack.response_url("press"),
            channel=GENERAL,
            ephemeral=True,
        )
    )

    (answer,) = await bot.slack.wait_for("response_url")
    assert answer.params["replace_original"] is True
    assert answer.section_text == texts.UNKNOWN_BUTTON
    assert bot.core.seen[0].chat_id == ANA_DM  # from conversations.open, not the channel


# ---------------------------------------------------------------------------------------------
# Pacing


async def test_a_429_holds_slack_for_retry_after_then_sends(bot: Bot) -> None:
    bot.slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "3"})

    await bot.post(message_event("Ev0RATE", "/help"))

    await bot.slack.wait_for("chat.postMessage", count=2)
    assert bot.limiter.slept == [pytest.approx(3.0, abs=0.1)]
    assert bot.limiter.booked == [("slack", ANA_DM)] * 2


async def test_a_long_reply_goes_out_in_parts_with_the_buttons_on_the_last(bot: Bot) -> None:
    long = "\n".join(f"{number:04d} " + "x" * 45 for number in range(100))  # 5,099 characters

    class Canned:
        async def handle(self, incoming: Incoming) -> Reply | None:
            return Reply(long, ((Button("✓ Done", "r:done:1"),),))

    adapter = SlackAdapter(
        Canned(),
        bot.limiter,
        bot_token=BOT_TOKEN,
        mode=HttpMode(SIGNING_SECRET, listen="127.0.0.1", port=free_port()),
        api_base_url=bot.slack.url,
    )
    await adapter.start()
    try:
        assert isinstance(adapter.mode, HttpMode)
        request = message_event("Ev0LONG", "/reminders")
        await bot.http.post(
            f"http://127.0.0.1:{adapter.mode.port}{EVENTS_PATH}",
            content=request.body,
            headers={"Content-Type": request.content_type, **signed(request.body)},
        )
        first, second = await bot.slack.wait_for("chat.postMessage", count=2)
    finally:
        await adapter.stop()
    assert first.buttons == []
    assert second.buttons == [["r:done:1"]]
    assert first.section_text + "\n" + second.section_text == long
    assert all(len(call.section_text) <= 3000 for call in (first, second))
