"""Joining a team by invite, and the team's people: ``/invite``, ``/team``, ``/role``.

An admin makes invite codes; a person joins with ``/start CODE`` (Telegram's deep link sends
exactly that) or ``/join CODE``. Managers and admins see who is in the team; admins change
roles, and a team is never left without an admin.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers import invite_codes, onboarding, texts
from handlers.audit import ChangeLog
from handlers.domain import Invite, InviteProblem, Rep, Role, Team
from handlers.i18n import _, format_day, ngettext
from handlers.messages import Button, Incoming, Reply
from handlers.names import name_key
from handlers.permissions import Action, allowed, sees_team
from handlers.ports import UnitOfWork

CHAT_INVITE_VALID = timedelta(days=7)
"""Invites made in chat are single use and lapse after a week, so a forgotten one is harmless."""
TEAM_BUTTONS = 12
"""Members shown with a role button on the /team card; /role reaches everyone."""
_JOIN = re.compile(r"^/(?:start|join)(?:@\S+)?\s+(?P<code>\S.*)$", re.IGNORECASE | re.DOTALL)
BUTTON = re.compile(
    r"^tm:(?:m:(?P<member>\d{1,18})|r:(?P<rep>\d{1,18}):(?P<role>rep|manager|admin))$"
)
"""The /team card's buttons: a member (``tm:m:ID``), then a role for them (``tm:r:ID:ROLE``)."""
_CODE_CHARS = re.compile(rf"^[{invite_codes.ALPHABET}]{{4,32}}$")


def join_code(text: str) -> str | None:
    """The invite code of a ``/start CODE`` or ``/join CODE`` message, normalized."""
    match = _JOIN.match(text.strip())
    return invite_codes.normalize(match["code"]) if match else None


def _problem_text(problem: InviteProblem, code: str) -> str:
    if problem is InviteProblem.EXPIRED:
        text = _("The invite code {code} has expired. Ask your team's admin for a new one.")
    elif problem is InviteProblem.USED_UP:
        text = _(
            "The invite code {code} has already been used. Ask your team's admin for a new one."
        )
    else:
        text = _(
            "I don't know the invite code {code}. Check it against the one you were sent "
            "(10 letters and digits, e.g. K7PMQX3R9T)."
        )
    return text.format(code=code[:40]) + " " + _("Nothing was saved.")


async def join_unknown(
    uow: UnitOfWork,
    incoming: Incoming,
    text: str,
    now: datetime,
    default_language: str,
) -> tuple[Rep, Reply] | Reply | None:
    """A ``/start CODE`` or ``/join CODE`` from someone the bot does not know yet.

    None if the message is not a join (or the sender is known); a Reply alone if the code
    lets nobody in (nothing is stored); the new member and their welcome otherwise.
    """
    code = join_code(text)
    if code is None or await uow.reps.by_identity(incoming.platform, incoming.user_id):
        return None
    if not _CODE_CHARS.match(code):
        return Reply(_problem_text(InviteProblem.UNKNOWN, code))
    invite = await uow.invites.redeem(code, now)
    if not isinstance(invite, Invite):
        return Reply(_problem_text(invite, code))
    team = await uow.teams.get(invite.team_id)
    if team is None:  # an invite's team is a foreign key
        raise LookupError(f"team {invite.team_id} of invite {invite.id} is missing")
    rep = await uow.reps.add(
        team_id=team.id,
        platform=incoming.platform,
        external_id=incoming.user_id,
        chat_id=incoming.chat_id,
        display_name=incoming.display_name or incoming.user_id,
        language=incoming.language or default_language,
        timezone=incoming.timezone or team.timezone,
        role=invite.role,
    )
    await ChangeLog(uow, rep).record(
        "create",
        "rep",
        rep.id,
        None,
        {"role": rep.role.value, "invite_id": invite.id, "platform": rep.platform},
    )
    welcome = _("Welcome to {team}, {name}! Your role: {role}.").format(
        team=team.name, name=rep.display_name, role=invite_codes.role_label(rep.role)
    )
    if incoming.timezone is not None:  # the platform told us (the console's --tz)
        return rep, Reply(f"{welcome}\n\n{_(texts.EMPTY)}")
    await uow.reps.set_awaiting(rep.id, onboarding.AWAITING_TZ)
    asked = onboarding.question(team, rep, now)
    return rep, Reply(f"{welcome}\n\n{asked.text}", asked.buttons)


