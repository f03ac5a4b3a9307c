"""``crmbot run``: the bot as a service, on the chat platforms that are configured.

Opens the runtime (database, migrations, the core), starts the Telegram adapter, the Slack
adapter or both, and the reminder dispatcher with a notifier that sends each rep's reminders
through their own platform's adapter; then runs until SIGINT or SIGTERM and shuts down in
order: reminders stopped, no new updates, the ones in hand finished, connections closed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from pydantic import SecretStr
from telegram.error import InvalidToken, TelegramError

from bot import telegram as telegram_adapter
from bot.heap import HeapSettler
from bot.metrics import ErrorCounter, MeteredCore, MeteredNotifier, Metrics, OpsServer
from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from bot.telegram import Core, TelegramAdapter, TelegramNotifier, Webhook, build_application
from handlers.assistant import CoreConfig
from handlers.domain import Recipients, Rep
from handlers.messages import Reply
from handlers.ports import Notifier, Undeliverable
from storage import instance_lock
from storage.database import describe

if TYPE_CHECKING:
    # Slack's adapter (slack_bolt, slack_sdk, aiohttp) is imported only when Slack is
    # configured: a Telegram-only bot starts without it (benchmarks/startup.py).
    from bot.slack import HttpMode, SocketMode

log = logging.getLogger(__name__)

REDACTED = "[redacted]"

NOTHING_CONFIGURED = (
    "no chat platform is configured: set TELEGRAM_BOT_TOKEN (docs/telegram.md) or "
    "SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET (docs/slack.md), or both; "
    "or try the bot in this terminal with `crmbot console`."
)


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


@dataclass(frozen=True, slots=True)
class SlackConfig:
    bot_token: str
    mode: SocketMode | HttpMode
    api_base_url: str

    @property
    def describe_mode(self) -> str:
        from bot.slack import EVENTS_PATH, SocketMode

        if isinstance(self.mode, SocketMode):
            return "Socket Mode"
        return f"HTTP on {self.mode.listen}:{self.mode.port}{EVENTS_PATH}"


def slack_config(settings: Settings) -> SlackConfig | None:
    """Slack's settings, checked together; None when none of them is set.

    SLACK_APP_TOKEN means Socket Mode; without it, HTTP mode, which needs the signing secret.
    """
    token = settings.slack_bot_token
    app_token = settings.slack_app_token
    secret = settings.slack_signing_secret
    if token is None:
        if app_token is None and secret is None:
            return None
        given = "SLACK_APP_TOKEN" if app_token is not None else "SLACK_SIGNING_SECRET"
        raise StartupError(
            f"{given} is set but SLACK_BOT_TOKEN is not: set the Bot User OAuth Token "
            "(xoxb-…, from OAuth & Permissions) as well (see docs/slack.md)."
        )
    from bot.slack import HttpMode, SocketMode

    mode: SocketMode | HttpMode
    if app_token is not None:
        mode = SocketMode(app_token.get_secret_value().strip())
    elif secret is not None:
        mode = HttpMode(
            signing_secret=secret.get_secret_value().strip(),
            listen=settings.slack_http_listen,
            port=settings.slack_http_port,
        )
    else:
        raise StartupError(
            "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor "
            "SLACK_SIGNING_SECRET (HTTP mode) is: set one of them (see docs/slack.md)."
        )
    return SlackConfig(
        bot_token=token.get_secret_value().strip(),
        mode=mode,
        api_base_url=settings.slack_api_base_url,
    )


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """Every secret setting's value (tokens, signing secret), for :func:`redacted_logs`."""
    values = (getattr(settings, name) for name in type(settings).model_fields)
    return tuple(
        form
        for value in values
        if isinstance(value, SecretStr)
        for form in {value.get_secret_value(), value.get_secret_value().strip()}
    )


class PlatformNotifier:
    """Sends each rep's messages through the notifier of the rep's own platform."""

    def __init__(self, notifiers: Mapping[str, Notifier]) -> None:
        self._notifiers = dict(notifiers)

    @property
    def platforms(self) -> frozenset[str]:
        return frozenset(self._notifiers)

    async def send(self, rep: Rep, reply: Reply) -> None:
        notifier = self._notifiers.get(rep.platform)
        if notifier is None:
            raise Undeliverable(
                f"rep {rep.id} is on {rep.platform}, which this process does not serve"
            )
        await notifier.send(rep, reply)


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
    metrics: Metrics | None = None,
) -> None:
    """Run until SIGINT/SIGTERM (or until ``stop`` is set). Raises :class:`StartupError`."""
    started = time.perf_counter()
    telegram = telegram_config(settings)
    slack = slack_config(settings)
    if telegram is None and slack is None:
        raise StartupError(NOTHING_CONFIGURED)
    stop = stop or asyncio.Event()
    metrics = metrics or Metrics()
    errors = ErrorCounter(metrics)
    logging.getLogger().addHandler(errors)
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        with redacted_logs(*secrets_of(settings)) as redact:
            async with (
                open_runtime(database_url, config, pool=settings.pool()) as runtime,
                AsyncExitStack() as adapters,
            ):
                heap = HeapSettler()
                try:
                    core = MeteredCore(runtime.assistant, metrics)
                    notifiers: dict[str, Notifier] = {}
                    running: list[str] = []
                    extras = ""
                    if settings.metrics_port is not None:
                        ops = await _start_ops(runtime, settings, metrics, adapters, redact)
                        extras = f", {ops}"
                    if telegram is not None:
                        running.append(
                            await _start_telegram(
                                runtime, core, telegram, database_url, adapters, notifiers, redact
                            )
                        )
                    if slack is not None:
                        running.append(
                            await _start_slack(runtime, core, slack, adapters, notifiers, redact)
                        )
                    # Each process delivers the reminders of the platforms it serves.
                    notifier = PlatformNotifier(notifiers)
                    served = Recipients(notifier.platforms)
                    await runtime.start_reminders(
                        MeteredNotifier(notifier, metrics, "reminder"), recipients=served
                    )
                    await runtime.start_digests(
                        MeteredNotifier(notifier, metrics, "digest"), recipients=served
                    )
                    announce(
                        f"crmbot is running {' and '.join(running)} (ready in "
                        f"{time.perf_counter() - started:.1f} s{extras}). "
                        "Ctrl-C or SIGTERM stops it."
                    )
                    heap.start()
                    await stop.wait()
                    log.info("stopping")
                finally:
                    heap.stop()
                    # No new reminder or digest sends while we close.
                    await runtime.stop_digests()
                    if runtime.scheduler is not None:
                        await runtime.scheduler.stop()
                # Leaving the exit stack stops the adapters: no new updates, the ones in hand
                # finished, connections closed.
    finally:
        logging.getLogger().removeHandler(errors)
        for number in signals:
            loop.remove_signal_handler(number)


