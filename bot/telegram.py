"""The Telegram adapter (python-telegram-bot 22): updates in, the core's replies out.

Per update it does what every adapter does and nothing more: turn the update into an
:class:`~handlers.messages.Incoming`, await :meth:`Assistant.handle`, render the
:class:`~handlers.messages.Reply` as plain text with an inline keyboard. A button press edits
the card it came from, and every callback query is answered. Every message and edit goes
through the process's shared :class:`~reminders.ratelimit.SendLimiter`.

:class:`TelegramNotifier` delivers reminders for the dispatcher, which books the limiter's slot
itself, and maps the Bot API's errors onto the core's delivery errors.
"""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, Final, Protocol, TypeAlias, TypeVar
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, InlineKeyboardButtonLimit, MessageLimit
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackContext,
    CallbackQueryHandler,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBDeprecationWarning

from handlers.domain import Rep
from handlers.i18n import DEFAULT_LOCALE, LANGUAGES, N_, _, use_locale
from handlers.messages import Incoming, Reply
from handlers.ports import RetryLater, Undeliverable
from reminders.ratelimit import SendLimiter

log = logging.getLogger(__name__)

PLATFORM: Final = "telegram"

COMMANDS: Final = (
    ("start", N_("What I do, with examples")),
    ("log", N_("Log a meeting, call, e-mail or note step by step")),
    ("today", N_("Overdue and today's callbacks, and what's next")),
    ("reminders", N_("Your open reminders, to move or cancel")),
    ("pipeline", N_("Open deals by stage, and the ones gone quiet")),
    ("history", N_("A client's story before a call: /history Sam Reed")),
    ("find", N_("Search contacts, companies and notes: /find sailing")),
    ("deal", N_("A deal's card, to move it along: /deal Northwind")),
    ("undo", N_("Take back your last change")),
    ("team", N_("Who is in the team, and their roles")),
    ("invite", N_("An invite code for a new member (admins)")),
    ("help", N_("What I understand")),
    ("cancel", N_("Stop what I asked for (e.g. Pick a time)")),
    ("lang", N_("The language I speak with you")),
    ("tz", N_("Your time zone, to check or change it")),
)
"""The bot's command menu, set with setMyCommands on every start: English as the default,
and one per language the bot speaks (Telegram shows the one of the user's app language)."""

ALLOWED_UPDATES: Final = ("message", "callback_query")
"""Edited messages, channel posts and the rest are not even fetched (see ``_on_message``)."""

MAX_PART: Final = 4000
"""Longest message part we send, in UTF-16 code units (Telegram's limit is 4,096)."""
assert MAX_PART < MessageLimit.MAX_TEXT_LENGTH

MAX_CALLBACK_DATA: Final = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
"""Telegram's limit for a button's callback data: 64 bytes."""

NO_PREVIEW: Final = LinkPreviewOptions(is_disabled=True)
"""Replies quote the rep's words; a link in them must not unfurl into a preview card."""

POLL_TIMEOUT: Final = timedelta(seconds=10)
"""How long one getUpdates long poll may wait on the server for updates."""

_SEND_ATTEMPTS: Final = 3
"""Tries per reply message when Telegram answers 429 (each after its Retry-After)."""

_GONE: Final = ("chat not found", "user is deactivated")
"""BadRequest descriptions that mean the rep's chat will never take a message again."""

# Message attributes that carry something other than text, and how the core names them
# (its answer reads "I can't read a <name> yet"). Order matters: an animation message also
# has ``document`` set, and a venue also has ``location``.
_ATTACHMENTS: Final = (
    ("animation", "GIF"),
    ("photo", "photo"),
    ("sticker", "sticker"),
    ("voice", "voice note"),
    ("video_note", "video message"),
    ("video", "video"),
    ("audio", "sound file"),
    ("document", "document"),
    ("venue", "venue"),
    ("location", "location"),
    ("contact", "contact card"),
    ("poll", "poll"),
    ("dice", "dice roll"),
    ("game", "game"),
    ("story", "story"),
    ("paid_media", "paid post"),
    ("checklist", "checklist"),
)

BotContext: TypeAlias = CallbackContext[
    ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]
]
TelegramApplication: TypeAlias = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], None
]

_T = TypeVar("_T")


class Core(Protocol):
    """What the adapter needs of the core: :meth:`handlers.assistant.Assistant.handle`."""

    async def handle(self, incoming: Incoming) -> Reply | None: ...