async def join_known(uow: UnitOfWork, rep: Rep, team: Team, args: str, now: datetime) -> Reply:
    """``/join CODE`` (or ``/start CODE``) from someone already in a team: the code is left
    unused. One chat account belongs to one team, so another team's code is refused."""
    code = invite_codes.normalize(args)
    if not _CODE_CHARS.match(code):
        return Reply(_problem_text(InviteProblem.UNKNOWN, code))
    invite = await uow.invites.peek(code, now)
    if not isinstance(invite, Invite):
        return Reply(_problem_text(invite, code))
    if invite.team_id == rep.team_id:
        text = _("You're already in {team} (your role: {role}). The code was not used.")
        return Reply(text.format(team=team.name, role=invite_codes.role_label(rep.role)))
    text = _(
        "You're already in {team}, and one account belongs to one team. The code was not "
        "used; to join another team, use it from another account, or ask an admin of "
        "{team} to help."
    )
    return Reply(text.format(team=team.name))


async def invite(
    uow: UnitOfWork, rep: Rep, team: Team, args: str, now: datetime, bot_username: str | None
) -> Reply:
    """``/invite [rep|manager|admin]``: a single-use code for the role, valid for a week."""
    if not allowed(rep, Action.CONFIGURE_TEAM):
        return Reply(_("Sorry, only the team's admins can invite people. Ask one of them."))
    role = invite_codes.parse_role(args) if args else Role.REP
    if role is None:
        return Reply(_("Whom should I invite? /invite rep, /invite manager or /invite admin."))
    code = invite_codes.new_code()
    while not isinstance(await uow.invites.peek(code, now), InviteProblem):
        code = invite_codes.new_code()  # taken: astronomically rare, but never reuse one
    expires_at = now + CHAT_INVITE_VALID
    made = await uow.invites.add(
        team_id=team.id,
        code=code,
        role=role,
        created_by=rep.id,
        expires_at=expires_at,
        max_uses=1,
    )
    await ChangeLog(uow, rep).record(
        "create",
        "invite",
        made.id,
        None,
        {"role": role.value, "max_uses": 1, "expires_at": expires_at.isoformat()},
    )
    text = _(
        "Invite code for {team} (role: {role}): {code}\n"
        "It lets one person join, until {until}. Send it to them; to join, they "
        "{how}."
    ).format(
        role=invite_codes.role_label(role),
        team=team.name,
        code=code,
        until=_local_day(expires_at, rep.timezone),
        how=invite_codes.join_step(code, rep.platform, bot_username),
    )
    return Reply(text)


