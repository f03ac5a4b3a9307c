"""The Slack adapter (slack-bolt's AsyncApp): events, commands and button presses in, the
core's replies out.

Per update it does what every adapter does and nothing more: turn the request into an
:class:`~handlers.messages.Incoming`, await :meth:`Assistant.handle`, render the
:class:`~handlers.messages.Reply` as Block Kit (plain-text sections plus one actions block per
row of buttons). Every request is acknowledged at once, before the core runs, so Slack always
has its answer within 3 seconds; the work then runs in a task of its own, one rep's updates in
arrival order. A rep talks to the bot in its direct-message channel or with the slash command
(``/crm today``, ``/crm Met Sam Reed…``); a button press updates the card it is on.

Slack delivers an event again when it did not get its acknowledgement in time (same
``event_id``, an ``X-Slack-Retry-Num`` header): the event id is the core's update id, so a retry
changes nothing twice. Commands and presses are keyed by their ``trigger_id``.

Requests come over a WebSocket (Socket Mode, with an app-level token; no public URL needed) or
as signed HTTP requests to ``/slack/events`` (HTTP mode; bolt verifies each signature and
timestamp with the signing secret and answers 401 to anything else).

Every message and update goes through the process's shared
:class:`~reminders.ratelimit.SendLimiter` (Slack: 1 message/s per channel) and waits out a 429's
Retry-After. :class:`SlackNotifier` delivers reminders for the dispatcher and maps Slack's
errors onto the core's delivery errors.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, Protocol, TypeVar

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.telegram import split_text
from handlers.domain import Rep
from handlers.messages import Incoming, Reply
from handlers.ports import RetryLater, Undeliverable
from reminders.ratelimit import SendLimiter

log = logging.getLogger(__name__)

PLATFORM: Final = "slack"
SLACK_API: Final = "https://slack.com/api/"
EVENTS_PATH: Final = "/slack/events"
"""Where HTTP mode takes events, slash commands and interactivity (the manifest's URLs)."""

COMMANDS: Final = frozenset({"help", "today", "reminders", "cancel", "start"})
"""First words of ``/crm <text>`` that are the core's commands (``/crm today`` -> ``/today``)."""

MAX_SECTION: Final = 3000
"""Slack's limit for a section's text; a longer reply goes out as several messages. (Parts
are measured in UTF-16 units, never fewer than characters, so they always fit.)"""

MAX_BUTTON_VALUE: Final = 2000
"""Slack's limit for a button's value, which carries the core's payload."""

MAX_BUTTON_TEXT: Final = 75
"""Slack's limit for a button's label."""

ACTION_PREFIX: Final = "crm:"
_OUR_ACTIONS: Final = re.compile(rf"^{re.escape(ACTION_PREFIX)}")

_SEND_ATTEMPTS: Final = 3
"""Tries per reply message when Slack answers 429 (each after its Retry-After)."""

_GONE: Final = frozenset(
    {"account_inactive", "channel_not_found", "not_in_channel", "user_not_found", "is_archived"}
)
"""Slack errors that mean the rep's channel will never take a message again."""

_CARD_GONE: Final = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})
"""chat.update errors after which the reply goes out as a new message instead."""

_PROFILE_TTL: Final = 3600.0
"""Seconds a rep's name and language from users.info are reused before asking again."""

_CONNECT_TIMEOUT: Final = 30.0
"""Seconds Socket Mode may take to open its WebSocket on start."""

_DRAIN_TIMEOUT: Final = 30.0
"""Seconds :meth:`SlackAdapter.stop` waits for the updates in hand."""

_T = TypeVar("_T")


class Core(Protocol):
    """What the adapter needs of the core: :meth:`handlers.assistant.Assistant.handle`."""

    async def handle(self, incoming: Incoming) -> Reply | None: ...


# ---------------------------------------------------------------------------------------------
# Modes


@dataclass(frozen=True, slots=True)
class SocketMode:
    """Slack pushes requests over a WebSocket the bot opens: no public URL needed."""

    app_token: str
    """The app-level token (``xapp-…``) with the ``connections:write`` scope."""


@dataclass(frozen=True, slots=True)
class HttpMode:
    """Slack posts signed requests to ``http://listen:port/slack/events`` (behind TLS)."""

    signing_secret: str
    listen: str = "0.0.0.0"
    port: int = 3000


Mode = SocketMode | HttpMode


