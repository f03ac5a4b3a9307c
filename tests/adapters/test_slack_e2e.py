"""``crmbot run`` end to end on Slack and Telegram at once: the real process, in HTTP mode,
against a Slack Web API double and a Bot API double on loopback.

One team has a rep on Telegram and a rep on Slack, and each has a callback that fell due while
the bot was down: on start each card goes out on its rep's own platform. The Slack rep then
logs a meeting in a DM (a signed request over HTTP) and presses the card's Done button, which
updates the card. SIGTERM stops the bot cleanly, and no secret shows up in its output, even
with DEBUG logging.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx

from handlers.clock import SystemClock
from handlers.domain import Role
from storage.database import create_engine
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters import botapi
from tests.adapters.doubles import free_port
from tests.adapters.fake_botapi import FakeBotApi
from tests.adapters.fake_slack import (
    ANA,
    ANA_DM,
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    SlackRequest,
    button_press,
    message_event,
    signed,
)

CRMBOT = Path(sys.executable).with_name("crmbot")
WAIT = 20.0
"""Seconds each step may take at most."""


async def seed(url: str) -> tuple[int, int]:
    """A team with a rep on Telegram and a rep on Slack, each with a callback that fell due
    ten minutes ago; returns the two reminders' ids (Telegram's, Slack's)."""
    clock = SystemClock()
    engine = create_engine(url)
    try:
        async with SqlUnitOfWorkFactory(engine, clock)() as uow:
            team = await uow.teams.add("Northwind sales")
            ids = []
            for platform, external_id, chat_id, name in (
                ("telegram", str(botapi.ANA["id"]), str(botapi.ANA["id"]), "Tudor Ionescu"),
                ("slack", ANA, ANA_DM, "Ana Pop"),
            ):
                rep = await uow.reps.add(
                    team_id=team.id,
                    platform=platform,
                    external_id=external_id,
                    chat_id=chat_id,
                    display_name=name,
                    language="en",
                    timezone="UTC",
                    role=Role.REP,
                )
                # Both picked English with /lang: their apps' languages no longer decide.
                rep = await uow.reps.set_language(rep.id, "en")
                reminder = await uow.reminders.add(
                    team_id=team.id,
                    rep_id=rep.id,
                    due_at=clock.now() - timedelta(minutes=10),
                    text=f"call back Sam Reed about the quote ({platform})",
                    contact_id=None,
                    company_id=None,
                )
                ids.append(reminder.id)
            await uow.commit()
        return ids[0], ids[1]
    finally:
        await engine.dispose()


def environment(**settings: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "SLACK_", "CRMBOT_")) and name != "DATABASE_URL"
    }
    env.update(CRMBOT_DEFAULT_TIMEZONE="UTC", CRMBOT_LOG_LEVEL="DEBUG", **settings)
    return env


def post(port: int, request: SlackRequest) -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{port}/slack/events",
        content=request.body,
        headers={"Content-Type": request.content_type, **signed(request.body)},
        timeout=WAIT,
    )


