"""Startup time to the first answered message, and the resident memory of ``crmbot run``.

Run from the repository root::

    python -m benchmarks.startup [--backend sqlite|postgresql] [--messages N]

Starts the real ``crmbot run`` process against the Bot API double of the adapter tests
(tests/adapters/fake_botapi.py) on loopback, with a rep's message already waiting in
getUpdates, and times from the process's spawn to the bot's answer (imports, settings, the
migration check, the Telegram handshake, the first update through the core). Then it sends
``--messages`` more messages one after another and reads the process's resident memory
(VmRSS) after the first answer and after the last.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from benchmarks.load import Phrasebook
from benchmarks.reminders import database
from storage.migrate import upgrade
from tests.adapters.botapi import TOKEN, message
from tests.adapters.fake_botapi import FakeBotApi
from tests.adapters.test_telegram_e2e import CRMBOT, environment, seed

WAIT = 60.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS (Linux only)")


def answers(fake: FakeBotApi) -> int:
    """Answers to typed messages so far (reminder cards start with ⏰)."""
    return sum(
        1
        for call in fake.calls()
        if call.method == "sendMessage" and not str(call.params.get("text", "")).startswith("⏰")
    )


def wait_for_answers(fake: FakeBotApi, count: int) -> None:
    fake.wait_for(lambda *_: answers(fake) >= count, f"{count} answers", time.monotonic() + WAIT)


@contextmanager
def bot_database(backend: str) -> Iterator[str]:
    if backend == "postgresql":
        with database("postgresql") as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="crmbot-startup-") as folder:
        url = f"sqlite:///{Path(folder) / 'crm.db'}"
        upgrade(url)
        yield url


def measure(backend: str, messages: int) -> list[str]:
    texts = [text for group in Phrasebook.load().captures.values() for text in group]
    with bot_database(backend) as url:
        asyncio.run(seed(url))  # a rep on Telegram, with a reminder due
        fake = FakeBotApi(TOKEN)
        with fake.running(), tempfile.TemporaryDirectory() as folder:
            fake.push(message(1, "Met Sam Reed from Northwind, call back tomorrow at 10"))
            env = environment(fake.url) | {"CRMBOT_LOG_LEVEL": "WARNING"}
            started = time.perf_counter()
            process = subprocess.Popen(
                [str(CRMBOT), "run", "--db", url],
                env=env,
                cwd=folder,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for_answers(fake, 1)
                first = time.perf_counter() - started
                rss_first = rss_mib(process.pid)
                for number in range(messages):
                    fake.push(message(2 + number, texts[number % len(texts)]))
                # One chat: the answers go out at Telegram's 1 message/s per chat. Wait for
                # them to settle (some are card edits, not new messages).
                settled_at, seen = time.monotonic(), answers(fake)
                while time.monotonic() - settled_at < 3:
                    time.sleep(0.2)
                    if answers(fake) != seen:
                        settled_at, seen = time.monotonic(), answers(fake)
                rss_after = rss_mib(process.pid)
                handled = seen - 1
            finally:
                process.terminate()
                process.wait(timeout=WAIT * 5)
    return [
        f"{backend}: first message answered {first:.2f} s after `crmbot run` started",
        f"  resident memory: {rss_first:.0f} MiB after it, {rss_after:.0f} MiB after "
        f"{messages} more messages ({handled} answered)",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        for line in measure(backend, args.messages):
            print(line, flush=True)


if __name__ == "__main__":
    main()