async def _start_ops(
    runtime: Runtime,
    settings: Settings,
    metrics: Metrics,
    adapters: AsyncExitStack,
    redact: _Redact,
) -> str:
    assert settings.metrics_port is not None
    server = OpsServer(
        metrics,
        runtime.queue,
        runtime.clock,
        listen=settings.metrics_listen,
        port=settings.metrics_port,
    )
    try:
        await server.start()
    except OSError as error:
        raise StartupError(
            f"cannot serve metrics on {settings.metrics_listen}:{settings.metrics_port} "
            f"(CRMBOT_METRICS_PORT): {redact.clean(str(error))}"
        ) from error
    adapters.push_async_callback(server.stop)
    return f"metrics on {server.address}/metrics and /healthz"


def poller_lock_name(token: str) -> str:
    """The lock one Telegram poller holds: per bot (the token's public bot id), so two
    different bots may poll from one database."""
    return f"crmbot-telegram-poller-{token.split(':', 1)[0]}"


async def _start_telegram(
    runtime: Runtime,
    core: Core,
    telegram: TelegramConfig,
    database_url: str,
    adapters: AsyncExitStack,
    notifiers: dict[str, Notifier],
    redact: _Redact,
) -> str:
    if telegram.webhook is None:
        # Telegram hands a bot's updates to one long poller only; a second one would fight
        # the first for them (409 Conflict). Refuse it here, before it touches Telegram.
        try:
            await adapters.enter_async_context(
                instance_lock.held(database_url, poller_lock_name(telegram.token))
            )
        except instance_lock.LockHeld as error:
            raise StartupError(
                "another crmbot process is already long-polling Telegram for this bot (it "
                f"holds the poller lock in {describe(database_url)}). Telegram delivers a "
                "bot's updates to one poller only: stop the other process, or run every "
                "process in webhook mode (TELEGRAM_WEBHOOK_URL) behind a load balancer."
            ) from error
    application = build_application(telegram.token, telegram.api_base_url)
    adapter = TelegramAdapter(core, runtime.limiter, application)
    adapters.push_async_callback(adapter.stop)
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
    notifiers[telegram_adapter.PLATFORM] = TelegramNotifier(application.bot, runtime.limiter)
    # Invite links (t.me/<bot>?start=CODE) need the bot's name; getMe told it on start.
    runtime.assistant.learn_telegram_username(application.bot.username)
    mode = f"webhook {telegram.webhook.url}" if telegram.webhook else "long polling"
    return f"on Telegram as @{application.bot.username} ({mode})"


_REJECTED = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


async def _start_slack(
    runtime: Runtime,
    core: Core,
    slack: SlackConfig,
    adapters: AsyncExitStack,
    notifiers: dict[str, Notifier],
    redact: _Redact,
) -> str:
    from aiohttp import ClientError
    from slack_sdk.errors import SlackApiError

    from bot.slack import PLATFORM, HttpMode, SlackAdapter, SlackNotifier

    adapter = SlackAdapter(
        core,
        runtime.limiter,
        bot_token=slack.bot_token,
        mode=slack.mode,
        api_base_url=slack.api_base_url,
        commands=runtime.assistant.command_names,
    )
    adapters.push_async_callback(adapter.stop)
    try:
        await adapter.start()
    except SlackApiError as error:
        code = str(error.response.get("error") or "")
        if code in _REJECTED:
            if str(error.response.api_url).endswith("apps.connections.open"):
                raise StartupError(
                    f"Slack rejected SLACK_APP_TOKEN ({code}); create an app-level token with "
                    "the connections:write scope (Basic Information, App-Level Tokens) and "
                    "turn Socket Mode on."
                ) from error
            raise StartupError(
                f"Slack rejected SLACK_BOT_TOKEN ({code}); copy the Bot User OAuth Token "
                "again (OAuth & Permissions), or reinstall the app to the workspace."
            ) from error
        raise StartupError(
            f"cannot start on Slack ({slack.api_base_url}): {redact.clean(str(error))}"
        ) from error
    except (ClientError, OSError, TimeoutError) as error:
        where = slack.api_base_url
        if isinstance(slack.mode, HttpMode) and not isinstance(error, ClientError | TimeoutError):
            where = f"port {slack.mode.port}"
        raise StartupError(
            f"cannot start on Slack ({where}): {redact.clean(str(error)) or type(error).__name__}"
        ) from error
    notifiers[PLATFORM] = SlackNotifier(adapter.client, runtime.limiter)
    return f"on Slack as @{adapter.bot_name} in {adapter.team} ({slack.describe_mode})"