# ---------------------------------------------------------------------------------------------
# Rendering: a Reply as Telegram messages


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One keyboard row per row of the reply's buttons; a button's data is its payload."""
    if not reply.buttons:
        return None
    for button in reply.flat_buttons:
        size = len(button.payload.encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise ValueError(
                f"button {button.label!r}: callback data of {size} bytes; "
                f"Telegram takes 1 to {MAX_CALLBACK_DATA}"
            )
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.label, callback_data=button.payload) for button in row]
            for row in reply.buttons
        ]
    )


def _units(char: str) -> int:
    """How many UTF-16 code units a character takes (how Telegram measures text)."""
    return 2 if ord(char) > 0xFFFF else 1


def split_text(text: str, limit: int = MAX_PART) -> list[str]:
    """Cut a long text into parts of at most ``limit`` UTF-16 units each.

    Cuts at the last line break in the second half of the window, else at the last space
    there, else hard (never inside a character).
    """
    parts: list[str] = []
    rest = text
    while sum(_units(char) for char in rest) > limit:
        size = cut = 0
        for char in rest:
            size += _units(char)
            if size > limit:
                break
            cut += 1
        window = rest[:cut]
        at = window.rfind("\n")
        if at < cut // 2:
            at = window.rfind(" ")
        if at < cut // 2:
            at = cut
        part, rest = window[:at].rstrip(), rest[at:].lstrip()
        if part:
            parts.append(part)
    if rest or not parts:
        parts.append(rest)
    return parts


def language(code: str | None) -> str | None:
    """The primary language of an IETF tag as Telegram reports it (``pt-br`` -> ``pt``)."""
    if not code:
        return None
    return code.split("-")[0].lower() or None


def attachment_of(message: Message) -> str | None:
    """What a non-text message carries, in words; None for service messages (joins, pins)."""
    for attribute, name in _ATTACHMENTS:
        if getattr(message, attribute, None):
            return name
    return None


def _mention(username: str) -> re.Pattern[str]:
    # "@crm_bot" as a word of its own (not inside an e-mail or "@crm_bot_two"), with the
    # ":" or "," that often follows it.
    return re.compile(rf"(?<![\w@/])@{re.escape(username)}\b[:,]?", re.IGNORECASE)


def _addressed_command(username: str) -> re.Pattern[str]:
    return re.compile(rf"^(/\w+)@{re.escape(username)}\b", re.IGNORECASE)


def is_addressed(text: str, username: str) -> bool:
    """In a group: is this a command addressed to the bot (/cmd@bot), or does it mention it?"""
    return bool(_addressed_command(username).match(text) or _mention(username).search(text))


def strip_mention(text: str, username: str) -> str:
    """The text without the bot's @name: "/today@bot" -> "/today", "@bot met Sam" -> "met Sam"."""
    text = _addressed_command(username).sub(r"\1", text)
    text = _mention(username).sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def read_message(message: Message, username: str) -> tuple[str, str | None] | None:
    """The (text, attachment) a message gives the core, or None when it is not for the bot.

    Private chats: everything. Groups: only commands addressed to the bot and messages that
    mention it, with the mention taken out. A non-text message is ``("", "photo")`` and so on.
    """
    if message.chat.type == ChatType.PRIVATE:
        text = message.text
    elif message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        if not is_addressed(message.text or message.caption or "", username):
            return None
        text = None if message.text is None else strip_mention(message.text, username)
    else:
        return None
    if text is not None:
        return text, None
    attachment = attachment_of(message)
    return None if attachment is None else ("", attachment)


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds from a 429, whichever type the installed PTB gives (int now, timedelta later)."""
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta (opt-in with PTB_TIMEDELTA=1).
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _chat(chat_id: str) -> int | str:
    """A stored chat id as the Bot API takes it (numeric ids as numbers)."""
    return int(chat_id) if re.fullmatch(r"-?\d+", chat_id) else chat_id


# ---------------------------------------------------------------------------------------------
# Updates in: the adapter


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats are handled concurrently, one chat's in arrival order.

    One slow chat (a reply waiting for its 1 msg/s slot) then never holds up the others,
    while a rep's "Pick a time" press and the answer typed after it stay in order.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._queued: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else None
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def build_application(
    token: str,
    api_base_url: str = "https://api.telegram.org",
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> TelegramApplication:
    """A PTB application for the Bot API server at ``api_base_url`` (no JobQueue: the
    reminders table and APScheduler do the scheduling)."""
    root = api_base_url.rstrip("/")
    builder = (
        Application.builder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .job_queue(None)
        .concurrent_updates(ChatOrderedProcessor())
    )
    if request is not None:
        builder = builder.request(request)
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    return builder.build()


@dataclass(frozen=True, slots=True)
class Webhook:
    """Webhook mode: Telegram posts updates to ``url``; a proxy forwards them to us."""

    url: str
    secret: str
    """Telegram sends it as X-Telegram-Bot-Api-Secret-Token; requests without it get 403."""
    listen: str = "0.0.0.0"
    port: int = 8443

    @property
    def url_path(self) -> str:
        """We serve the public URL's path, so a proxy can forward it unchanged."""
        return urlsplit(self.url).path.strip("/")