def test_crmbot_run_serves_telegram_and_slack_reps_from_one_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    upgrade(url)
    telegram_reminder, slack_reminder = asyncio.run(seed(url))
    port = free_port()
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"

    with (
        FakeBotApi(botapi.TOKEN).running() as telegram,
        FakeSlack().running() as slack,
        out.open("w") as stdout,
        err.open("w") as stderr,
    ):
        process = subprocess.Popen(
            [str(CRMBOT), "run", "--db", url],
            env=environment(
                TELEGRAM_BOT_TOKEN=botapi.TOKEN,
                TELEGRAM_API_BASE_URL=telegram.url,
                SLACK_BOT_TOKEN=BOT_TOKEN,
                SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_HTTP_LISTEN="127.0.0.1",
                SLACK_HTTP_PORT=str(port),
                SLACK_API_BASE_URL=slack.url,
            ),
            cwd=tmp_path,  # no stray .env
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            # 1. Each late reminder goes out on its rep's own platform.
            (card,) = slack.wait_until("chat.postMessage", within=WAIT)
            assert card.params["channel"] == ANA_DM
            assert card.section_text.startswith("⏰")
            assert "(slack)" in card.section_text
            assert card.buttons[0][0] == f"r:done:{slack_reminder}"
            telegram_card, _ = telegram.wait_for(
                lambda call, _: (
                    call.method == "sendMessage" and call.params["text"].startswith("⏰")
                ),
                "the Telegram rep's card",
                time.monotonic() + WAIT,
            )
            assert telegram_card.params["chat_id"] == botapi.ANA["id"]
            assert "(telegram)" in telegram_card.params["text"]
            assert telegram_card.buttons[0][0] == f"r:done:{telegram_reminder}"
            card_ts = card.answer["ts"]

            # 2. A meeting, typed in the Slack DM.
            answer = post(port, message_event("Ev0E2E", "Met Sam Reed from Northwind"))
            assert answer.status_code == 200
            _, confirmation = slack.wait_until("chat.postMessage", count=2, within=WAIT)
            assert confirmation.params["channel"] == ANA_DM
            assert confirmation.section_text.startswith("✓ Meeting with Sam Reed (Northwind)")

            # 3. Done, pressed on the Slack card: the card itself changes.
            answer = post(
                port,
                button_press(
                    f"r:done:{slack_reminder}",
                    trigger_id="7.7.e2e",
                    message_ts=card_ts,
                    response_url=slack.response_url(),
                ),
            )
            assert answer.status_code == 200
            (update,) = slack.wait_until("chat.update", within=WAIT)
            assert (update.params["channel"], update.params["ts"]) == (ANA_DM, card_ts)
            assert update.section_text.startswith("✓ Done")

            # 4. SIGTERM: a clean stop.
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=WAIT) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    output, errors = out.read_text(), err.read_text()
    assert f"on Telegram as @{botapi.BOT_USERNAME} (long polling)" in output
    assert f"on Slack as @crm in Acme (HTTP on 127.0.0.1:{port}/slack/events)" in output
    assert "chat.postMessage" in errors  # DEBUG logging did run...
    for secret in (BOT_TOKEN, SIGNING_SECRET, botapi.TOKEN):  # ...and no secret is in it
        assert secret not in output + errors
    with sqlite3.connect(tmp_path / "crm.db") as connection:
        statuses = dict(connection.execute("SELECT id, status FROM reminders").fetchall())
    assert statuses[slack_reminder] == "done"
    assert statuses[telegram_reminder] != "done"


def run(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CRMBOT), "run", "--db", f"sqlite:///{tmp_path / 'crm.db'}"],
        env=environment(**settings),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_platform_run_names_both(tmp_path: Path) -> None:
    result = run(tmp_path)

    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "crmbot console" in result.stderr


def test_a_rejected_slack_token_is_a_clear_error_that_does_not_print_it(tmp_path: Path) -> None:
    with FakeSlack(token="xoxb-the-right-one").running() as slack:
        result = run(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_HTTP_PORT=str(free_port()),
            SLACK_HTTP_LISTEN="127.0.0.1",
            SLACK_API_BASE_URL=slack.url,
        )

    assert result.returncode == 2
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
    assert BOT_TOKEN not in result.stdout + result.stderr
    assert SIGNING_SECRET not in result.stdout + result.stderr


def test_a_rejected_app_token_is_a_clear_error(tmp_path: Path) -> None:
    with FakeSlack(app_token="xapp-1-the-right-one").running() as slack:
        result = run(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_BASE_URL=slack.url,
        )

    assert result.returncode == 2
    assert "Slack rejected SLACK_APP_TOKEN (invalid_auth)" in result.stderr
    assert APP_TOKEN not in result.stdout + result.stderr


def test_http_mode_without_a_signing_secret_says_what_to_set(tmp_path: Path) -> None:
    result = run(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN)

    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert BOT_TOKEN not in result.stdout + result.stderr


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with FakeSlack().running() as slack, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_HTTP_LISTEN="127.0.0.1",
            SLACK_HTTP_PORT=str(port),
            SLACK_API_BASE_URL=slack.url,
        )

    assert result.returncode == 2
    assert f"cannot start on Slack (port {port})" in result.stderr
