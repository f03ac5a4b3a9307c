"""Telegram's settings and the service's care with secrets."""

from __future__ import annotations

import logging

import pytest

from bot.cli import SettingsError, load_settings
from bot.service import REDACTED, StartupError, redacted_logs, telegram_config
from bot.settings import Settings
from bot.telegram import Webhook

TOKEN = "123456:AAE-secret-token"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(str(tmp_path))  # no .env
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "TELEGRAM_WEBHOOK_URL",
        "TELEGRAM_WEBHOOK_SECRET",
        "TELEGRAM_WEBHOOK_LISTEN",
        "TELEGRAM_WEBHOOK_PORT",
    ):
        monkeypatch.delenv(name, raising=False)


def test_without_a_token_there_is_no_telegram() -> None:
    assert telegram_config(Settings()) is None


def test_blank_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "")

    config = telegram_config(Settings())

    assert config is not None
    assert config.webhook is None  # long polling
    assert config.api_base_url == "https://api.telegram.org"


@pytest.mark.parametrize(
    "given", ["http://127.0.0.1:8081", "http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot"]
)
def test_the_api_base_url_is_the_servers_root(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", given)

    assert Settings().telegram_api_base_url == "http://127.0.0.1:8081"


def test_webhook_mode_takes_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://crm.example.com/telegram/updates")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "abc_DEF-123")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_PORT", "8080")

    config = telegram_config(Settings())

    assert config is not None
    assert config.token == TOKEN
    assert config.webhook == Webhook(
        url="https://crm.example.com/telegram/updates",
        secret="abc_DEF-123",
        listen="127.0.0.1",
        port=8080,
    )
    assert config.webhook.url_path == "telegram/updates"
    assert TOKEN not in repr(Settings())  # SecretStr


def test_defaults_listen_everywhere_on_8443(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://crm.example.com/tg")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s")

    config = telegram_config(Settings())

    assert config is not None
    assert config.webhook is not None
    assert (config.webhook.listen, config.webhook.port) == ("0.0.0.0", 8443)


def test_a_webhook_without_a_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://crm.example.com/tg")

    with pytest.raises(StartupError, match="TELEGRAM_WEBHOOK_SECRET"):
        telegram_config(Settings())


def test_an_invalid_secret_is_reported_without_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "has spaces and $ymbols")

    with pytest.raises(SettingsError) as caught:
        load_settings()

    assert "TELEGRAM_WEBHOOK_SECRET=**********" in str(caught.value)
    assert "ymbols" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("TELEGRAM_API_BASE_URL", "api.telegram.org"), ("TELEGRAM_WEBHOOK_PORT", "0")],
)
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_secrets_are_redacted_from_log_messages_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("tests.redaction")  # caplog's handler is on the root logger

    with redacted_logs(TOKEN, "webhook-secret"):
        logger.warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise ValueError(f"The token `{TOKEN}` was rejected; secret webhook-secret")
        except ValueError:
            logger.exception("start failed")
    logger.warning("after: %s", "plain")

    text = caplog.text
    assert TOKEN not in text
    assert "webhook-secret" not in text
    assert f"/bot{REDACTED}/getMe" in text
    assert f"The token `{REDACTED}` was rejected" in text
    assert "after: plain" in text
