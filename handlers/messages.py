"""What a rep sends the bot, and what the bot answers: the core's message model.

Adapters translate their platform's updates into :class:`Incoming` and render :class:`Reply`
in their own idiom (Telegram inline keyboards, Slack Block Kit, numbered console lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Incoming:
    """One update from a rep: a text message or a button press."""

    platform: str
    """Which adapter it came from: ``console``, ``telegram``, ``slack``."""
    user_id: str
    """The rep's id on that platform (unique together with ``platform``)."""
    chat_id: str
    """Where replies and later notifications for this rep go."""
    text: str = ""
    button: str | None = None
    """The payload of a pressed button, or None for a typed message."""
    display_name: str = ""
    language: str | None = None
    """The language the platform reports for the rep (``en``, ``ro``...), if any."""
    timezone: str | None = None
    """An IANA zone the adapter knows for the rep (the console's ``--tz``), if any."""
    update_id: str | None = None
    """The platform's id of this delivery (Telegram ``update_id``, Slack ``event_id``).

    Platforms deliver again after timeouts and restarts; an update seen before is ignored.
    """
    attachment: str | None = None
    """What the message carried instead of text, if anything: ``photo``, ``voice``..."""
    voice_file_id: str | None = None
    """For a voice note: the platform's id of the recording (Telegram ``file_id``), so it
    can be kept with the rep's last capture and fetched again later."""

    @property
    def is_button(self) -> bool:
        return self.button is not None


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """The bot's answer: text, plus optional rows of buttons, and an optional picture."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default=())
    image: bytes | None = field(default=None, repr=False)
    """A picture that goes with the text (the weekly digest's PNG chart), if any."""
    image_name: str = "chart.png"
    """The picture's file name, for platforms and consoles that show or save one."""

    @property
    def flat_buttons(self) -> tuple[Button, ...]:
        return tuple(button for row in self.buttons for button in row)
