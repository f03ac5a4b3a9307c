"""Teams: invites made in chat, joining by code, /team and roles, the time zone question."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from handlers import texts
from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.domain import Rep, Role
from handlers.i18n import _
from handlers.invite_codes import ALPHABET, CODE_LENGTH, normalize, parse_duration
from handlers.messages import Incoming, Reply
from handlers.onboarding import AWAITING_TZ, offset_zone, resolve
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase

_CODE = re.compile(rf"\b[{ALPHABET}]{{{CODE_LENGTH}}}\b")


def telegram(text: str = "", user: str = "777", button: str | None = None) -> Incoming:
    return Incoming(
        platform="telegram",
        user_id=user,
        chat_id=user,
        text=text,
        button=button,
        display_name=f"tg{user}",
        language="en",
    )


def code_in(reply: Reply) -> str:
    match = _CODE.search(reply.text)
    assert match, reply.text
    return match.group(0)


def rep_of(database: FakeDatabase, platform: str, user: str) -> Rep:
    return next(
        rep
        for rep in database.state.reps.values()
        if (rep.platform, rep.external_id) == (platform, user)
    )


async def invite(assistant: Assistant, role: str = "", user: str = "ana") -> str:
    """ana (an admin of her console team) makes an invite code."""
    return code_in(await assistant.handle(console(f"/invite {role}".strip(), user=user)))


@pytest.fixture
async def admin(assistant: Assistant, database: FakeDatabase) -> Rep:
    await assistant.handle(console("/help"))  # ana's one-person team, ana its admin
    return rep_of(database, "console", "ana")


async def test_an_admin_invites_and_a_telegram_user_joins_with_the_deep_link(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    reply = await assistant.handle(console("/invite manager"))
    code = code_in(reply)
    assert "manager" in reply.text
    assert f"/join {code}" in reply.text  # ana is on the console: how to use it there

    joined = await assistant.handle(telegram(f"/start {code}"))

    dan = rep_of(database, "telegram", "777")
    assert (dan.team_id, dan.role) == (admin.team_id, Role.MANAGER)
    assert joined.text.startswith(f"Welcome to {database.state.teams[admin.team_id].name}")
    assert "Your role: manager" in joined.text
    (entry,) = [e for e in database.state.audit if e["entity"] == "rep"]
    assert (entry["action"], entry["after"]["role"]) == ("create", "manager")
    assert any(e["entity"] == "invite" and e["rep_id"] == admin.id for e in database.state.audit)


async def test_a_code_is_read_forgiving_case_spaces_and_dashes(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    code = await invite(assistant)
    typed = f"{code[:5].lower()}-{code[5:].lower()}"

    await assistant.handle(telegram(f"/join {typed}"))

    assert rep_of(database, "telegram", "777").role is Role.REP
    assert normalize(typed) == code


async def test_a_single_use_code_lets_one_person_in(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    code = await invite(assistant)
    await assistant.handle(telegram(f"/start {code}", user="1"))
    before = database.state.row_count()

    second = await assistant.handle(telegram(f"/start {code}", user="2"))

    assert "already been used" in second.text
    assert database.state.row_count() == before


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "not-a-code!", "ABC"])
async def test_an_unknown_code_stores_nothing(
    assistant: Assistant, database: FakeDatabase, admin: Rep, code: str
) -> None:
    before = database.state.row_count()

    reply = await assistant.handle(telegram(f"/start {code}"))

    assert "I don't know the invite code" in reply.text
    assert "Nothing was saved" in reply.text
    assert database.state.row_count() == before


async def test_an_expired_code_is_refused_on_the_injected_clock(
    assistant: Assistant, database: FakeDatabase, admin: Rep, clock: FixedClock
) -> None:
    code = await invite(assistant)
    clock.advance(timedelta(days=7, seconds=1))  # chat invites last a week

    reply = await assistant.handle(telegram(f"/start {code}"))

    assert "has expired" in reply.text
    assert all(rep.platform != "telegram" for rep in database.state.reps.values())


async def test_a_code_still_valid_just_before_it_expires(
    assistant: Assistant, database: FakeDatabase, admin: Rep, clock: FixedClock
) -> None:
    code = await invite(assistant)
    clock.advance(timedelta(days=7, seconds=-1))

    await assistant.handle(telegram(f"/start {code}"))

    assert rep_of(database, "telegram", "777").team_id == admin.team_id


async def test_a_stranger_gets_join_instructions_and_nothing_is_stored(
    assistant: Assistant, database: FakeDatabase
) -> None:
    stranger = Incoming(
        platform="telegram", user_id="42", chat_id="42", text="Called Ana", update_id="9001"
    )

    reply = await assistant.handle(stranger)

    assert reply.text == _(texts.STRANGER)
    assert "/join CODE" in reply.text
    assert database.state.row_count() == 0
    assert database.state.updates == set()
    assert database.commits == 0


async def test_on_slack_the_instructions_name_the_slash_command(assistant: Assistant) -> None:
    reply = await assistant.handle(Incoming(platform="slack", user_id="U1", chat_id="D1"))

    assert "/crm join CODE" in reply.text


async def test_on_the_console_a_first_join_enters_the_team_instead_of_a_new_one(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    code = await invite(assistant, "rep")

    reply = await assistant.handle(console(f"/join {code}", user="ion"))

    ion = rep_of(database, "console", "ion")
    assert (ion.team_id, ion.role, ion.timezone) == (admin.team_id, Role.REP, ZONE)
    assert len(database.state.teams) == 1
    assert not reply.text.startswith("Hi ion")  # not the one-person team's welcome
    assert ion.awaiting is None  # the console said its zone (--tz): no question


async def test_on_the_console_a_bad_code_creates_no_team(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await assistant.handle(console("/join ZZZZZZZZZZ", user="ion"))

    assert "I don't know the invite code ZZZZZZZZZZ" in reply.text
    assert database.state.row_count() == 0


async def test_a_member_with_another_teams_code_is_refused_and_the_code_kept(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    await assistant.handle(console("/help", user="bob"))  # bob: admin of his own team
    code = await invite(assistant)  # ana's team

    reply = await assistant.handle(console(f"/join {code}", user="bob"))

    assert "one account belongs to one team" in reply.text
    assert rep_of(database, "console", "bob").team_id != admin.team_id
    (stored,) = database.state.invites.values()
    assert stored.uses == 0
    await assistant.handle(telegram(f"/start {code}"))  # still good for the one it was for
    assert rep_of(database, "telegram", "777").team_id == admin.team_id


async def test_a_member_with_their_own_teams_code_is_told_so(
    assistant: Assistant, admin: Rep
) -> None:
    code = await invite(assistant)

    reply = await assistant.handle(console(f"/start {code}"))

    assert "already in" in reply.text
    assert "not used" in reply.text


async def test_start_without_a_code_is_still_help(assistant: Assistant, admin: Rep) -> None:
    reply = await assistant.handle(console("/start"))

    assert reply.text == _(texts.HELP)


@pytest.mark.parametrize("role", ["rep", "manager"])
async def test_only_admins_invite(
    assistant: Assistant, database: FakeDatabase, admin: Rep, role: str
) -> None:
    code = await invite(assistant, role)
    await assistant.handle(telegram(f"/start {code}"))
    invites_before = len(database.state.invites)

    reply = await assistant.handle(telegram("/invite rep"))

    assert "only the team's admins" in reply.text
    assert len(database.state.invites) == invites_before


async def test_an_unknown_role_gets_usage(assistant: Assistant, admin: Rep) -> None:
    reply = await assistant.handle(console("/invite boss"))

    assert "/invite rep, /invite manager or /invite admin" in reply.text


async def _join(assistant: Assistant, database: FakeDatabase, role: str, user: str) -> Rep:
    code = await invite(assistant, role)
    await assistant.handle(telegram(f"/start {code}", user=user))
    return rep_of(database, "telegram", user)


async def test_team_lists_members_and_roles_for_managers_not_reps(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    await _join(assistant, database, "manager", "10")
    await _join(assistant, database, "rep", "11")

    card = await assistant.handle(telegram("/team", user="10"))
    refused = await assistant.handle(telegram("/team", user="11"))

    assert "3 members" in card.text
    assert "• ana: admin" in card.text
    assert "• tg10: manager (you)" in card.text
    assert "• tg11: rep" in card.text
    assert card.buttons == ()  # a manager sees; an admin changes
    assert "managers and admins" in refused.text


async def test_an_admin_changes_a_role_with_the_team_card_buttons(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    ion = await _join(assistant, database, "rep", "11")
    card = await assistant.handle(console("/team"))
    (member,) = [b for b in card.flat_buttons if b.label == "tg11"]

    choices = await assistant.handle(console(button=member.payload))
    (manager,) = [b for b in choices.flat_buttons if b.label == "Manager"]
    done = await assistant.handle(console(button=manager.payload))

    assert done.text == "tg11 is now manager (was rep)."
    assert database.state.reps[ion.id].role is Role.MANAGER
    entry = database.state.audit[-1]
    assert (entry["entity_id"], entry["before"], entry["after"]) == (
        ion.id,
        {"role": "rep"},
        {"role": "manager"},
    )


async def test_role_by_name(assistant: Assistant, database: FakeDatabase, admin: Rep) -> None:
    ion = await _join(assistant, database, "rep", "11")

    reply = await assistant.handle(console("/role TG11 admin"))

    assert reply.text == "tg11 is now admin (was rep)."
    assert database.state.reps[ion.id].role is Role.ADMIN


async def test_role_for_nobody_or_by_a_non_admin_changes_nothing(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    await _join(assistant, database, "manager", "10")

    nobody = await assistant.handle(console("/role Zed manager"))
    not_admin = await assistant.handle(telegram("/role ana rep", user="10"))
    pressed = await assistant.handle(telegram(button=f"tm:r:{admin.id}:rep", user="10"))

    assert "Nobody in" in nobody.text
    assert "only the team's admins" in not_admin.text
    assert "only the team's admins" in pressed.text
    assert database.state.reps[admin.id].role is Role.ADMIN


async def test_the_last_admin_cannot_step_down_but_can_once_there_is_another(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    refused = await assistant.handle(console("/role ana rep"))
    assert "only admin" in refused.text
    assert database.state.reps[admin.id].role is Role.ADMIN

    await _join(assistant, database, "admin", "12")
    done = await assistant.handle(console("/role ana manager"))

    assert done.text == "ana is now manager (was admin)."
    assert database.state.reps[admin.id].role is Role.MANAGER


async def test_another_teams_member_cannot_be_reached_by_a_forged_button(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    await assistant.handle(console("/help", user="bob"))
    bob = rep_of(database, "console", "bob")

    reply = await assistant.handle(console(button=f"tm:r:{bob.id}:rep"))

    assert reply.text == _(texts.UNKNOWN_BUTTON)
    assert database.state.reps[bob.id].role is Role.ADMIN


# The time zone question, asked once after joining where the platform gave no zone.


async def _joined_on_telegram(assistant: Assistant, database: FakeDatabase) -> tuple[Rep, Reply]:
    code = await invite(assistant)
    reply = await assistant.handle(telegram(f"/start {code}"))
    return rep_of(database, "telegram", "777"), reply


async def test_the_welcome_asks_the_zone_with_the_teams_first(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    rep, reply = await _joined_on_telegram(assistant, database)

    assert "Which time zone are you in?" in reply.text
    assert rep.awaiting == AWAITING_TZ
    assert rep.timezone == ZONE  # the team's until answered
    labels = [button.label for button in reply.flat_buttons]
    assert labels[0] == "Bucharest (UTC+2)"
    assert "London (UTC)" in labels
    assert labels[-1] == f"Skip: keep {ZONE}"


async def test_a_zone_button_sets_it(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    rep, reply = await _joined_on_telegram(assistant, database)
    (new_york,) = [b for b in reply.flat_buttons if b.label.startswith("New York")]

    done = await assistant.handle(telegram(button=new_york.payload))

    assert "Time zone set: America/New_York. It's 03:00 there now" in done.text
    stored = database.state.reps[rep.id]
    assert (stored.timezone, stored.awaiting) == ("America/New_York", None)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Bucharest", "Europe/Bucharest"),
        ("new york", "America/New_York"),
        ("america/los_angeles", "America/Los_Angeles"),
        ("São Paulo", "America/Sao_Paulo"),
        ("UTC+3", "Etc/GMT-3"),
        ("Warszawa", "Europe/Warsaw"),
    ],
)
async def test_a_typed_zone_sets_it(
    assistant: Assistant, database: FakeDatabase, admin: Rep, typed: str, zone: str
) -> None:
    rep, _reply = await _joined_on_telegram(assistant, database)

    done = await assistant.handle(telegram(typed))

    assert f"Time zone set: {zone}." in done.text
    assert database.state.reps[rep.id].timezone == zone
    assert not database.state.activities  # an answer, not a note


async def test_a_misspelt_city_gets_a_retry_hint_with_suggestions(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    rep, _reply = await _joined_on_telegram(assistant, database)

    hint = await assistant.handle(telegram("Bucharset"))
    nonsense = await assistant.handle(telegram("Qwxyz"))
    half_hour = await assistant.handle(telegram("UTC+5:30"))

    assert "Did you mean" in hint.text
    assert hint.flat_buttons[0].label == "Bucharest (UTC+2)"
    assert "Type a city" in nonsense.text
    assert "whole-hour offsets" in half_hour.text
    stored = database.state.reps[rep.id]
    assert (stored.awaiting, stored.timezone) == (AWAITING_TZ, ZONE)
    assert not database.state.activities


async def test_skip_keeps_the_teams_zone(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    rep, reply = await _joined_on_telegram(assistant, database)

    skipped = await assistant.handle(telegram(button=reply.flat_buttons[-1].payload))

    assert skipped.text == f"OK, your time zone stays {ZONE}."
    stored = database.state.reps[rep.id]
    assert (stored.awaiting, stored.timezone) == (None, ZONE)


async def test_a_capture_instead_of_an_answer_is_captured(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    rep, _reply = await _joined_on_telegram(assistant, database)

    reply = await assistant.handle(telegram("Met Sam Reed from Northwind, call back tomorrow"))

    assert "Meeting with Sam Reed (Northwind) saved" in reply.text
    assert database.state.reps[rep.id].awaiting is None  # asked once; not again
    assert len(database.state.activities) == 1


async def test_the_zone_answer_survives_later_messages(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    rep, _reply = await _joined_on_telegram(assistant, database)
    await assistant.handle(telegram("Lisbon"))

    await assistant.handle(telegram("/today"))

    assert database.state.reps[rep.id].timezone == "Europe/Lisbon"


def test_zone_reading() -> None:
    assert resolve("  new   YORK ") == "America/New_York"
    assert resolve("Atlantis") is None
    assert offset_zone("GMT-5") == "Etc/GMT+5"
    assert offset_zone("+00:00") == "UTC"
    assert offset_zone("Paris") is None


def test_durations() -> None:
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("1d12h") == timedelta(days=1, hours=12)
    assert parse_duration("2w") == timedelta(weeks=2)
    for bad in ["", "7", "seven days", "0d", "400d", "5y"]:
        with pytest.raises(ValueError, match=r"duration|some time|365"):
            parse_duration(bad)


async def test_an_admin_on_telegram_gets_the_deep_link_when_the_bot_is_known(
    database: FakeDatabase, clock: FixedClock
) -> None:
    named = Assistant(database, clock, CoreConfig(telegram_bot_username="acme_crm_bot"))
    await named.handle(console("/help"))
    admin_code = code_in(await named.handle(console("/invite admin")))
    await named.handle(telegram(f"/start {admin_code}", user="5"))

    reply = await named.handle(telegram("/invite", user="5"))

    code = code_in(reply)
    assert f"https://t.me/acme_crm_bot?start={code}" in reply.text
    assert "until Mon 30 Nov" in reply.text  # a week, on the admin's clock


async def test_the_bots_name_learnt_on_start_makes_the_deep_link(
    database: FakeDatabase, clock: FixedClock
) -> None:
    learner = Assistant(database, clock, CoreConfig())
    learner.learn_telegram_username("acme_crm_bot")
    await learner.handle(console("/help"))
    admin_code = code_in(await learner.handle(console("/invite admin")))
    await learner.handle(telegram(f"/start {admin_code}", user="5"))

    reply = await learner.handle(telegram("/invite", user="5"))

    assert f"https://t.me/acme_crm_bot?start={code_in(reply)}" in reply.text


async def test_cancel_and_other_commands_drop_the_zone_question(
    assistant: Assistant, database: FakeDatabase, admin: Rep
) -> None:
    rep, _reply = await _joined_on_telegram(assistant, database)

    reply = await assistant.handle(telegram("/cancel"))

    assert reply.text == f"OK, your time zone stays {ZONE}."
    assert database.state.reps[rep.id].awaiting is None


async def test_join_without_a_code_says_how(assistant: Assistant, admin: Rep) -> None:
    reply = await assistant.handle(console("/join"))

    assert "Type the invite code after the command" in reply.text
