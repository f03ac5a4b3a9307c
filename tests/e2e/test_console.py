"""End to end: the installed ``crmbot`` command, run as a user would run it, on a SQLite file.

These tests run the real console script in a subprocess, so they cover the entry point, the
CLI, settings, migrations, the console adapter, the core and storage together. The subprocess
reads the real clock, so only what does not depend on the time of day is asserted exactly.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handlers.texts import WELCOME

CRMBOT = Path(sys.executable).with_name("crmbot")
BUCHAREST = ZoneInfo("Europe/Bucharest")
MESSAGE = "Met Sam Reed from Northwind, call back tomorrow at 10"
HELP_START = "Tell me what happened"


def crmbot(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``crmbot`` with a clean environment: no database or settings leak in from outside."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.upper() != "DATABASE_URL" and not name.upper().startswith("CRMBOT_")
    } | (env or {})
    env["COLUMNS"] = "200"  # keep error boxes from wrapping a zone name or URL in two
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [str(CRMBOT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,  # no stray .env or crmbot.db from the developer's folder
        env=env,
        timeout=120,
        check=False,
    )


def console(
    db: Path, *lines: str, cwd: Path, tz: str = "Europe/Bucharest"
) -> subprocess.CompletedProcess[str]:
    stdin = "".join(f"{line}\n" for line in lines)
    return crmbot(
        "console", "--db", f"sqlite:///{db}", "--user", "ana", "--tz", tz, cwd=cwd, stdin=stdin
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def _day_label(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}"


@pytest.fixture(autouse=True)
def _installed() -> None:
    if not CRMBOT.exists():
        pytest.fail(f"{CRMBOT} is missing: install the project (pip install -e .[dev])")


def test_a_message_is_confirmed_and_help_follows(tmp_path: Path) -> None:
    tomorrow_before = _day_label(datetime.now(BUCHAREST) + timedelta(days=1))
    result = console(tmp_path / "crm.db", MESSAGE, "/help", cwd=tmp_path)
    tomorrow_after = _day_label(datetime.now(BUCHAREST) + timedelta(days=1))

    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    # The help text quotes the same example, so check the answer that comes before it.
    confirmation, separator, help_text = result.stdout.partition(HELP_START)
    assert separator, result.stdout
    assert "Sam Reed" in confirmation
    assert "Northwind" in confirmation
    assert "10:00" in confirmation
    assert tomorrow_before in confirmation or tomorrow_after in confirmation
    assert "/today" in help_text


def test_what_was_logged_is_there_in_the_next_run(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    first = console(db, MESSAGE, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    welcome = WELCOME.format(name="ana").strip()
    assert welcome in first.stdout

    second = console(db, "/today", cwd=tmp_path)

    assert second.returncode == 0, second.stderr
    assert_no_traceback(second)
    listed = [
        line
        for line in second.stdout.splitlines()
        if "Sam Reed" in line and "Northwind" in line and "10:00" in line
    ]
    assert len(listed) == 1, second.stdout
    assert welcome not in second.stdout  # the same rep, not a new team each run


def test_an_unknown_time_zone_is_refused_clearly(tmp_path: Path) -> None:
    result = console(tmp_path / "crm.db", "/help", cwd=tmp_path, tz="Mars/Base")

    assert result.returncode != 0
    assert_no_traceback(result)
    assert "Mars/Base" in result.stderr
    assert HELP_START not in result.stdout


def _console_without_zone(
    db: Path, *lines: str, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    stdin = "".join(f"{line}\n" for line in lines)
    return crmbot(
        "console", "--db", f"sqlite:///{db}", "--user", "ana", cwd=cwd, stdin=stdin, env=env
    )


def test_a_machine_on_utc_is_named_once_with_how_to_change_it(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    first = _console_without_zone(db, "/help", "/tz Bucharest", cwd=tmp_path, env={"TZ": "UTC"})
    second = _console_without_zone(db, "/help", cwd=tmp_path, env={"TZ": "UTC"})

    assert first.returncode == 0, first.stderr
    assert "I read your times in UTC" in first.stdout
    assert "--tz" in first.stdout
    assert "Time zone set: Europe/Bucharest" in first.stdout
    assert "I read your times" not in second.stdout


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"TZ": "Europe/Warsaw"}, id="machine-zone"),
        pytest.param({"TZ": "UTC", "CRMBOT_DEFAULT_TIMEZONE": "Europe/Sofia"}, id="setting"),
    ],
)
def test_a_zone_that_was_not_guessed_is_not_announced(tmp_path: Path, env: dict[str, str]) -> None:
    result = _console_without_zone(tmp_path / "crm.db", "/help", cwd=tmp_path, env=env)

    assert result.returncode == 0, result.stderr
    assert HELP_START in result.stdout
    assert "I read your times" not in result.stdout


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        pytest.param(("--help",), "console", id="crmbot"),
        pytest.param(("console", "--help"), "--tz", id="console"),
        pytest.param(("db", "upgrade", "--help"), "--db", id="db-upgrade"),
    ],
)
def test_help_is_available_for_each_command(
    tmp_path: Path, args: tuple[str, ...], mentions: str
) -> None:
    result = crmbot(*args, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    assert mentions in result.stdout


def test_db_upgrade_creates_a_new_database_and_its_folders(tmp_path: Path) -> None:
    db = tmp_path / "new" / "dir" / "x.db"

    result = crmbot("db", "upgrade", "--db", f"sqlite:///{db}", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert db.is_file()
    connection = sqlite3.connect(db)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        connection.close()
    assert {"teams", "reps", "companies", "contacts", "reminders"} <= tables
    assert len(versions) == 1

    again = crmbot("db", "upgrade", "--db", f"sqlite:///{db}", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_pressing_a_button_when_there_is_none_is_answered(tmp_path: Path) -> None:
    result = console(tmp_path / "crm.db", "[3]", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    assert "no buttons" in result.stdout.lower()


@pytest.mark.parametrize("command", [("console",), ("db", "upgrade")])
@pytest.mark.parametrize(
    ("url", "mentions"),
    [
        pytest.param("mysql://x", "mysql", id="unsupported-database"),
        pytest.param("not a url", "not a url", id="not-a-url"),
    ],
)
def test_a_bad_database_url_is_refused_clearly(
    tmp_path: Path, command: tuple[str, ...], url: str, mentions: str
) -> None:
    result = crmbot(*command, "--db", url, cwd=tmp_path, stdin="/help\n")

    assert result.returncode != 0
    assert_no_traceback(result)
    assert mentions in result.stderr
    assert HELP_START not in result.stdout


@pytest.mark.parametrize("command", [("console",), ("db", "upgrade")])
def test_an_unreachable_database_is_reported_without_a_traceback(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    # Nothing listens on port 1: the connection is refused at once.
    url = "postgresql://crmbot@127.0.0.1:1/crm"

    result = crmbot(*command, "--db", url, cwd=tmp_path, stdin="/help\n")

    assert result.returncode != 0
    assert_no_traceback(result)
    assert "127.0.0.1" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("CRMBOT_DEFAULT_TIMEZONE", "Mars/Base"), ("CRMBOT_LOG_LEVEL", "loud")],
)
def test_a_bad_setting_in_the_environment_is_reported_without_a_traceback(
    tmp_path: Path, name: str, value: str
) -> None:
    result = crmbot(
        "console",
        "--db",
        f"sqlite:///{tmp_path / 'crm.db'}",
        cwd=tmp_path,
        stdin="/help\n",
        env={name: value},
    )

    assert result.returncode != 0
    assert_no_traceback(result)
    assert name in result.stderr.upper()
    assert value.lower() in result.stderr.lower()
