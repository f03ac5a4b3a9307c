"""``/digests``: managers see their team's digest settings, admins change them; reps
cannot."""

from __future__ import annotations

from dataclasses import astuple

import pytest

from handlers import texts
from handlers.assistant import Assistant
from handlers.domain import Role, Team
from handlers.messages import Incoming
from tests.fakes import FakeDatabase

ZONE = "Europe/Bucharest"


def telegram(user: str, text: str) -> Incoming:
    return Incoming(platform="telegram", user_id=user, chat_id=user, text=text, timezone=ZONE)


@pytest.fixture
async def team(database: FakeDatabase) -> Team:
    """Acme Sales with Maria (manager), Ion (admin) and Ana (rep), all on Telegram."""
    async with database() as uow:
        team = await uow.teams.add("Acme Sales", ZONE)
        for user, role in (("maria", Role.MANAGER), ("ion", Role.ADMIN), ("ana", Role.REP)):
            await uow.reps.add(
                team_id=team.id, platform="telegram", external_id=user, chat_id=user,
                display_name=user.title(), language="en", timezone=ZONE, role=role,
            )  # fmt: skip
        await uow.commit()
    return team


def stored(database: FakeDatabase, team: Team) -> Team:
    return database.state.teams[team.id]


async def test_a_manager_sees_the_settings_with_how_to_change_them(
    assistant: Assistant, team: Team
) -> None:
    reply = await assistant.handle(telegram("maria", "/digests"))

    assert reply is not None
    assert reply.text.startswith(
        "Digests of Acme Sales:\n"
        "• Daily digest: weekdays at 18:00\n"
        "• Weekly digest: Mondays at 08:00\n"
        "• Managers' digests: on\n"
        "• Time zone of the digests: Europe/Bucharest\n"
        "• Reps' morning agenda: 08:30, on each rep's own clock\n"
    )
    assert "/digests weekly fri 16:00" in reply.text


@pytest.mark.parametrize(
    ("user", "command", "field", "value"),
    [
        ("ion", "/digests daily 17:30", "daily_digest_at", "17:30"),
        ("ion", "/digests daily 9:05", "daily_digest_at", "09:05"),
        ("ion", "/digests weekly fri 16:00", "weekly_digest_at", "FRI 16:00"),
        ("ion", "/digests weekly Sunday 7:00", "weekly_digest_at", "SUN 07:00"),
        ("ion", "/digests agenda 08:00", "agenda_at", "08:00"),
        ("ion", "/digests off", "digests_enabled", False),
        ("ion", "/digests zone america/new_york", "timezone", "America/New_York"),
        ("ion", "/DIGESTS ZONE Asia/Tokyo", "timezone", "Asia/Tokyo"),
    ],
)
async def test_an_admin_changes_a_setting_and_it_is_audited(
    assistant: Assistant,
    database: FakeDatabase,
    team: Team,
    user: str,
    command: str,
    field: str,
    value: object,
) -> None:
    before = stored(database, team)

    reply = await assistant.handle(telegram(user, command))

    assert reply is not None
    assert reply.text.startswith("Saved; it holds from the next minute.\n\nDigests of Acme Sales:")
    after = stored(database, team)
    assert getattr(after, field) == value
    changed = [
        name
        for name, old, new in zip(Team.__slots__, astuple(before), astuple(after), strict=True)
        if old != new
    ]
    assert changed == [field]
    (entry,) = database.state.audit
    rep = next(rep for rep in database.state.reps.values() if rep.external_id == user)
    assert (entry["entity"], entry["entity_id"], entry["action"]) == ("team", team.id, "update")
    assert entry["rep_id"] == rep.id
    assert entry["before"][field] == getattr(before, field)
    assert entry["after"][field] == value
    assert entry["before"]["agenda_at"] == before.agenda_at  # the whole settings, both sides


async def test_digests_come_back_on(
    assistant: Assistant, database: FakeDatabase, team: Team
) -> None:
    await assistant.handle(telegram("ion", "/digests off"))
    reply = await assistant.handle(telegram("ion", "/digests on"))

    assert reply is not None
    assert "• Managers' digests: on\n" in reply.text
    assert stored(database, team).digests_enabled is True
    assert [entry["after"]["digests_enabled"] for entry in database.state.audit] == [False, True]


async def test_off_shows_that_agendas_still_go_out(assistant: Assistant, team: Team) -> None:
    reply = await assistant.handle(telegram("ion", "/digests off"))

    assert reply is not None
    assert "• Managers' digests: off (the morning agendas still go out)\n" in reply.text


@pytest.mark.parametrize("command", ["/digests", "/digests daily 17:30", "/digests off"])
async def test_a_rep_is_refused_and_nothing_changes(
    assistant: Assistant, database: FakeDatabase, team: Team, command: str
) -> None:
    before = stored(database, team)

    reply = await assistant.handle(telegram("ana", command))

    assert reply is not None
    assert reply.text.startswith("Only your team's admin can change digests")
    assert stored(database, team) == before
    assert database.state.audit == []


@pytest.mark.parametrize(
    ("command", "error"),
    [
        ("/digests daily 25:00", "“25:00” is not a time. Use the 24-hour clock"),
        ("/digests daily 5pm", "“5pm” is not a time."),
        ("/digests daily", "Say it like this: /digests daily 17:30"),
        ("/digests agenda 8:60", "“8:60” is not a time."),
        ("/digests weekly fri", "Say it like this: /digests weekly fri 16:00"),
        ("/digests weekly frisbee 16:00", "“frisbee” is not a day of the week."),
        ("/digests weekly fri 4pm", "“4pm” is not a time."),
        ("/digests zone Mars/Olympus", "I don't know the time zone “Mars/Olympus”."),
        ("/digests zone ../../etc/passwd", "I don't know the time zone"),
        ("/digests zone", "Say it like this: /digests zone Europe/Bucharest"),
        ("/digests off now", "/digests off takes nothing after it."),
        ("/digests hourly 10:00", "I don't know the digest setting “hourly”."),
    ],
)
async def test_bad_input_is_refused_with_a_reason_and_nothing_changes(
    assistant: Assistant, database: FakeDatabase, team: Team, command: str, error: str
) -> None:
    before = stored(database, team)

    reply = await assistant.handle(telegram("ion", command))

    assert reply is not None
    assert error in reply.text
    assert "Nothing was changed." in reply.text
    assert stored(database, team) == before
    assert database.state.audit == []


async def test_setting_what_is_already_set_writes_nothing(
    assistant: Assistant, database: FakeDatabase, team: Team
) -> None:
    reply = await assistant.handle(telegram("ion", "/digests daily 18:00"))

    assert reply is not None
    assert reply.text.startswith("That is already so; nothing was changed.")
    assert database.state.audit == []


async def test_help_and_the_command_list_name_digests(
    assistant: Assistant,
) -> None:
    assert "/digests:" in texts.HELP
    assert "digests" in assistant.command_names


@pytest.mark.parametrize("command", ["/digests daily 17:30", "/digests off", "/digests zone UTC"])
async def test_a_manager_sees_but_cannot_change_them(
    assistant: Assistant, database: FakeDatabase, team: Team, command: str
) -> None:
    before = stored(database, team)

    reply = await assistant.handle(telegram("maria", command))

    assert reply is not None
    assert reply.text.startswith(
        "Only your team's admin can change the team's settings. Nothing was changed.\n\n"
        "Digests of Acme Sales:"
    )
    assert stored(database, team) == before
    assert database.state.audit == []
