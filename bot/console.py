"""The console adapter: talk to the bot in a terminal, or pipe a script of messages into it.

Each input line is one message. A reply's buttons print as ``[1] Label`` lines, and a line
``[N]`` presses button N of the latest reply that had buttons.
"""

from __future__ import annotations

import asyncio
import re
import sys
from typing import TextIO

from handlers.assistant import Assistant
from handlers.messages import Button, Incoming, Reply

PLATFORM = "console"
_PRESS = re.compile(r"^\[(\d+)\]$")


def render(reply: Reply) -> str:
    lines = [reply.text]
    lines += [f"[{number}] {button.label}" for number, button in enumerate(reply.flat_buttons, 1)]
    return "\n".join(lines)


class ConsoleSession:
    """One console user's conversation: turns lines into updates and replies into text."""

    def __init__(
        self, assistant: Assistant, user: str, timezone: str, language: str | None
    ) -> None:
        self._assistant = assistant
        self._user = user
        self._timezone = timezone
        self._language = language
        self._buttons: tuple[Button, ...] = ()

    def _incoming(self, text: str = "", button: str | None = None) -> Incoming:
        return Incoming(
            platform=PLATFORM,
            user_id=self._user,
            chat_id=self._user,
            text=text,
            button=button,
            display_name=self._user,
            language=self._language,
            timezone=self._timezone,
        )

    async def send(self, line: str) -> str:
        """The bot's answer to one typed line, as it prints."""
        line = line.strip()
        if press := _PRESS.match(line):
            number = int(press.group(1))
            if not 1 <= number <= len(self._buttons):
                return (
                    f"There is no button [{number}] on the last card."
                    if self._buttons
                    else "There are no buttons to press right now."
                )
            reply = await self._assistant.handle(
                self._incoming(button=self._buttons[number - 1].payload)
            )
        else:
            reply = await self._assistant.handle(self._incoming(text=line))
        if reply.buttons:
            self._buttons = reply.flat_buttons
        return render(reply)


async def run_console(session: ConsoleSession, stdin: TextIO, stdout: TextIO) -> None:
    """Read messages until end of input, printing each answer."""
    interactive = stdin.isatty()
    if interactive:
        print("crmbot console: type a message, /help for examples, Ctrl-D to quit.", file=stdout)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        # A thread keeps the event loop free while waiting for the next line.
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            if interactive:
                print(file=stdout)
            return
        if not line.strip():
            continue
        print(await session.send(line), file=stdout, flush=True)
        if not interactive:
            print(file=stdout)


def main_console(session: ConsoleSession) -> None:
    asyncio.run(run_console(session, sys.stdin, sys.stdout))