class TelegramAdapter:
    def __init__(self, core: Core, limiter: SendLimiter, application: TelegramApplication) -> None:
        self._core = core
        self._limiter = limiter
        self.application = application
        # Only new messages: an edit would log the same meeting twice (the rep sends anew).
        application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self._on_message))
        application.add_handler(CallbackQueryHandler(self._on_button))
        application.add_error_handler(self._on_error)

    @property
    def bot(self) -> ExtBot[None]:
        return self.application.bot

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, webhook: Webhook | None = None) -> None:
        """Check the token (getMe), set the command menu, start receiving updates."""
        application = self.application
        await application.initialize()
        try:
            for language in LANGUAGES:
                with use_locale(language):
                    menu = [BotCommand(name, _(text)) for name, text in COMMANDS]
                await self.bot.set_my_commands(
                    menu, language_code=None if language == DEFAULT_LOCALE else language
                )
        except TelegramError as error:  # a missing menu is no reason not to run
            log.warning("could not set the command menu: %s", error)
        await application.start()
        updater = application.updater
        if updater is None:
            raise RuntimeError("the Telegram application was built without an updater")
        if webhook is None:
            await updater.start_polling(
                timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3
            )
        else:
            await updater.start_webhook(
                listen=webhook.listen,
                port=webhook.port,
                url_path=webhook.url_path,
                webhook_url=webhook.url,
                secret_token=webhook.secret,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=3,
            )

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, close the connections. Safe to call
        after a failed or partial start."""
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        await self.bot.shutdown()  # when initialize() failed half way, shutdown() skips it

    # -- updates in ----------------------------------------------------------------------

    async def _on_message(self, update: Update, context: BotContext) -> None:
        message = update.message
        user = message.from_user if message is not None else None
        if message is None or user is None or user.is_bot:
            return  # anonymous group admins and other bots are not reps
        read = read_message(message, self.bot.username)
        if read is None:
            return
        text, attachment = read
        reply = await self._core.handle(
            Incoming(
                platform=PLATFORM,
                user_id=str(user.id),
                # Where this rep's reminders go: their private chat with the bot (its id is
                # the user's), even when they wrote in a group.
                chat_id=str(user.id),
                text=text,
                display_name=user.full_name,
                language=language(user.language_code),
                update_id=str(update.update_id),
                attachment=attachment,
                # Kept (by id, not downloaded) with the capture it follows.
                voice_file_id=message.voice.file_id if message.voice and not text else None,
            )
        )
        if reply is None:
            return  # a redelivered update, answered the first time
        private = message.chat.type == ChatType.PRIVATE
        await self._send(message.chat.id, reply, reply_to=None if private else message.message_id)

    async def _on_button(self, update: Update, context: BotContext) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            if query.data is None:
                return  # a game button; none of ours
            user = query.from_user
            reply = await self._core.handle(
                Incoming(
                    platform=PLATFORM,
                    user_id=str(user.id),
                    chat_id=str(user.id),
                    button=query.data,
                    display_name=user.full_name,
                    language=language(user.language_code),
                    update_id=str(update.update_id),
                )
            )
            if reply is not None:
                await self._show_on_card(query, reply)
        finally:
            # Always, or the rep's button keeps spinning; also after errors and redeliveries.
            await self._answer(query)

    async def _on_error(self, update: object, context: BotContext) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Telegram update %s failed", update_id, exc_info=context.error)

    # -- replies out ---------------------------------------------------------------------

    async def _show_on_card(self, query: CallbackQuery, reply: Reply) -> None:
        """Put a button's reply on the card it came from, instead of adding a message."""
        card = query.message
        if not isinstance(card, Message):  # deleted, too old, or an inline message
            await self._send(card.chat.id if card is not None else query.from_user.id, reply)
            return
        parts = split_text(reply.text)
        markup = keyboard(reply)
        try:
            await self._paced(
                card.chat.id,
                partial(
                    self.bot.edit_message_text,
                    parts[0],
                    chat_id=card.chat.id,
                    message_id=card.message_id,
                    reply_markup=markup if len(parts) == 1 else None,
                    link_preview_options=NO_PREVIEW,
                ),
            )
        except BadRequest as error:
            if "message is not modified" in error.message.lower():
                return  # the card already says exactly this
            # The card can no longer be edited (too old, deleted): answer with a new message.
            log.info("could not edit message %s: %s", card.message_id, error.message)
            await self._send(card.chat.id, reply)
            return
        await self._send_parts(card.chat.id, parts[1:], markup)

    async def _send(self, chat_id: int, reply: Reply, reply_to: int | None = None) -> None:
        await self._send_parts(chat_id, split_text(reply.text), keyboard(reply), reply_to)

    async def _send_parts(
        self,
        chat_id: int,
        parts: Sequence[str],
        markup: InlineKeyboardMarkup | None,
        reply_to: int | None = None,
    ) -> None:
        """Send parts in order; the buttons go on the last one."""
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            quoted = (
                ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and index == 0
                else None
            )
            await self._paced(
                chat_id,
                partial(
                    self.bot.send_message,
                    chat_id,
                    part,
                    reply_markup=markup if last else None,
                    link_preview_options=NO_PREVIEW,
                    reply_parameters=quoted,
                ),
            )

    async def _paced(self, chat_id: int, call: Callable[[], Awaitable[_T]]) -> _T:
        """Make one Bot API call into a chat in the shared limiter's next slot; on 429 hold
        the whole platform for Retry-After and try again."""
        for attempt in range(1, _SEND_ATTEMPTS + 1):
            await self._limiter.wait(PLATFORM, str(chat_id))
            try:
                return await call()
            except RetryAfter as error:
                self._limiter.pause(PLATFORM, retry_after_seconds(error))
                if attempt == _SEND_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _answer(self, query: CallbackQuery) -> None:
        try:
            await query.answer()
        except TelegramError as error:  # e.g. "query is too old" after a long outage
            log.info("could not answer callback query %s: %s", query.id, error)


