"""The console adapter: talk to the bot in a terminal, or pipe a script of messages into it.

Each input line is one message. A reply's buttons print as ``[1] Label`` lines, and a line
``[N]`` presses button N of the latest reply that had buttons. Reminders that fall due while
the console is open print as they come, like messages from the bot in a chat app.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path
from typing import TextIO

from handlers.assistant import Assistant
from handlers.domain import Rep
from handlers.i18n import DEFAULT_LOCALE, _, use_locale
from handlers.messages import Button, Incoming, Reply

PLATFORM = "console"
IMAGE_FOLDER = Path(tempfile.gettempdir()) / "crmbot"
"""Where pictures sent to the console (the weekly digest's chart) are saved."""
_PRESS = re.compile(r"^\[(\d+)\]$")


def render(reply: Reply, image_path: Path | None = None) -> str:
    lines = [reply.text]
    if reply.image is not None:
        saved = f", saved to {image_path}" if image_path is not None else ""
        lines.append(f"[chart: {len(reply.image):,} bytes{saved}]")
    lines += [f"[{number}] {button.label}" for number, button in enumerate(reply.flat_buttons, 1)]
    return "\n".join(lines)


def save_image(reply: Reply, folder: Path) -> Path | None:
    """Write a reply's picture into ``folder`` (a terminal cannot show it); its path."""
    if reply.image is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(reply.image_name).name
    path.write_bytes(reply.image)
    return path


class ConsoleSession:
    """One console user's conversation: turns lines into updates and replies into text."""

    def __init__(
        self,
        assistant: Assistant,
        out: TextIO,
        *,
        user: str,
        timezone: str | None,
        language: str | None,
        spaced: bool = True,
    ) -> None:
        self._assistant = assistant
        self._out = out
        self._spaced = spaced
        """A blank line after each message, so piped transcripts read as separate messages."""
        self.user = user
        self._timezone = timezone
        """The user's zone if they gave one (``--tz``); None lets the core ask or keep it."""
        self._language = language
        self._buttons: tuple[Button, ...] = ()

    def _incoming(self, text: str = "", button: str | None = None) -> Incoming:
        return Incoming(
            platform=PLATFORM,
            user_id=self.user,
            chat_id=self.user,
            text=text,
            button=button,
            display_name=self.user,
            language=self._language,
            timezone=self._timezone,
        )

    def show(self, reply: Reply) -> None:
        """Print a reply; its buttons become the ones ``[N]`` presses."""
        if reply.buttons:
            self._buttons = reply.flat_buttons
        text = render(reply, save_image(reply, IMAGE_FOLDER))
        print(text + ("\n" if self._spaced else ""), file=self._out, flush=True)

    async def send(self, line: str) -> None:
        """Handle one typed line and print the bot's answer."""
        line = line.strip()
        if press := _PRESS.match(line):
            number = int(press.group(1))
            if not 1 <= number <= len(self._buttons):
                with use_locale(self._language or DEFAULT_LOCALE):
                    message = (
                        _("There is no button [{number}] on the last card.").format(number=number)
                        if self._buttons
                        else _("There are no buttons to press right now.")
                    )
                self.show(Reply(message))
                return
            button = self._buttons[number - 1]
            reply = await self._assistant.handle(self._incoming(button=button.payload))
        else:
            reply = await self._assistant.handle(self._incoming(text=line))
        if reply is not None:  # the console sends no update ids, so never a redelivery
            self.show(reply)


class ConsoleNotifier:
    """Delivers reminders to the console user by printing them in the session."""

    def __init__(self, session: ConsoleSession) -> None:
        self._session = session

    async def send(self, rep: Rep, reply: Reply) -> None:
        if (rep.platform, rep.external_id) != (PLATFORM, self._session.user):
            # Only this console's user is here to read it; the dispatcher is filtered to them.
            raise LookupError(f"rep {rep.id} is not the console user")
        self._session.show(reply)


async def read_lines(session: ConsoleSession, stdin: TextIO, out: TextIO) -> None:
    """Read messages until end of input, printing each answer."""
    interactive = stdin.isatty()
    if interactive:
        print("crmbot console: type a message, /help for examples, Ctrl-D to quit.", file=out)
    while True:
        if interactive:
            print("> ", end="", file=out, flush=True)
        # A thread keeps the event loop free (for reminders) while waiting for the next line.
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            if interactive:
                print(file=out)
            return
        if not line.strip():
            continue
        await session.send(line)
