"""Invite codes in SQL: redeemed by one conditional UPDATE, so a code's last use goes to one
person however many race for it (PostgreSQL re-checks the WHERE on the locked row; SQLite
writes one transaction at a time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.domain import Invite, InviteProblem, Role
from handlers.ports import Clock
from storage.models import InviteRow


def invite_record(row: InviteRow) -> Invite:
    return Invite(
        id=row.id,
        team_id=row.team_id,
        code=row.code,
        role=Role(row.role),
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        max_uses=row.max_uses,
        uses=row.uses,
    )


def problem_with(invite: Invite | None, now: datetime) -> InviteProblem | None:
    """Why this invite lets nobody in at ``now``; None if it still does."""
    if invite is None:
        return InviteProblem.UNKNOWN
    if invite.expires_at is not None and invite.expires_at <= now:
        return InviteProblem.EXPIRED
    if invite.uses >= invite.max_uses:
        return InviteProblem.USED_UP
    return None


class SqlInvites:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def add(
        self,
        *,
        team_id: int,
        code: str,
        role: Role,
        created_by: int | None,
        expires_at: datetime | None,
        max_uses: int,
    ) -> Invite:
        row = InviteRow(
            team_id=team_id,
            code=code,
            role=role.value,
            created_by=created_by,
            created_at=self._clock.now(),
            expires_at=expires_at,
            max_uses=max_uses,
            uses=0,
        )
        self._session.add(row)
        await self._session.flush()
        return invite_record(row)

    async def _current(self, code: str) -> Invite | None:
        # populate_existing: a row this session read before an UPDATE is read afresh.
        row = await self._session.scalar(
            select(InviteRow)
            .where(InviteRow.code == code)
            .execution_options(populate_existing=True)
        )
        return invite_record(row) if row else None

    async def peek(self, code: str, now: datetime) -> Invite | InviteProblem:
        invite = await self._current(code)
        return problem_with(invite, now) or invite or InviteProblem.UNKNOWN

    async def redeem(self, code: str, now: datetime) -> Invite | InviteProblem:
        used = await self._session.execute(
            update(InviteRow)
            .where(
                InviteRow.code == code,
                InviteRow.uses < InviteRow.max_uses,
                or_(InviteRow.expires_at.is_(None), InviteRow.expires_at > now),
            )
            .values(uses=InviteRow.uses + 1)
            .execution_options(synchronize_session=False)
        )
        invite = await self._current(code)
        if used.rowcount == 1 and invite is not None:  # type: ignore[attr-defined]
            return invite
        return problem_with(invite, now) or InviteProblem.USED_UP
