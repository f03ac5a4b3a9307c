"""``crmbot run``: the bot as a service, on the chat platforms that are configured.

Opens the runtime (database, migrations, the core), starts the Telegram adapter and the
reminder dispatcher with the Telegram notifier, then runs until SIGINT or SIGTERM and shuts
down in order: no new updates, the ones in hand finished, reminders stopped, connections closed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from telegram.error import InvalidToken, TelegramError

from bot.runtime import open_runtime
from bot.settings import Settings
from bot.telegram import (
    PLATFORM,
    TelegramAdapter,
    TelegramNotifier,
    Webhook,
    build_application,
)
from handlers.assistant import CoreConfig
from handlers.domain import Recipients

log = logging.getLogger(__name__)

REDACTED = "[redacted]"


class StartupError(Exception):
    """The service cannot start; the message is for the user and holds no secret."""


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str
    api_base_url: str
    webhook: Webhook | None


def telegram_config(settings: Settings) -> TelegramConfig | None:
    """Telegram's settings, checked together; None when TELEGRAM_BOT_TOKEN is not set."""
    if settings.telegram_bot_token is None:
        return None
    webhook = None
    if settings.telegram_webhook_url is not None:
        if settings.telegram_webhook_secret is None:
            raise StartupError(
                "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not: webhook mode "
                "needs a secret (1-256 characters of A-Z, a-z, 0-9, _ and -), e.g. from "
                "`openssl rand -hex 32`. Unset TELEGRAM_WEBHOOK_URL to use long polling."
            )
        webhook = Webhook(
            url=settings.telegram_webhook_url,
            secret=settings.telegram_webhook_secret.get_secret_value(),
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
        )
    return TelegramConfig(
        token=settings.telegram_bot_token.get_secret_value(),
        api_base_url=settings.telegram_api_base_url,
        webhook=webhook,
    )


class _Redact(logging.Filter):
    """Replaces secrets in log records (messages and tracebacks) before any handler writes
    them: HTTP libraries log request URLs, and the Bot API's URLs contain the token."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self._secrets = tuple({form for secret in secrets for form in (secret, quote(secret))})

    def clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


@contextmanager
def redacted_logs(*secrets: str) -> Iterator[_Redact]:
    """Keep ``secrets`` out of everything the root logger's handlers write."""
    redact = _Redact(tuple(secret for secret in secrets if secret))
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(redact)
    # httpx logs every request (a getUpdates every few seconds) at INFO: too chatty to keep.
    httpx_logger = logging.getLogger("httpx")
    level = httpx_logger.level
    httpx_logger.setLevel(max(level, logging.WARNING))
    try:
        yield redact
    finally:
        httpx_logger.setLevel(level)
        for handler in handlers:
            handler.removeFilter(redact)


async def serve(
    settings: Settings,
    database_url: str,
    config: CoreConfig,
    *,
    announce: Callable[[str], None] = print,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGINT/SIGTERM (or until ``stop`` is set). Raises :class:`StartupError`."""
    telegram = telegram_config(settings)
    if telegram is None:
        raise StartupError(
            "no chat platform is configured: set TELEGRAM_BOT_TOKEN (see README, Telegram), "
            "or try the bot in this terminal with `crmbot console`."
        )
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    secrets = (telegram.token, telegram.webhook.secret if telegram.webhook else "")
    try:
        with redacted_logs(*secrets) as redact:
            async with open_runtime(database_url, config) as runtime:
                application = build_application(telegram.token, telegram.api_base_url)
                adapter = TelegramAdapter(runtime.assistant, runtime.limiter, application)
                try:
                    await _start(adapter, telegram, redact)
                    notifier = TelegramNotifier(application.bot, runtime.limiter)
                    await runtime.start_reminders(
                        notifier, recipients=Recipients(frozenset({PLATFORM}))
                    )
                    mode = f"webhook {telegram.webhook.url}" if telegram.webhook else "long polling"
                    announce(
                        f"crmbot is running on Telegram as @{application.bot.username} "
                        f"({mode}). Ctrl-C or SIGTERM stops it."
                    )
                    await stop.wait()
                    log.info("stopping")
                finally:
                    if runtime.scheduler is not None:
                        await runtime.scheduler.stop()  # no new reminder sends while we close
                    await adapter.stop()
    finally:
        for number in signals:
            loop.remove_signal_handler(number)


async def _start(adapter: TelegramAdapter, telegram: TelegramConfig, redact: _Redact) -> None:
    try:
        await adapter.start(telegram.webhook)
    except InvalidToken as error:
        raise StartupError(
            "Telegram rejected TELEGRAM_BOT_TOKEN; copy the token again from @BotFather "
            "(/mybots, API Token)."
        ) from error
    except (TelegramError, OSError) as error:
        raise StartupError(
            f"cannot start on Telegram ({telegram.api_base_url}): {redact.clean(str(error))}"
        ) from error
