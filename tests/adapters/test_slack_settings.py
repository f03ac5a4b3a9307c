"""Slack's settings, the mode they choose, and the service's care with Slack's secrets."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import SettingsError, load_settings
from bot.service import (
    NOTHING_CONFIGURED,
    REDACTED,
    StartupError,
    redacted_logs,
    secrets_of,
    slack_config,
    telegram_config,
)
from bot.settings import Settings
from bot.slack import EVENTS_PATH, HttpMode, SocketMode

BOT_TOKEN = "xoxb-1234-5678-secretbottoken"
APP_TOKEN = "xapp-1-A0CRM-99-secretapptoken"
SIGNING_SECRET = "0123456789abcdef-signing-secret"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(str(tmp_path))  # no .env
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_HTTP_LISTEN",
        "SLACK_HTTP_PORT",
        "SLACK_API_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_without_slack_settings_there_is_no_slack() -> None:
    assert slack_config(Settings()) is None


def test_an_app_token_means_socket_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)  # not needed, not in the way

    config = slack_config(Settings())

    assert config is not None
    assert config.bot_token == BOT_TOKEN
    assert config.mode == SocketMode(APP_TOKEN)
    assert config.api_base_url == "https://slack.com/api/"
    assert config.describe_mode == "Socket Mode"


def test_without_an_app_token_it_is_http_mode_on_port_3000(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)

    config = slack_config(Settings())

    assert config is not None
    assert config.mode == HttpMode(SIGNING_SECRET, listen="0.0.0.0", port=3000)
    assert config.describe_mode == "HTTP on 0.0.0.0:3000/slack/events"


def test_http_mode_takes_its_listen_address_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_HTTP_LISTEN", "127.0.0.1")
    monkeypatch.setenv("SLACK_HTTP_PORT", "8080")

    config = slack_config(Settings())

    assert config is not None
    assert config.mode == HttpMode(SIGNING_SECRET, listen="127.0.0.1", port=8080)


def test_http_mode_without_a_signing_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)

    with pytest.raises(StartupError, match=r"SLACK_APP_TOKEN .*SLACK_SIGNING_SECRET"):
        slack_config(Settings())


@pytest.mark.parametrize(
    ("name", "value"), [("SLACK_APP_TOKEN", APP_TOKEN), ("SLACK_SIGNING_SECRET", SIGNING_SECRET)]
)
def test_slack_settings_without_the_bot_token_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(StartupError, match=f"{name} is set but SLACK_BOT_TOKEN is not") as caught:
        slack_config(Settings())
    assert value not in str(caught.value)


def test_blank_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    monkeypatch.setenv("SLACK_APP_TOKEN", " ")

    assert slack_config(Settings()) is None


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("SLACK_BOT_TOKEN", APP_TOKEN, "xoxb-"),  # the two tokens swapped
        ("SLACK_APP_TOKEN", BOT_TOKEN, "xapp-"),
    ],
)
def test_a_token_of_the_wrong_kind_is_reported_without_its_value(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, hint: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError) as caught:
        load_settings()

    message = str(caught.value)
    assert f"{name}=**********" in message
    assert hint in message
    assert value not in message
    assert value.split("-")[-1] not in message


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("http://127.0.0.1:8099/api/", "http://127.0.0.1:8099/api/"),
        ("http://127.0.0.1:8099/api", "http://127.0.0.1:8099/api/"),
        ("https://slack.com/api", "https://slack.com/api/"),
    ],
)
def test_the_api_base_url_ends_with_a_slash(
    monkeypatch: pytest.MonkeyPatch, given: str, root: str
) -> None:
    monkeypatch.setenv("SLACK_API_BASE_URL", given)

    assert Settings().slack_api_base_url == root


@pytest.mark.parametrize(
    ("name", "value"), [("SLACK_API_BASE_URL", "slack.com/api"), ("SLACK_HTTP_PORT", "70000")]
)
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_secrets_never_show_in_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)

    shown = repr(Settings()) + str(Settings())

    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in shown


def test_slacks_secrets_are_redacted_from_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)  # unused in Socket Mode: hidden too
    logger = logging.getLogger("tests.slack_redaction")

    with redacted_logs(*secrets_of(Settings())):
        logger.warning("Authorization: Bearer %s", BOT_TOKEN)
        logger.warning("opening with %s", APP_TOKEN)
        try:
            raise ValueError(f"bad signature with secret {SIGNING_SECRET}")
        except ValueError:
            logger.exception("request failed")

    text = caplog.text
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in text
    assert f"Authorization: Bearer {REDACTED}" in text
    assert f"opening with {REDACTED}" in text
    assert f"secret {REDACTED}" in text


def test_with_nothing_configured_the_message_names_both_platforms() -> None:
    assert telegram_config(Settings()) is None
    assert slack_config(Settings()) is None
    assert "TELEGRAM_BOT_TOKEN" in NOTHING_CONFIGURED
    assert "SLACK_BOT_TOKEN" in NOTHING_CONFIGURED
    assert "crmbot console" in NOTHING_CONFIGURED


def test_the_manifest_asks_for_what_the_adapter_uses() -> None:
    manifest = (Path(__file__).parents[2] / "slack" / "manifest.yml").read_text()
    lines = [line.split("#")[0].strip() for line in manifest.splitlines()]

    for scope in ("chat:write", "im:history", "im:read", "im:write", "commands", "users:read"):
        assert f"- {scope}" in lines
    assert "- message.im" in lines
    assert "- command: /crm" in lines
    assert "messages_tab_enabled: true" in lines
    assert "is_enabled: true" in lines  # interactivity: the cards' buttons
    urls = [line.split(": ", 1)[1] for line in lines if line.startswith(("url:", "request_url:"))]
    assert len(urls) == 3
    assert all(url.endswith(EVENTS_PATH) for url in urls)