# ---------------------------------------------------------------------------------------------
# Reading: Slack's text and payloads as the core's words

_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def _unmarkup(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(("@", "#")):  # <@U123>, <#C123|general>
        return target[0] + (label or target[1:])
    if target.startswith("!"):  # <!here>, <!subteam^S123|@sales>
        return label or "@" + target[1:].split("^")[0]
    if label:  # <https://acme.com|acme.com>, <mailto:ana@acme.com|ana@acme.com>
        return label
    return target.removeprefix("mailto:")


def plain_text(text: str) -> str:
    """What the rep typed, from Slack's markup: links and mentions as they read, and the
    three characters Slack escapes (``&amp;``, ``&lt;``, ``&gt;``) back."""
    text = _MARKUP.sub(_unmarkup, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    """Text for a field Slack reads as markup (a message's ``text``): escape ``& < >``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def command_text(text: str, commands: frozenset[str] = COMMANDS) -> str:
    """``/crm <text>`` as the core takes it: a known command word becomes that command
    (``today`` -> ``/today``, ``start invite-7f`` -> ``/start invite-7f``), nothing at all
    is ``/help``, and anything else is a capture, word for word."""
    text = plain_text(text).strip()
    if not text:
        return "/help"
    first, _, rest = text.partition(" ")
    word = first.lower().lstrip("/")
    if word in commands:
        return f"/{word} {rest.strip()}".rstrip()
    return text


def language(locale: str | None) -> str | None:
    """The primary language of a Slack locale (``en-US`` -> ``en``)."""
    if not locale:
        return None
    return locale.replace("_", "-").split("-")[0].lower() or None


def attachment_of(event: Mapping[str, Any]) -> str | None:
    """What a file-sharing message carries, in the core's words (``I can't read a photo``)."""
    files = event.get("files") or []
    if not files:
        return None
    file = files[0]
    mimetype = str(file.get("mimetype") or "")
    if file.get("subtype") == "slack_audio":
        return "voice note"
    for prefix, name in (("image/", "photo"), ("audio/", "sound file"), ("video/", "video")):
        if mimetype.startswith(prefix):
            return name
    return "document"


def read_event(event: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """The (text, attachment) a message event gives the core, or None when it is not for it.

    Only a person's new messages in the bot's DM count: other bots' posts, edits, deletions,
    joins and the like are not messages from a rep. A message with a file is ``("", "photo")``
    and so on, as on Telegram.
    """
    if event.get("channel_type") != "im" or not event.get("user"):
        return None
    if event.get("bot_id") or event.get("hidden"):
        return None
    subtype = event.get("subtype")
    if subtype == "file_share":
        return "", attachment_of(event) or "document"
    if subtype is not None:
        return None  # bot_message, message_changed, message_deleted, channel_join, me_message...
    return plain_text(str(event.get("text") or "")), None


# ---------------------------------------------------------------------------------------------
# Rendering: a Reply as Block Kit messages


def _button(index: int, label: str, payload: str) -> dict[str, Any]:
    size = len(payload)
    if not 1 <= size <= MAX_BUTTON_VALUE:
        raise ValueError(
            f"button {label!r}: a value of {size} characters; Slack takes 1 to {MAX_BUTTON_VALUE}"
        )
    if len(label) > MAX_BUTTON_TEXT:
        label = label[: MAX_BUTTON_TEXT - 1] + "…"
    return {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}{index}",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": payload,
    }


def actions(reply: Reply) -> list[dict[str, Any]]:
    """One actions block per row of the reply's buttons; a button's value is its payload and
    its ``action_id`` is unique in the message (``crm:0``, ``crm:1``...)."""
    blocks: list[dict[str, Any]] = []
    index = 0
    for row in reply.buttons:
        elements = []
        for button in row:
            elements.append(_button(index, button.label, button.payload))
            index += 1
        if elements:
            blocks.append({"type": "actions", "elements": elements})
    return blocks


@dataclass(frozen=True, slots=True)
class Message:
    """One Slack message: the fallback ``text`` (notifications) and its ``blocks``."""

    text: str
    blocks: list[dict[str, Any]]

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def render(reply: Reply) -> list[Message]:
    """The reply as messages of at most :data:`MAX_SECTION` characters of plain text each
    (plain text: nothing a rep typed can garble it), the buttons under the last one."""
    parts = [part for part in split_text(reply.text, MAX_SECTION) if part] or ["…"]
    buttons = actions(reply)
    messages = []
    for index, part in enumerate(parts):
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "plain_text", "text": part, "emoji": True}}
        ]
        if index == len(parts) - 1:
            blocks += buttons
        messages.append(Message(escape(part), blocks))
    return messages


def retry_after_seconds(error: SlackApiError) -> float | None:
    """Seconds to wait from a 429 (its Retry-After header), or None when it is no 429."""
    response = error.response
    if response.status_code != 429 and response.get("error") != "ratelimited":
        return None
    headers = response.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0


def _error_code(error: SlackApiError) -> str:
    return str(error.response.get("error") or "")


# ---------------------------------------------------------------------------------------------
# Updates in: the adapter


class _TokenFromOurSettings(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and warns that the client we
    give it (the same token, our API base URL) wins over it; that is the intent, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_QUIET_TOKEN_WARNING: Final = _TokenFromOurSettings()


def build_app(bot_token: str, mode: Mode, api_base_url: str = SLACK_API) -> AsyncApp:
    """A bolt app for one workspace, its Web API client pointed at ``api_base_url``.

    HTTP mode verifies every request's signature and timestamp with the signing secret;
    Socket Mode requests come over the bot's own authenticated WebSocket instead.
    """
    client = AsyncWebClient(token=bot_token, base_url=api_base_url)
    logging.getLogger(f"slack_bolt.{AsyncApp.__name__}").addFilter(_QUIET_TOKEN_WARNING)
    http = isinstance(mode, HttpMode)
    return AsyncApp(
        name="crmbot",
        client=client,
        signing_secret=mode.signing_secret if isinstance(mode, HttpMode) else "",
        request_verification_enabled=http,
    )


class SlackAdapter:
    def __init__(
        self,
        core: Core,
        limiter: SendLimiter,
        *,
        bot_token: str,
        mode: Mode,
        api_base_url: str = SLACK_API,
        commands: frozenset[str] = COMMANDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._core = core
        self._commands = commands
        """The core's commands, which ``/crm <word>`` runs."""
        self._limiter = limiter
        self.mode = mode
        self.app = build_app(bot_token, mode, api_base_url)
        self._monotonic = monotonic
        self.bot_user_id = ""
        self.bot_name = ""
        self.team = ""
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._queued: dict[str, int] = {}
        self._dms: dict[str, str] = {}
        """Each rep's DM channel with the bot, where their reminders go."""
        self._profiles: dict[str, tuple[float, str, str | None]] = {}
        """users.info answers: (fetched at, display name, language) per user id."""
        self.app.event("message")(self._on_message)
        self.app.command(re.compile(r"^/"))(self._on_command)  # the manifest's /crm
        self.app.action(_OUR_ACTIONS)(self._on_action)

    @property
    def client(self) -> AsyncWebClient:
        return self.app.client

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Check the bot token (auth.test), then start taking requests.

        Raises :class:`SlackApiError` for a rejected token, :class:`OSError` when the HTTP
        port cannot be opened, :class:`TimeoutError` when the WebSocket does not open.
        """
        auth = await self.client.auth_test()
        self.bot_user_id = str(auth.get("user_id") or "")
        self.bot_name = str(auth.get("user") or "")
        self.team = str(auth.get("team") or "")
        if isinstance(self.mode, SocketMode):
            # Ask for the WebSocket URL ourselves: a rejected app token is then an error
            # here, where the SDK's own connect() would retry it forever.
            opened = await self.client.apps_connections_open(app_token=self.mode.app_token)
            self._socket = AsyncSocketModeHandler(
                self.app, app_token=self.mode.app_token, web_client=self.client
            )
            self._socket.client.wss_uri = str(opened["url"])
            connect = self._socket.connect_async()  # type: ignore[no-untyped-call]
            await asyncio.wait_for(connect, _CONNECT_TIMEOUT)
        else:
            web_app = self.app.web_app(path=EVENTS_PATH, port=self.mode.port)
            self._runner = web.AppRunner(web_app, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, self.mode.listen, self.mode.port).start()

    async def stop(self) -> None:
        """Stop taking requests, finish the updates in hand. Safe after a failed start."""
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.idle(_DRAIN_TIMEOUT)

    async def idle(self, at_most: float | None = None) -> None:
        """Wait until no update is being handled (or ``at_most`` seconds have passed)."""
        while self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=at_most)
            if pending:
                log.warning("%d Slack update(s) still in hand after %s s", len(pending), at_most)
                return

    # -- requests in: acknowledge, then work in a task of the rep's -----------------------

    def _spawn(self, user_id: str, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._in_order(user_id, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _in_order(self, user_id: str, work: Coroutine[Any, Any, None]) -> None:
        """One rep's updates run one at a time, in arrival order (a "Pick a time" press and
        the answer typed after it); other reps' run meanwhile."""
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        self._queued[user_id] = self._queued.get(user_id, 0) + 1
        try:
            async with lock:
                await work
        except Exception:
            log.exception("Slack update from %s failed", user_id)
        finally:
            self._queued[user_id] -= 1
            if not self._queued[user_id]:
                del self._queued[user_id], self._locks[user_id]

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        # Events are acknowledged by bolt before this runs. Its own messages never get here
        # (bolt drops the events of this bot user); those of other bots are dropped below.
        read = read_event(event)
        if read is None:
            return
        self._spawn(str(event["user"]), self._handle_message(body, event, *read))

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        self._spawn(str(command["user_id"]), self._handle_command(command))
        await ack()  # an empty 200: the answer follows as a message of its own

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        self._spawn(str(body["user"]["id"]), self._handle_press(body, action))
        await ack()

    # -- the work ------------------------------------------------------------------------

    async def _handle_message(
        self, body: dict[str, Any], event: dict[str, Any], text: str, attachment: str | None
    ) -> None:
        user_id, channel = str(event["user"]), str(event["channel"])
        self._dms[user_id] = channel
        name, lang = await self._profile(user_id)
        reply = await self._core.handle(
            Incoming(
                platform=PLATFORM,
                user_id=user_id,
                chat_id=channel,
                text=text,
                display_name=name,
                language=lang,
                update_id=str(body.get("event_id") or event.get("client_msg_id") or event["ts"]),
                attachment=attachment,
            )
        )
        if reply is None:
            return  # Slack's retry of an event answered the first time
        await self._post(channel, reply, thread_ts=event.get("thread_ts"))

    async def _handle_command(self, command: dict[str, Any]) -> None:
        user_id = str(command["user_id"])
        dm = await self._dm(user_id)
        name, lang = await self._profile(user_id)
        reply = await self._core.handle(
            Incoming(
                platform=PLATFORM,
                user_id=user_id,
                chat_id=dm,
                text=command_text(str(command.get("text") or ""), self._commands),
                display_name=name,
                language=lang,
                update_id=str(command["trigger_id"]),
            )
        )
        if reply is None:
            return
        channel = str(command.get("channel_id") or "")
        if channel == dm:
            await self._post(dm, reply)
        else:
            # Typed in another channel: answered there, seen by the rep alone (a channel
            # must not show a rep's CRM, and the bot need not be a member of it).
            await self._respond(str(command["response_url"]), channel, reply)

    async def _handle_press(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        user_id = str(body["user"]["id"])
        container = body.get("container") or {}
        channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
        ephemeral = bool(container.get("is_ephemeral"))
        # Cards that are not ephemeral only ever go to the rep's DM with the bot.
        dm = await self._dm(user_id) if ephemeral or not channel else channel
        self._dms[user_id] = dm
        name, lang = await self._profile(user_id)
        reply = await self._core.handle(
            Incoming(
                platform=PLATFORM,
                user_id=user_id,
                chat_id=dm,
                button=str(action.get("value") or ""),
                display_name=name,
                language=lang,
                update_id=str(body.get("trigger_id") or action.get("action_ts")),
            )
        )
        if reply is None:
            return
        if ephemeral:
            await self._respond(str(body["response_url"]), channel, reply, replace=True)
            return
        ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")
        await self._update(channel, ts, reply)

    async def _dm(self, user_id: str) -> str:
        """The rep's DM channel with the bot (conversations.open, once per user)."""
        if user_id not in self._dms:
            opened = await self.client.conversations_open(users=user_id)
            self._dms[user_id] = str(opened["channel"]["id"])
        return self._dms[user_id]

    async def _profile(self, user_id: str) -> tuple[str, str | None]:
        """The rep's name and language from users.info, kept for an hour. Without them the
        core keeps what it has, so a failed look-up only costs a log line."""
        now = self._monotonic()
        cached = self._profiles.get(user_id)
        if cached is not None and now - cached[0] < _PROFILE_TTL:
            return cached[1], cached[2]
        try:
            answer = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as error:
            log.info("users.info for %s failed: %s", user_id, _error_code(error))
            return "", None
        user = answer.get("user") or {}
        profile = user.get("profile") or {}
        name = str(
            profile.get("real_name")
            or user.get("real_name")
            or profile.get("display_name")
            or user.get("name")
            or ""
        )
        lang = language(user.get("locale"))
        if len(self._profiles) > 10_000:
            self._profiles.clear()
        self._profiles[user_id] = (now, name, lang)
        return name, lang

    # -- replies out ---------------------------------------------------------------------

    async def _post(self, channel: str, reply: Reply, thread_ts: str | None = None) -> None:
        await self._post_messages(channel, render(reply), thread_ts)

    async def _post_messages(
        self, channel: str, messages: Sequence[Message], thread_ts: str | None = None
    ) -> None:
        for message in messages:
            await self._paced(
                channel,
                partial(
                    self.client.chat_postMessage,
                    channel=channel,
                    thread_ts=thread_ts,
                    unfurl_links=False,
                    unfurl_media=False,
                    **message.as_kwargs(),
                ),
            )

    async def _update(self, channel: str, ts: str, reply: Reply) -> None:
        """Put a press's reply on the card it came from (chat.update), the rest after it."""
        first, *rest = render(reply)
        try:
            await self._paced(
                channel,
                partial(self.client.chat_update, channel=channel, ts=ts, **first.as_kwargs()),
            )
        except SlackApiError as error:
            if _error_code(error) not in _CARD_GONE:
                raise
            # The card can no longer be changed: answer with a new message.
            log.info("could not update message %s: %s", ts, _error_code(error))
            rest = [first, *rest]
        await self._post_messages(channel, rest)

    async def _respond(
        self, response_url: str, channel: str, reply: Reply, *, replace: bool = False
    ) -> None:
        """Answer through a request's response_url: a message only the rep sees."""
        hook = AsyncWebhookClient(response_url)
        for index, message in enumerate(render(reply)):
            await self._limiter.wait(PLATFORM, channel)
            answer = await hook.send(
                response_type="ephemeral",
                replace_original=replace and index == 0,
                **message.as_kwargs(),
            )
            if answer.status_code != 200:
                log.warning("response_url answered %s: %s", answer.status_code, answer.body)
                return

    async def _paced(self, channel: str, call: Callable[[], Awaitable[_T]]) -> _T:
        """Make one Web API call into a channel in the shared limiter's next slot; on 429
        hold the whole platform for Retry-After and try again."""
        for attempt in range(1, _SEND_ATTEMPTS + 1):
            await self._limiter.wait(PLATFORM, channel)
            try:
                return await call()
            except SlackApiError as error:
                retry_after = retry_after_seconds(error)
                if retry_after is None or attempt == _SEND_ATTEMPTS:
                    raise
                self._limiter.pause(PLATFORM, retry_after)
        raise AssertionError("unreachable")  # the loop returns or raises


# ---------------------------------------------------------------------------------------------
# Reminders out: the notifier


class SlackNotifier:
    """Sends reminders (and manager warnings) for the dispatcher into each rep's DM channel.

    The dispatcher books the limiter's slot before calling :meth:`send`, so the first
    message does not wait again; only the further parts of a long reply do.
    """

    def __init__(self, client: AsyncWebClient, limiter: SendLimiter) -> None:
        self._client = client
        self._limiter = limiter

    async def send(self, rep: Rep, reply: Reply) -> None:
        if rep.platform != PLATFORM:
            raise Undeliverable(f"rep {rep.id} is on {rep.platform}, not on Slack")
        try:
            for index, message in enumerate(render(reply)):
                if index:
                    await self._limiter.wait(PLATFORM, rep.chat_id)
                await self._client.chat_postMessage(
                    channel=rep.chat_id,
                    unfurl_links=False,
                    unfurl_media=False,
                    **message.as_kwargs(),
                )
        except SlackApiError as error:
            retry_after = retry_after_seconds(error)
            if retry_after is not None:
                raise RetryLater(retry_after, "Slack: rate limited") from error
            if _error_code(error) in _GONE:
                raise Undeliverable(f"Slack: {_error_code(error)}") from error
            raise  # anything else: the dispatcher retries with backoff, then fails loudly
        # Network errors and timeouts propagate too: transient, retried.
