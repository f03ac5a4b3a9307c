"""``crmbot run`` as operators see it: metrics that move, a health check, and a second
long poller refused with a clear message."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from pathlib import Path

import httpx

from storage.migrate import upgrade
from tests.adapters.botapi import ANA, TOKEN, message
from tests.adapters.doubles import free_port
from tests.adapters.fake_botapi import FakeBotApi
from tests.adapters.test_telegram_e2e import CRMBOT, WAIT, environment, seed


def wait_for_line(path: Path, pattern: str, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if match := re.search(pattern, path.read_text()):
            return match.group(0)
        assert process.poll() is None, f"crmbot exited: {path.read_text()}"
        time.sleep(0.1)
    raise AssertionError(f"no {pattern!r} in {path.read_text()!r}")


def test_metrics_move_health_is_reported_and_a_second_poller_is_refused(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    upgrade(url)
    asyncio.run(seed(url))  # Ana, a rep of a team, on Telegram
    port = free_port()
    fake = FakeBotApi(TOKEN)
    out = tmp_path / "stdout.txt"
    with fake.running(), out.open("w") as stdout:
        env = environment(fake.url) | {"CRMBOT_METRICS_PORT": str(port)}
        env["CRMBOT_LOG_LEVEL"] = "WARNING"
        first = subprocess.Popen(
            [str(CRMBOT), "run", "--db", url], env=env, cwd=tmp_path, stdout=stdout
        )
        try:
            wait_for_line(out, r"ready in [\d.]+ s, metrics on \S+", first)
            fake.push(message(1, "Met Sam Reed from Northwind, call back tomorrow at 10"))
            fake.wait_for(  # in Ana's language: any answer that is not the reminder card
                lambda call, _: (
                    call.method == "sendMessage" and not call.params["text"].startswith("⏰")
                ),
                "the meeting's confirmation",
                time.monotonic() + WAIT,
            )
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=WAIT).text
            healthz = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=WAIT)

            second = subprocess.run(
                [str(CRMBOT), "run", "--db", url],
                env=environment(fake.url),  # no metrics port: the refusal comes first anyway
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert first.poll() is None  # the first one kept running
        finally:
            first.terminate()
            first.wait(timeout=WAIT)

    assert (
        'crmbot_messages_total{kind="text",outcome="answered",platform="telegram"} 1.0' in metrics
    )
    assert 'crmbot_notifications_total{kind="reminder",outcome="sent"} 1.0' in metrics
    assert healthz.status_code == 200, healthz.text
    assert healthz.json()["status"] == "ok"
    assert second.returncode == 2
    assert "already long-polling Telegram for this bot" in second.stderr
    assert "TELEGRAM_WEBHOOK_URL" in second.stderr
    assert TOKEN.split(":")[1] not in second.stderr
    assert ANA["id"]  # the seeded rep the message came from