# ---------------------------------------------------------------------------------------------
# Reminders out: the notifier


class TelegramNotifier:
    """Sends reminders (and manager warnings) for the dispatcher.

    The dispatcher books the limiter's slot before calling :meth:`send`, so the first
    message does not wait again; only the further parts of a long reply do.
    """

    def __init__(self, bot: Bot, limiter: SendLimiter) -> None:
        self._bot = bot
        self._limiter = limiter

    async def send(self, rep: Rep, reply: Reply) -> None:
        if rep.platform != PLATFORM:
            raise Undeliverable(f"rep {rep.id} is on {rep.platform}, not on Telegram")
        chat_id = _chat(rep.chat_id)
        parts = split_text(reply.text)
        markup = keyboard(reply)
        try:
            if reply.image is not None:
                # The picture first: if it fails, nothing was sent and a retry repeats nothing.
                await self._bot.send_photo(chat_id, reply.image, filename=reply.image_name)
            for index, part in enumerate(parts):
                if index or reply.image is not None:
                    await self._limiter.wait(PLATFORM, rep.chat_id)
                await self._bot.send_message(
                    chat_id,
                    part,
                    reply_markup=markup if index == len(parts) - 1 else None,
                    link_preview_options=NO_PREVIEW,
                )
        except RetryAfter as error:
            raise RetryLater(retry_after_seconds(error), "Telegram: too many requests") from error
        except Forbidden as error:  # blocked by the user, kicked from the chat
            raise Undeliverable(f"Telegram: {error.message}") from error
        except BadRequest as error:
            if any(reason in error.message.lower() for reason in _GONE):
                raise Undeliverable(f"Telegram: {error.message}") from error
            raise  # anything else: the dispatcher retries with backoff, then fails loudly
        # NetworkError, TimedOut and server errors propagate: transient, retried.
