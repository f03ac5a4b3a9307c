"""``crmbot run`` end to end: the real process against a Bot API double on loopback.

A rep's reminder fell due while the bot was down; on start it goes out (late) as a card. The
rep logs a meeting in a message, then presses the card's Done button: the card is edited in
place and the press answered. SIGTERM then stops the bot cleanly. The token never shows up
in its output, even with DEBUG logging.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from handlers.clock import SystemClock
from handlers.domain import Role
from storage.database import create_engine
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.botapi import ANA, BOT_USERNAME, TOKEN, callback, message
from tests.adapters.fake_botapi import FakeBotApi

CRMBOT = Path(sys.executable).with_name("crmbot")
WAIT = 20.0
"""Seconds each step may take at most."""


async def seed(url: str) -> int:
    """Ana on a team, with a callback that fell due ten minutes ago; returns its id."""
    clock = SystemClock()
    engine = create_engine(url)
    try:
        async with SqlUnitOfWorkFactory(engine, clock)() as uow:
            team = await uow.teams.add("Northwind sales")
            rep = await uow.reps.add(
                team_id=team.id,
                platform="telegram",
                external_id=str(ANA["id"]),
                chat_id=str(ANA["id"]),
                display_name="Ana Pop",
                language="en",
                timezone="UTC",
                role=Role.REP,
            )
            # Ana picked English with /lang; her app (language_code "ro") no longer decides.
            rep = await uow.reps.set_language(rep.id, "en")
            reminder = await uow.reminders.add(
                team_id=team.id,
                rep_id=rep.id,
                due_at=clock.now() - timedelta(minutes=10),
                text="call back Sam Reed about the quote",
                contact_id=None,
                company_id=None,
            )
            await uow.commit()
        return reminder.id
    finally:
        await engine.dispose()


def environment(api_url: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "CRMBOT_")) and name != "DATABASE_URL"
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api_url,
        CRMBOT_DEFAULT_TIMEZONE="UTC",
        CRMBOT_LOG_LEVEL="DEBUG",
    )
    return env


def test_crmbot_run_delivers_a_late_reminder_logs_a_meeting_and_edits_the_card(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    upgrade(url)
    reminder_id = asyncio.run(seed(url))
    fake = FakeBotApi(TOKEN)
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"

    with (
        fake.running(),
        out.open("w") as stdout,
        err.open("w") as stderr,
    ):
        process = subprocess.Popen(
            [str(CRMBOT), "run", "--db", url],
            env=environment(fake.url),
            cwd=tmp_path,  # no stray .env
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            # 1. The reminder that fell due while the bot was down goes out on start.
            card, sent_card = fake.wait_for(
                lambda call, _: (
                    call.method == "sendMessage" and call.params["text"].startswith("⏰")
                ),
                "the late reminder card",
                time.monotonic() + WAIT,
            )
            assert card.params["chat_id"] == ANA["id"]
            assert "Late: this was due" in card.params["text"]
            assert "call back Sam Reed about the quote" in card.params["text"]
            assert card.buttons == [
                [f"r:done:{reminder_id}", f"r:snooze:{reminder_id}"],
                [f"r:tomorrow:{reminder_id}", f"r:pick:{reminder_id}"],
            ]
            card_id = sent_card["message_id"]

            # 2. A meeting, typed.
            fake.push(message(1, "Met Sam Reed from Northwind, call back tomorrow at 10"))
            confirmation, _ = fake.wait_for(
                lambda call, _: call.method == "sendMessage" and "Meeting" in call.params["text"],
                "the meeting's confirmation",
                time.monotonic() + WAIT,
            )
            assert confirmation.params["chat_id"] == ANA["id"]
            assert confirmation.params["text"].startswith(
                "✓ Meeting with Sam Reed (Northwind) saved."
            )

            # 3. Done, pressed on the card: the card changes, the press is answered.
            fake.push(
                callback(2, f"r:done:{reminder_id}", card_id=card_id, card_text="⏰", query_id="q2")
            )
            fake.wait_for(
                lambda call, _: call.method == "answerCallbackQuery",
                "the answer to the button press",
                time.monotonic() + WAIT,
            )
            calls = fake.calls()
            edit = next(call for call in calls if call.method == "editMessageText")
            assert calls.index(edit) < len(calls) - 1  # edited before the query was answered
            assert edit.params["chat_id"] == ANA["id"]
            assert edit.params["message_id"] == card_id
            assert edit.params["text"].startswith("✓ Done: “call back Sam Reed about the quote”")
            assert edit.buttons == [[f"r:log:{reminder_id}", f"r:nolog:{reminder_id}"]]
            answer = next(call for call in calls if call.method == "answerCallbackQuery")
            assert answer.params["callback_query_id"] == "q2"

            methods = [call.method for call in calls]
            assert methods[0] == "getMe"
            assert {"setMyCommands", "deleteWebhook", "getUpdates"} <= set(methods)
            assert methods.count("sendMessage") == 2  # the card and the confirmation, no more

            # 4. SIGTERM: a clean stop.
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=WAIT) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    output, errors = out.read_text(), err.read_text()
    assert f"running on Telegram as @{BOT_USERNAME} (long polling)" in output
    assert "getUpdates" in errors  # DEBUG logging did run...
    assert TOKEN not in output + errors  # ...and the token stayed out of it
    assert TOKEN.split(":")[1] not in output + errors
    with sqlite3.connect(tmp_path / "crm.db") as connection:
        (status,) = connection.execute(
            "SELECT status FROM reminders WHERE id = ?", (reminder_id,)
        ).fetchone()
    assert status == "done"


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = environment("http://127.0.0.1:9")  # nothing listens there
    base.pop("TELEGRAM_BOT_TOKEN")
    base.update(env)
    return subprocess.run(
        [str(CRMBOT), "run", "--db", f"sqlite:///{tmp_path / 'crm.db'}"],
        env=base,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_platform_run_says_what_to_set(tmp_path: Path) -> None:
    result = run(tmp_path)

    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "crmbot console" in result.stderr


def test_webhook_mode_requires_a_secret(tmp_path: Path) -> None:
    result = run(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_URL="https://bot.example.com/tg"
    )

    assert result.returncode == 2
    assert "TELEGRAM_WEBHOOK_SECRET" in result.stderr
    assert TOKEN not in result.stdout + result.stderr


def test_a_rejected_token_is_a_clear_error_that_does_not_print_it(tmp_path: Path) -> None:
    wrong = "999:not-the-right-token"
    with FakeBotApi(TOKEN).running() as fake:
        result = run(tmp_path, TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_API_BASE_URL=fake.url)

    assert result.returncode == 2
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in result.stderr
    assert "not-the-right-token" not in result.stdout + result.stderr
