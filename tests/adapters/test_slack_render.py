"""The Slack adapter's pure parts, and the notifiers: Block Kit rendering, reading Slack's
markup and the slash command, and how Slack's errors reach the reminder dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.service import PlatformNotifier
from bot.slack import (
    MAX_BUTTON_VALUE,
    MAX_SECTION,
    SlackNotifier,
    command_text,
    language,
    plain_text,
    read_event,
    render,
)
from handlers.domain import Rep, Role
from handlers.messages import Button, Reply
from handlers.ports import RetryLater, Undeliverable
from reminders.ratelimit import SendLimiter
from tests.adapters.fake_slack import ANA, ANA_DM, FakeSlack

# ---------------------------------------------------------------------------------------------
# Rendering


def test_a_reply_renders_as_a_plain_text_section_and_a_row_of_buttons_per_row() -> None:
    reply = Reply(
        "✓ Meeting with Sam Reed saved. <b>not html</b> & *not bold*",
        (
            (Button("Change time", "c:time:1"), Button("Not a callback", "c:nocb:1")),
            (Button("Undo", "c:undo:1"),),
        ),
    )

    (message,) = render(reply)

    assert message.blocks == [
        {
            "type": "section",
            "text": {
                "type": "plain_text",
                "text": "✓ Meeting with Sam Reed saved. <b>not html</b> & *not bold*",
                "emoji": True,
            },
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "crm:0",
                    "text": {"type": "plain_text", "text": "Change time", "emoji": True},
                    "value": "c:time:1",
                },
                {
                    "type": "button",
                    "action_id": "crm:1",
                    "text": {"type": "plain_text", "text": "Not a callback", "emoji": True},
                    "value": "c:nocb:1",
                },
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "crm:2",
                    "text": {"type": "plain_text", "text": "Undo", "emoji": True},
                    "value": "c:undo:1",
                }
            ],
        },
    ]
    # The fallback text (notifications) is read as markup by Slack: its three escapes.
    assert message.text == (
        "✓ Meeting with Sam Reed saved. &lt;b&gt;not html&lt;/b&gt; &amp; *not bold*"
    )


def test_a_long_reply_is_cut_into_sections_slack_takes() -> None:
    text = "\n".join(f"line {number:05d} " + "y" * 60 for number in range(120))  # ~8,400

    messages = render(Reply(text, ((Button("OK", "ok"),),)))

    assert len(messages) == 3
    assert all(len(message.blocks[0]["text"]["text"]) <= MAX_SECTION for message in messages)
    assert "\n".join(message.blocks[0]["text"]["text"] for message in messages) == text
    assert [len(message.blocks) for message in messages] == [1, 1, 2]  # buttons on the last


def test_button_values_are_checked_against_slacks_limit() -> None:
    fits = "r:" + "9" * (MAX_BUTTON_VALUE - 2)
    (message,) = render(Reply("ok", ((Button("A", fits),),)))
    assert message.blocks[1]["elements"][0]["value"] == fits

    with pytest.raises(ValueError, match="2001 characters"):
        render(Reply("no", ((Button("Too long", fits + "9"),),)))


def test_a_long_label_is_shortened_to_slacks_75_characters() -> None:
    (message,) = render(Reply("ok", ((Button("L" * 90, "p"),),)))

    label = message.blocks[1]["elements"][0]["text"]["text"]
    assert len(label) == 75
    assert label.endswith("…")


# ---------------------------------------------------------------------------------------------
# Reading


@pytest.mark.parametrize(
    ("typed", "core_text"),
    [
        ("", "/help"),
        ("  ", "/help"),
        ("help", "/help"),
        ("HELP me", "/help me"),
        ("today", "/today"),
        ("/today", "/today"),
        ("reminders", "/reminders"),
        ("cancel", "/cancel"),
        ("start invite-7f3a", "/start invite-7f3a"),
        ("Met Sam Reed, call back Friday", "Met Sam Reed, call back Friday"),
        ("todays call with Sam", "todays call with Sam"),
        ("lunch &amp; learn with Ana", "lunch & learn with Ana"),
    ],
)
def test_the_slash_commands_first_word_picks_a_command(typed: str, core_text: str) -> None:
    assert command_text(typed) == core_text


@pytest.mark.parametrize(
    ("slack", "typed"),
    [
        ("Met Sam", "Met Sam"),
        ("Smith &amp; Sons &lt;3 &gt;", "Smith & Sons <3 >"),
        ("see <https://acme.com/deal|the deal>", "see the deal"),
        ("see <https://acme.com>", "see https://acme.com"),
        ("mail <mailto:sam@acme.com|sam@acme.com>", "mail sam@acme.com"),
        ("mail <mailto:sam@acme.com>", "mail sam@acme.com"),
        ("ask <@U0BOB>", "ask @U0BOB"),
        ("ask <@U0BOB|bob>", "ask @bob"),
        ("in <#C0GEN|general>", "in #general"),
        ("<!here> done", "@here done"),
        ("&amp;lt;", "&lt;"),
    ],
)
def test_slack_markup_reads_as_typed(slack: str, typed: str) -> None:
    assert plain_text(slack) == typed


@pytest.mark.parametrize(
    ("event", "read"),
    [
        ({"channel_type": "im", "user": ANA, "text": "Met Sam"}, ("Met Sam", None)),
        ({"channel_type": "channel", "user": ANA, "text": "Met Sam"}, None),
        ({"channel_type": "im", "user": ANA, "text": "x", "bot_id": "B1"}, None),
        ({"channel_type": "im", "text": "no user"}, None),
        ({"channel_type": "im", "user": ANA, "subtype": "message_changed"}, None),
        ({"channel_type": "im", "user": ANA, "subtype": "me_message", "text": "waves"}, None),
        (
            {
                "channel_type": "im",
                "user": ANA,
                "subtype": "file_share",
                "files": [{"mimetype": "audio/webm", "subtype": "slack_audio"}],
            },
            ("", "voice note"),
        ),
        (
            {
                "channel_type": "im",
                "user": ANA,
                "subtype": "file_share",
                "files": [{"mimetype": "application/pdf"}],
            },
            ("", "document"),
        ),
    ],
)
def test_which_message_events_reach_the_core(
    event: dict[str, object], read: tuple[str, str | None] | None
) -> None:
    assert read_event(event) == read


def test_a_locale_gives_its_language() -> None:
    assert [language(locale) for locale in ("en-US", "ro-RO", "pt_BR", "", None)] == [
        "en",
        "ro",
        "pt",
        None,
        None,
    ]


# ---------------------------------------------------------------------------------------------
# The notifier (reminders)

ANA_REP = Rep(
    id=7,
    team_id=1,
    platform="slack",
    external_id=ANA,
    chat_id=ANA_DM,
    display_name="Ana Pop",
    language="en",
    timezone="Europe/Bucharest",
    role=Role.REP,
)


class RecordingLimiter(SendLimiter):
    def __init__(self) -> None:
        super().__init__()
        self.booked: list[tuple[str, str]] = []

    async def wait(self, platform: str, chat_id: str) -> None:
        self.booked.append((platform, chat_id))


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    with FakeSlack().running() as fake:
        yield fake


def notifier_for(slack: FakeSlack, limiter: SendLimiter | None = None) -> SlackNotifier:
    return SlackNotifier(
        AsyncWebClient(token=slack.token, base_url=slack.url), limiter or RecordingLimiter()
    )


async def test_the_notifier_posts_the_card_into_the_reps_dm(slack: FakeSlack) -> None:
    limiter = RecordingLimiter()
    card = Reply("⏰ Time to call Sam Reed.", ((Button("✓ Done", "r:done:5"),),))

    await notifier_for(slack, limiter).send(ANA_REP, card)

    sent = slack.only("chat.postMessage")
    assert sent.params["channel"] == ANA_DM
    assert sent.section_text == "⏰ Time to call Sam Reed."
    assert sent.buttons == [["r:done:5"]]
    assert limiter.booked == []  # the dispatcher booked the slot before calling send


async def test_the_notifiers_further_parts_wait_for_their_slot(slack: FakeSlack) -> None:
    limiter = RecordingLimiter()

    await notifier_for(slack, limiter).send(ANA_REP, Reply("z" * (MAX_SECTION + 10)))

    assert slack.methods() == ["chat.postMessage", "chat.postMessage"]
    assert limiter.booked == [("slack", ANA_DM)]


@pytest.mark.parametrize(
    "error",
    ["account_inactive", "channel_not_found", "not_in_channel", "user_not_found", "is_archived"],
)
async def test_a_gone_channel_is_undeliverable(slack: FakeSlack, error: str) -> None:
    slack.fail("chat.postMessage", error)

    with pytest.raises(Undeliverable, match=error):
        await notifier_for(slack).send(ANA_REP, Reply("⏰ Time to call Sam Reed."))


async def test_a_429_asks_the_dispatcher_to_retry_after_slacks_delay(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "7"})

    with pytest.raises(RetryLater) as caught:
        await notifier_for(slack).send(ANA_REP, Reply("⏰ Time to call Sam Reed."))

    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize(("error", "status"), [("internal_error", 200), ("fatal_error", 500)])
async def test_other_errors_are_left_to_the_dispatchers_retries(
    slack: FakeSlack, error: str, status: int
) -> None:
    slack.fail("chat.postMessage", error, status=status)

    with pytest.raises(SlackApiError):
        await notifier_for(slack).send(ANA_REP, Reply("⏰ Time to call Sam Reed."))


async def test_the_notifier_refuses_reps_of_other_platforms(slack: FakeSlack) -> None:
    telegram_rep = Rep(
        id=8,
        team_id=1,
        platform="telegram",
        external_id="4242",
        chat_id="4242",
        display_name="Bo",
        language="en",
        timezone="UTC",
        role=Role.REP,
    )

    with pytest.raises(Undeliverable, match="telegram"):
        await notifier_for(slack).send(telegram_rep, Reply("hi"))
    assert slack.sent() == []


class Recording:
    def __init__(self) -> None:
        self.sent: list[tuple[Rep, Reply]] = []

    async def send(self, rep: Rep, reply: Reply) -> None:
        self.sent.append((rep, reply))


async def test_the_platform_notifier_sends_through_the_reps_own_platform() -> None:
    telegram, slack = Recording(), Recording()
    notifier = PlatformNotifier({"telegram": telegram, "slack": slack})
    telegram_rep = Rep(
        id=8,
        team_id=1,
        platform="telegram",
        external_id="4242",
        chat_id="4242",
        display_name="Bo",
        language="en",
        timezone="UTC",
        role=Role.REP,
    )
    console_rep = Rep(
        id=9,
        team_id=1,
        platform="console",
        external_id="cy",
        chat_id="cy",
        display_name="Cy",
        language="en",
        timezone="UTC",
        role=Role.REP,
    )

    await notifier.send(ANA_REP, Reply("to Slack"))
    await notifier.send(telegram_rep, Reply("to Telegram"))
    with pytest.raises(Undeliverable, match="console"):
        await notifier.send(console_rep, Reply("nowhere"))

    assert notifier.platforms == frozenset({"telegram", "slack"})
    assert [(rep.id, reply.text) for rep, reply in slack.sent] == [(7, "to Slack")]
    assert [(rep.id, reply.text) for rep, reply in telegram.sent] == [(8, "to Telegram")]


def test_the_command_words_can_follow_the_cores_commands() -> None:
    assert command_text("log call with Sam") == "log call with Sam"  # a capture, for now
    assert command_text("log call with Sam", frozenset({"log", "help"})) == "/log call with Sam"