def _local_day(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{format_day(local)} {local:%H:%M}"  # "Mon 30 Nov 16:22", "luni, 30 noiembrie 16:22"


def _member_line(member: Rep, viewer: Rep) -> str:
    name = member.display_name or member.external_id
    line = f"• {name}: {invite_codes.role_label(member.role)}"
    return line + (_(" (you)") if member.id == viewer.id else "")


async def team_card(uow: UnitOfWork, rep: Rep, team: Team) -> Reply:
    """``/team``: who is in the team and their roles (managers and admins); buttons to change
    a role (admins)."""
    if not sees_team(rep):
        return Reply(_("Sorry, the member list is for the team's managers and admins."))
    members = await uow.reps.members(team.id)
    heading = ngettext("{team}: {count} member", "{team}: {count} members", len(members))
    lines = [heading.format(team=team.name, count=len(members))]
    lines += [_member_line(member, rep) for member in members]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if allowed(rep, Action.CONFIGURE_TEAM):
        lines.append(
            _("Tap a name to change their role, or type /role NAME ROLE. /invite adds someone.")
        )
        buttons = tuple(
            (Button(member.display_name or member.external_id, f"tm:m:{member.id}"),)
            for member in members[:TEAM_BUTTONS]
        )
    return Reply("\n".join(lines), buttons)


async def _member(uow: UnitOfWork, team: Team, rep_id: int) -> Rep | None:
    return next((m for m in await uow.reps.members(team.id) if m.id == rep_id), None)


async def change_role(uow: UnitOfWork, admin: Rep, team: Team, member: Rep, role: Role) -> Reply:
    """Give ``member`` ``role``; the last admin stays an admin."""
    name = member.display_name or member.external_id
    if member.role is role:
        return Reply(
            _("{name}'s role is already {role}.").format(
                name=name, role=invite_codes.role_label(role)
            )
        )
    if await uow.reps.set_role(team.id, member.id, role) is None:
        text = _(
            "{name} is the only admin of {team}. Make someone else an admin first, so the "
            "team always has one. Nothing was changed."
        )
        return Reply(text.format(name=name, team=team.name))
    await ChangeLog(uow, admin).record(
        "update", "rep", member.id, {"role": member.role.value}, {"role": role.value}
    )
    text = _("{name} is now {role} (was {before}).").format(
        name=name, role=invite_codes.role_label(role), before=invite_codes.role_label(member.role)
    )
    return Reply(text)


async def role_command(uow: UnitOfWork, rep: Rep, team: Team, args: str) -> Reply:
    """``/role NAME ROLE``."""
    if not allowed(rep, Action.CONFIGURE_TEAM):
        return Reply(_("Sorry, only the team's admins can change roles."))
    name, _space, word = args.rpartition(" ")
    role = invite_codes.parse_role(word)
    if not name.strip() or role is None:
        return Reply(_("Whose role, and which? /role Dan manager (roles: rep, manager, admin)."))
    key = name_key(name)
    members = await uow.reps.members(team.id)
    named = [m for m in members if name_key(m.display_name or m.external_id) == key] or [
        m for m in members if name_key(m.display_name or m.external_id).startswith(key)
    ]
    if not named:
        return Reply(
            _("Nobody in {team} is called {name}. /team lists the members.").format(
                team=team.name, name=name.strip()
            )
        )
    if len(named) > 1:
        listed = ", ".join(m.display_name or m.external_id for m in named)
        text = _("Several members fit {name}: {listed}. Type the full name, or use /team.")
        return Reply(text.format(name=name.strip(), listed=listed))
    return await change_role(uow, rep, team, named[0], role)


async def press(uow: UnitOfWork, rep: Rep, team: Team, payload: str) -> Reply | None:
    """A tap on the /team card; None if the payload is not one of its buttons."""
    match = BUTTON.fullmatch(payload)
    if match is None:
        return None
    if not allowed(rep, Action.CONFIGURE_TEAM):
        return Reply(_("Sorry, only the team's admins can change roles."))
    member = await _member(uow, team, int(match["member"] or match["rep"]))
    if member is None:  # another team's person, or gone: nothing to show or change
        return Reply(_(texts.UNKNOWN_BUTTON))
    if match["role"]:
        return await change_role(uow, rep, team, member, Role(match["role"]))
    name = member.display_name or member.external_id
    text = _("{name}'s role: {role}. Change it to:").format(
        name=name, role=invite_codes.role_label(member.role)
    )
    buttons = tuple(
        (Button(invite_codes.role_label(role).capitalize(), f"tm:r:{member.id}:{role.value}"),)
        for role in Role
        if role is not member.role
    )
    return Reply(text, buttons)
