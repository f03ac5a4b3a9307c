"""``crmbot team create`` and ``crmbot invite``: a team and its invite codes, from a shell.

The first admin of a team cannot invite themselves in chat, so the team's first code comes
from here; later ones usually from ``/invite`` in chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers import invite_codes
from handlers.clock import FixedClock
from handlers.domain import Invite, InviteProblem, Role, Team
from storage.models import TeamRow
from storage.repositories import team_record
from storage.unit_of_work import SqlUnitOfWorkFactory


class TeamCliError(Exception):
    """A team name or an option that does not fit; the message says what to do."""


@dataclass(frozen=True, slots=True)
class MadeInvite:
    team: Team
    invite: Invite


async def _teams_named(session: AsyncSession, name: str) -> list[Team]:
    wanted = name.strip().casefold()
    rows = await session.scalars(select(TeamRow).order_by(TeamRow.id))
    return [team_record(row) for row in rows if row.name.casefold() == wanted]


async def find_team(engine: AsyncEngine, name: str) -> Team:
    """The team called ``name`` (ignoring case), or the one with that id."""
    async with async_sessionmaker(engine)() as session:
        named = await _teams_named(session, name)
        if not named and name.strip().isdigit():
            row = await session.get(TeamRow, int(name))
            named = [team_record(row)] if row is not None else []
        if len(named) == 1:
            return named[0]
        if named:
            ids = ", ".join(str(team.id) for team in named)
            raise TeamCliError(
                f"{len(named)} teams are called {name!r} (ids {ids}); pass --team ID."
            )
        rows = await session.scalars(select(TeamRow).order_by(TeamRow.id).limit(20))
        listed = ", ".join(f"{row.name} (id {row.id})" for row in rows)
        raise TeamCliError(f"no team is called {name!r}. Teams: {listed or 'none yet'}.")


async def make_invite(
    engine: AsyncEngine,
    team: Team,
    role: Role,
    *,
    now: datetime,
    uses: int = 1,
    valid_for: timedelta | None = None,
) -> Invite:
    uow_factory = SqlUnitOfWorkFactory(engine, FixedClock(now))
    async with uow_factory() as uow:
        code = invite_codes.new_code()
        while not isinstance(await uow.invites.peek(code, now), InviteProblem):
            code = invite_codes.new_code()
        invite = await uow.invites.add(
            team_id=team.id,
            code=code,
            role=role,
            created_by=None,
            expires_at=now + valid_for if valid_for is not None else None,
            max_uses=uses,
        )
        await uow.commit()
    return invite


async def create_team(engine: AsyncEngine, name: str, timezone: str, now: datetime) -> MadeInvite:
    """A new team and a single-use admin invite for its first admin."""
    async with async_sessionmaker(engine)() as session:
        if await _teams_named(session, name):
            raise TeamCliError(
                f"a team called {name!r} already exists; pick another name, or make an invite "
                f"for it: crmbot invite --team {name!r} --role admin"
            )
    uow_factory = SqlUnitOfWorkFactory(engine, FixedClock(now))
    async with uow_factory() as uow:
        team = await uow.teams.add(name, timezone)
        await uow.commit()
    return MadeInvite(team, await make_invite(engine, team, Role.ADMIN, now=now))


def describe_invite(made: MadeInvite, bot_username: str | None) -> list[str]:
    invite, team = made.invite, made.team
    people = "one person" if invite.max_uses == 1 else f"up to {invite.max_uses} people"
    until = (
        f"until {invite.expires_at:%Y-%m-%d %H:%M} UTC" if invite.expires_at else "with no expiry"
    )
    return [
        f"Invite code for {team.name} ({invite.role.value}): {invite.code}",
        f"It lets {people} join, {until}. To join:",
        invite_codes.how_to_join(invite.code, bot_username),
    ]
