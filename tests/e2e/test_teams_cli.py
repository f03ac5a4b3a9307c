"""``crmbot team create``, ``crmbot invite``, and the README's walkthrough: a fresh install
to an admin, a manager and a rep, in the console."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bot.teams_cli import TeamCliError, find_team
from handlers.clock import FixedClock
from handlers.invite_codes import ALPHABET, CODE_LENGTH
from storage.database import create_engine
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.e2e.test_console import CRMBOT, assert_no_traceback, crmbot

_CODE = re.compile(rf"\b[{ALPHABET}]{{{CODE_LENGTH}}}\b")


@pytest.fixture(autouse=True)
def _installed() -> None:
    if not CRMBOT.exists():
        pytest.fail(f"{CRMBOT} is missing: install the project (pip install -e .[dev])")


def code_of(output: str) -> str:
    match = _CODE.search(output)
    assert match, output
    return match.group(0)


def chat(db: Path, user: str, *lines: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``crmbot console --user USER`` with no --tz: the zone is asked, as for a new user."""
    stdin = "".join(f"{line}\n" for line in lines)
    result = crmbot("console", "--db", f"sqlite:///{db}", "--user", user, cwd=cwd, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    return result


def test_team_create_prints_a_single_use_admin_invite_and_how_to_use_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"

    created = crmbot(
        "team", "create", "Acme", "--timezone", "Europe/Bucharest", "--db", url, cwd=tmp_path,
        env={"TELEGRAM_BOT_USERNAME": "acme_crm_bot"},
    )  # fmt: skip
    again = crmbot("team", "create", "acme", "--db", url, cwd=tmp_path)

    assert created.returncode == 0, created.stderr
    code = code_of(created.stdout)
    assert "Team Acme created" in created.stdout
    assert "Europe/Bucharest" in created.stdout
    assert f"Invite code for Acme (admin): {code}" in created.stdout
    assert "It lets one person join, with no expiry." in created.stdout
    assert f"https://t.me/acme_crm_bot?start={code}" in created.stdout
    assert f"/crm join {code}" in created.stdout
    assert f"then /join {code}" in created.stdout
    assert again.returncode == 2
    assert "a team called 'acme' already exists" in again.stderr
    with sqlite3.connect(tmp_path / "crm.db") as connection:
        assert connection.execute("SELECT count(*) FROM teams").fetchone() == (1,)
        assert connection.execute("SELECT role, max_uses, uses FROM invites").fetchall() == [
            ("admin", 1, 0)
        ]


def test_invite_makes_codes_with_uses_and_expiry_and_explains_bad_options(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    assert crmbot("team", "create", "Acme", "--db", url, cwd=tmp_path).returncode == 0

    made = crmbot(
        "invite", "--team", "ACME", "--role", "manager", "--uses", "3", "--expires", "7d",
        "--db", url, cwd=tmp_path,
    )  # fmt: skip
    unknown = crmbot("invite", "--team", "Globex", "--db", url, cwd=tmp_path)
    bad_role = crmbot("invite", "--team", "Acme", "--role", "boss", "--db", url, cwd=tmp_path)
    bad_time = crmbot("invite", "--team", "Acme", "--expires", "soon", "--db", url, cwd=tmp_path)
    bad_zone = crmbot("team", "create", "X", "--timezone", "Mars/Base", "--db", url, cwd=tmp_path)

    assert made.returncode == 0, made.stderr
    assert "(manager)" in made.stdout
    assert "It lets up to 3 people join, until " in made.stdout
    assert unknown.returncode == 2
    assert "no team is called 'Globex'. Teams: Acme (id 1)." in unknown.stderr
    assert bad_role.returncode == 2
    assert "use rep, manager or admin" in bad_role.stderr
    assert bad_time.returncode == 2
    assert "cannot read 'soon' as a duration" in bad_time.stderr
    assert bad_zone.returncode == 2
    assert "Mars/Base" in bad_zone.stderr
    with sqlite3.connect(tmp_path / "crm.db") as connection:
        rows = connection.execute("SELECT role, max_uses, expires_at IS NOT NULL FROM invites")
        assert sorted(rows.fetchall()) == [("admin", 1, 0), ("manager", 3, 1)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_name_two_teams_share_asks_for_the_id(database_url: str, clock: FixedClock) -> None:
    engine = create_engine(database_url)
    try:
        async with SqlUnitOfWorkFactory(engine, clock)() as uow:
            first = await uow.teams.add("Sales")
            await uow.teams.add("sales")
            await uow.commit()

        with pytest.raises(TeamCliError, match=r"2 teams are called 'Sales' \(ids 1, 2\)"):
            await find_team(engine, "Sales")
        assert (await find_team(engine, str(first.id))).id == first.id
    finally:
        await engine.dispose()


def test_walkthrough_from_team_create_to_an_admin_a_manager_and_a_rep(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    created = crmbot(
        "team", "create", "Acme", "--timezone", "Europe/Bucharest", "--db", f"sqlite:///{db}",
        cwd=tmp_path,
    )  # fmt: skip
    admin_code = code_of(created.stdout)

    ana = chat(db, "ana", f"/join {admin_code}", "[1]", "/invite manager", cwd=tmp_path)
    manager_code = code_of(ana.stdout.split("/invite manager", 1)[-1].split("Invite code", 1)[1])
    ana_rep = chat(db, "ana", "/invite", cwd=tmp_path)
    rep_code = code_of(ana_rep.stdout)
    dan = chat(db, "dan", f"/join {manager_code}", "Lisbon", "/team", cwd=tmp_path)
    ion = chat(
        db, "ion", f"/join {rep_code}", "Met Sam Reed from Northwind, wants a quote", "/team",
        cwd=tmp_path,
    )  # fmt: skip
    late = chat(db, "eve", f"/join {rep_code}", cwd=tmp_path)

    assert "Welcome to Acme, ana! Your role: admin." in ana.stdout
    assert "Which time zone are you in?" in ana.stdout
    assert "[1] Bucharest (UTC+" in ana.stdout
    assert "Time zone set: Europe/Bucharest." in ana.stdout
    assert "Invite code for Acme (role: manager)" in ana.stdout
    assert f"send /join {manager_code} to the bot" in ana.stdout
    assert "Welcome to Acme, dan! Your role: manager." in dan.stdout
    assert "Time zone set: Europe/Lisbon." in dan.stdout
    assert "Acme: 2 members\n• ana: admin\n• dan: manager (you)" in dan.stdout
    assert "Welcome to Acme, ion! Your role: rep." in ion.stdout
    assert "Meeting with Sam Reed (Northwind) saved" in ion.stdout  # the question never blocks
    assert "the member list is for the team's managers and admins" in ion.stdout
    assert "has already been used" in late.stdout
    with sqlite3.connect(db) as connection:
        reps = connection.execute(
            "SELECT external_id, role, timezone, team_id FROM reps ORDER BY id"
        ).fetchall()
        assert connection.execute("SELECT count(*) FROM teams").fetchone() == (1,)
    assert [(name, role, zone) for name, role, zone, _team in reps] == [
        ("ana", "admin", "Europe/Bucharest"),
        ("dan", "manager", "Europe/Lisbon"),
        ("ion", "rep", "Europe/Bucharest"),
    ]
