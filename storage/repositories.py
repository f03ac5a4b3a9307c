"""SQLAlchemy implementations of the core's repository ports.

Each repository returns the core's plain records (``handlers.domain``), never ORM rows, so
nothing outside this package depends on sessions or lazy loading.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased, contains_eager

from handlers.domain import (
    Activity,
    ActivityKind,
    Attachment,
    Change,
    Company,
    Contact,
    Reminder,
    ReminderLine,
    ReminderStatus,
    Rep,
    Role,
    Team,
)
from handlers.names import name_key, name_prefixes, text_key
from handlers.ports import Clock
from storage.audit_batch import queue_audit_row
from storage.database import conflict_insert
from storage.models import (
    ActivityRow,
    AttachmentRow,
    AuditRow,
    CompanyPrefixRow,
    CompanyRow,
    ContactPrefixRow,
    ContactRow,
    DealRow,
    ProcessedUpdateRow,
    ReminderRow,
    RepRow,
    TeamRow,
    table_of,
)

_OPEN_STATUSES = [status.value for status in ReminderStatus if status.is_open]
_MANAGING_ROLES = [Role.MANAGER.value, Role.ADMIN.value]


async def team_managers(session: AsyncSession, team_id: int) -> list[Rep]:
    rows = await session.scalars(
        select(RepRow)
        .where(RepRow.team_id == team_id, RepRow.role.in_(_MANAGING_ROLES))
        .order_by(RepRow.id)
    )
    return [rep_record(row) for row in rows]


def team_record(row: TeamRow) -> Team:
    return Team(
        id=row.id,
        name=row.name,
        default_hour=row.default_hour,
        date_order=row.date_order,
        timezone=row.timezone,
        daily_digest_at=row.daily_digest_at,
        weekly_digest_at=row.weekly_digest_at,
        agenda_at=row.agenda_at,
        digests_enabled=row.digests_enabled,
    )


def rep_record(row: RepRow) -> Rep:
    return Rep(
        id=row.id,
        team_id=row.team_id,
        platform=row.platform,
        external_id=row.external_id,
        chat_id=row.chat_id,
        display_name=row.display_name,
        language=row.language,
        timezone=row.timezone,
        role=Role(row.role),
        awaiting=row.awaiting,
        draft=row.draft,
        agenda_enabled=row.agenda_enabled,
        language_chosen=row.language_chosen,
    )


def company_record(row: CompanyRow) -> Company:
    return Company(row.id, row.team_id, row.name)


def contact_record(row: ContactRow) -> Contact:
    return Contact(
        row.id, row.team_id, row.full_name, row.company_id,
        email=row.email, phone=row.phone, job_title=row.job_title,
    )  # fmt: skip


def activity_record(row: ActivityRow) -> Activity:
    return Activity(
        id=row.id,
        team_id=row.team_id,
        rep_id=row.rep_id,
        kind=ActivityKind(row.kind),
        occurred_at=row.occurred_at,
        text=row.text,
        contact_id=row.contact_id,
        company_id=row.company_id,
    )


def reminder_record(row: ReminderRow) -> Reminder:
    return Reminder(
        id=row.id,
        team_id=row.team_id,
        rep_id=row.rep_id,
        due_at=row.due_at,
        text=row.text,
        status=ReminderStatus(row.status),
        contact_id=row.contact_id,
        company_id=row.company_id,
        activity_id=row.activity_id,
    )


def change_record(row: AuditRow) -> Change:
    return Change(
        change_id=row.change_id,
        entity=row.entity,
        entity_id=row.entity_id,
        action=row.action,
        rep_id=row.rep_id,
        before=row.before,
        after=row.after,
        at=row.at,
    )


def _prefix_hits_query(
    owner: InstrumentedAttribute[int], table: type[CompanyPrefixRow] | type[ContactPrefixRow]
) -> Any:
    """The ids of the team's names sharing word prefixes with a name, with how many they
    share, at most ``limit``: the most shared first, then the newest. One range of the prefix
    index per prefix, grouped; the rows themselves are then read by primary key."""
    hits = func.count().label("hits")
    return (
        select(owner, hits)
        .where(
            table.team_id == bindparam("team_id"),
            table.prefix.in_(bindparam("prefixes", expanding=True)),
        )
        .group_by(owner)
        .order_by(hits.desc(), owner.desc())
        .limit(bindparam("limit"))
    )


_COMPANY_PREFIX_HITS = _prefix_hits_query(CompanyPrefixRow.company_id, CompanyPrefixRow)
_CONTACT_PREFIX_HITS = _prefix_hits_query(ContactPrefixRow.contact_id, ContactPrefixRow)
_COMPANIES_BY_ID = select(CompanyRow).where(
    CompanyRow.team_id == bindparam("team_id"), CompanyRow.id.in_(bindparam("ids", expanding=True))
)
_CONTACTS_BY_ID = select(ContactRow).where(
    ContactRow.team_id == bindparam("team_id"), ContactRow.id.in_(bindparam("ids", expanding=True))
)


async def _prefix_hits(
    session: AsyncSession, statement: Any, team_id: int, name: str, limit: int
) -> dict[int, int]:
    prefixes = sorted(name_prefixes(name))
    if not prefixes:
        return {}
    values = {"team_id": team_id, "prefixes": prefixes, "limit": limit}
    return {entity_id: count for entity_id, count in await session.execute(statement, values)}


class _Repository:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def _insert(self, row: Any) -> None:
        self._session.add(row)
        await self._session.flush()

    async def _insert_values(self, statement: Any, values: dict[str, Any]) -> int:
        """Run one of the ``_INSERT_*`` statements below; the new row's id."""
        return cast(int, (await self._session.execute(statement, values)).scalar_one())


def _insert_returning_id(model: type[Any]) -> Any:
    """An INSERT of one row on the table itself, built once. The rows every capture writes
    skip the ORM's flush, which costs more CPU than the INSERT it sends."""
    table = table_of(model)
    return insert(table).returning(table.c.id)


_INSERT_ACTIVITY = _insert_returning_id(ActivityRow)
_INSERT_REMINDER = _insert_returning_id(ReminderRow)
_INSERT_CONTACT = _insert_returning_id(ContactRow)


class SqlTeams(_Repository):
    async def add(self, name: str, timezone: str = "UTC") -> Team:
        row = TeamRow(
            name=name,
            default_hour=9,
            date_order="DMY",
            timezone=timezone,
            created_at=self._clock.now(),
        )
        await self._insert(row)
        return team_record(row)

    async def get(self, team_id: int) -> Team | None:
        row = await self._session.get(TeamRow, team_id)
        return team_record(row) if row else None

    async def set_digest_settings(
        self,
        team_id: int,
        *,
        timezone: str,
        daily_digest_at: str,
        weekly_digest_at: str,
        agenda_at: str,
        digests_enabled: bool,
    ) -> Team:
        row = await self._session.get_one(TeamRow, team_id)
        row.timezone = timezone
        row.daily_digest_at = daily_digest_at
        row.weekly_digest_at = weekly_digest_at
        row.agenda_at = agenda_at
        row.digests_enabled = digests_enabled
        await self._session.flush()
        return team_record(row)


_REP_BY_IDENTITY = (
    select(RepRow)
    .join(RepRow.team)
    .outerjoin(TeamRow.terms)
    .options(contains_eager(RepRow.team).contains_eager(TeamRow.terms))
    .where(RepRow.platform == bindparam("platform"), RepRow.external_id == bindparam("external_id"))
)
"""Every update starts here. One round trip brings the rep, the team and the team's terms;
``teams.get`` and ``terms.for_team`` then answer from the session's identity map."""
_KEEP = "crmbot.rows_kept"


class SqlReps(_Repository):
    async def by_identity(self, platform: str, external_id: str) -> Rep | None:
        result = await self._session.scalars(
            _REP_BY_IDENTITY, {"platform": platform, "external_id": external_id}
        )
        row = result.unique().one_or_none()
        if row is None:
            return None
        # The identity map holds rows weakly: keep this one (and through it the team and its
        # terms) for the unit of work, or they are gone before anyone asks for them.
        self._session.info.setdefault(_KEEP, []).append(row)
        return rep_record(row)

    async def add(
        self,
        *,
        team_id: int,
        platform: str,
        external_id: str,
        chat_id: str,
        display_name: str,
        language: str,
        timezone: str,
        role: Role,
    ) -> Rep:
        row = RepRow(
            team_id=team_id,
            platform=platform,
            external_id=external_id,
            chat_id=chat_id,
            display_name=display_name,
            language=language,
            timezone=timezone,
            role=role.value,
            created_at=self._clock.now(),
        )
        await self._insert(row)
        return rep_record(row)

    async def update_profile(
        self, rep_id: int, *, chat_id: str, display_name: str, language: str, timezone: str
    ) -> Rep:
        row = await self._session.get_one(RepRow, rep_id)
        row.chat_id, row.display_name = chat_id, display_name
        row.language, row.timezone = language, timezone
        await self._session.flush()
        return rep_record(row)

    async def set_awaiting(self, rep_id: int, awaiting: str | None) -> None:
        await self._session.execute(
            update(RepRow).where(RepRow.id == rep_id).values(awaiting=awaiting)
        )

    async def set_draft(self, rep_id: int, draft: str | None) -> None:
        await self._session.execute(update(RepRow).where(RepRow.id == rep_id).values(draft=draft))

    async def set_agenda(self, rep_id: int, enabled: bool) -> None:
        await self._session.execute(
            update(RepRow).where(RepRow.id == rep_id).values(agenda_enabled=enabled)
        )

    async def set_language(self, rep_id: int, language: str) -> Rep:
        row = await self._session.get_one(RepRow, rep_id)
        row.language, row.language_chosen = language, True
        await self._session.flush()
        return rep_record(row)

    async def managers(self, team_id: int) -> list[Rep]:
        return await team_managers(self._session, team_id)

    async def members(self, team_id: int) -> list[Rep]:
        rows = await self._session.scalars(
            select(RepRow).where(RepRow.team_id == team_id).order_by(RepRow.id)
        )
        return [rep_record(row) for row in rows]

    async def set_role(self, team_id: int, rep_id: int, role: Role) -> Rep | None:
        if role is not Role.ADMIN:
            # The team row's lock queues role changes in one team (PostgreSQL; SQLite runs one
            # writer at a time anyway), so the count below sees any other admin's step down.
            await self._session.execute(
                select(TeamRow.id).where(TeamRow.id == team_id).with_for_update()
            )
        row = (
            await self._session.scalars(
                select(RepRow)
                .where(RepRow.team_id == team_id, RepRow.id == rep_id)
                .execution_options(populate_existing=True)
            )
        ).one()
        if row.role == Role.ADMIN.value and role is not Role.ADMIN:
            other_admins = await self._session.scalar(
                select(func.count())
                .select_from(RepRow)
                .where(
                    RepRow.team_id == team_id,
                    RepRow.role == Role.ADMIN.value,
                    RepRow.id != rep_id,
                )
            )
            if not other_admins:
                return None
        row.role = role.value
        await self._session.flush()
        return rep_record(row)


_COMPANY_BY_NAME = select(CompanyRow).where(
    CompanyRow.team_id == bindparam("team_id"), CompanyRow.name_key == bindparam("name_key")
)
_CONTACT_BY_NAME = (
    select(ContactRow)
    .where(ContactRow.team_id == bindparam("team_id"), ContactRow.name_key == bindparam("name_key"))
    .order_by(ContactRow.id)
    .limit(1)
)


_COMPANIES = table_of(CompanyRow)
_INSERT_COMPANY = {
    backend: conflict_insert(backend, _COMPANIES)
    .on_conflict_do_nothing(index_elements=[_COMPANIES.c.team_id, _COMPANIES.c.name_key])
    .returning(_COMPANIES.c.id)
    for backend in ("postgresql", "sqlite")
}


class SqlCompanies(_Repository):
    async def find_by_name(self, team_id: int, name: str) -> Company | None:
        row = await self._session.scalar(
            _COMPANY_BY_NAME, {"team_id": team_id, "name_key": name_key(name)}
        )
        return company_record(row) if row else None

    async def similar(self, team_id: int, name: str, limit: int) -> list[Company]:
        hits = await _prefix_hits(self._session, _COMPANY_PREFIX_HITS, team_id, name, limit)
        if not hits:
            return []
        rows = await self._session.scalars(
            _COMPANIES_BY_ID, {"team_id": team_id, "ids": list(hits)}
        )
        return sorted(map(company_record, rows), key=lambda c: (-hits[c.id], -c.id))

    async def add(self, team_id: int, name: str) -> Company:
        key = name_key(name)
        # Two reps may name the same new company at the same moment (PostgreSQL, several
        # writers): the second then uses the first one's company instead of failing its whole
        # message (benchmarks/soak.py saw it happen). ON CONFLICT DO NOTHING waits for the
        # first to commit and skips the row, one statement where a savepoint took three.
        statement = _INSERT_COMPANY[self._session.get_bind().dialect.name]
        values = {
            "team_id": team_id,
            "name": name,
            "name_key": key,
            "created_at": self._clock.now(),
        }
        company_id = await self._session.scalar(statement, values)
        if company_id is None:
            existing = await self._session.scalar(
                _COMPANY_BY_NAME, {"team_id": team_id, "name_key": key}
            )
            if existing is None:  # READ COMMITTED sees the row that conflicted
                raise RuntimeError(f"company {key!r} of team {team_id} conflicted but is gone")
            return company_record(existing)
        prefixes = [
            {"company_id": company_id, "team_id": team_id, "prefix": prefix}
            for prefix in sorted(name_prefixes(name))
        ]
        if prefixes:
            await self._session.execute(insert(table_of(CompanyPrefixRow)), prefixes)
        return Company(company_id, team_id, name)

    async def get(self, team_id: int, company_id: int) -> Company | None:
        row = await self._session.scalar(
            select(CompanyRow).where(CompanyRow.team_id == team_id, CompanyRow.id == company_id)
        )
        return company_record(row) if row else None

    async def delete_unused(self, team_id: int, company_id: int) -> bool:
        # Any reference blocks the delete, whatever its team: a foreign key would refuse too.
        used = or_(
            exists().where(ContactRow.company_id == CompanyRow.id),
            exists().where(ActivityRow.company_id == CompanyRow.id),
            exists().where(ReminderRow.company_id == CompanyRow.id),
            exists().where(DealRow.company_id == CompanyRow.id),
        )
        statement = (
            delete(CompanyRow)
            .where(CompanyRow.team_id == team_id, CompanyRow.id == company_id, ~used)
            .returning(CompanyRow.id)
            .execution_options(synchronize_session="fetch")
        )
        return (await self._session.scalar(statement)) is not None


class SqlContacts(_Repository):
    async def find_by_name(self, team_id: int, full_name: str) -> Contact | None:
        row = await self._session.scalar(
            _CONTACT_BY_NAME, {"team_id": team_id, "name_key": name_key(full_name)}
        )
        return contact_record(row) if row else None

    async def similar(self, team_id: int, full_name: str, limit: int) -> list[Contact]:
        hits = await _prefix_hits(self._session, _CONTACT_PREFIX_HITS, team_id, full_name, limit)
        if not hits:
            return []
        rows = await self._session.scalars(_CONTACTS_BY_ID, {"team_id": team_id, "ids": list(hits)})
        return sorted(map(contact_record, rows), key=lambda c: (-hits[c.id], -c.id))

    async def recent_for_rep(self, team_id: int, rep_id: int, limit: int) -> list[Contact]:
        # The rep's activities by (rep_id, occurred_at): ix_activities_rep_occurred.
        last_at = func.max(ActivityRow.occurred_at).label("last_at")
        last_id = func.max(ActivityRow.id).label("last_id")
        recent = (
            select(ActivityRow.contact_id, last_at, last_id)
            .where(
                ActivityRow.rep_id == rep_id,
                ActivityRow.team_id == team_id,
                ActivityRow.contact_id.is_not(None),
            )
            .group_by(ActivityRow.contact_id)
            .order_by(last_at.desc(), last_id.desc())
            .limit(limit)
            .subquery()
        )
        rows = await self._session.scalars(
            select(ContactRow)
            .join(recent, recent.c.contact_id == ContactRow.id)
            .where(ContactRow.team_id == team_id)
            .order_by(recent.c.last_at.desc(), recent.c.last_id.desc())
        )
        return [contact_record(row) for row in rows]

    async def add(self, team_id: int, full_name: str, company_id: int | None) -> Contact:
        values = {
            "team_id": team_id,
            "full_name": full_name,
            "name_key": name_key(full_name),
            "company_id": company_id,
            "created_at": self._clock.now(),
        }
        contact_id = await self._insert_values(_INSERT_CONTACT, values)
        prefixes = [
            {"contact_id": contact_id, "team_id": team_id, "prefix": prefix}
            for prefix in sorted(name_prefixes(full_name))
        ]
        if prefixes:
            await self._session.execute(insert(table_of(ContactPrefixRow)), prefixes)
        return Contact(contact_id, team_id, full_name, company_id)

    async def _row(self, team_id: int, contact_id: int) -> ContactRow | None:
        return await self._session.scalar(
            select(ContactRow).where(ContactRow.team_id == team_id, ContactRow.id == contact_id)
        )

    async def get(self, team_id: int, contact_id: int) -> Contact | None:
        row = await self._row(team_id, contact_id)
        return contact_record(row) if row else None

    async def relink_company(
        self, team_id: int, contact_id: int, company_id: int | None
    ) -> Contact | None:
        row = await self._row(team_id, contact_id)
        if row is None:
            return None
        row.company_id = company_id
        await self._session.flush()
        return contact_record(row)

    async def delete_unused(self, team_id: int, contact_id: int) -> bool:
        # Any reference blocks the delete, whatever its team: a foreign key would refuse too.
        used = or_(
            exists().where(ActivityRow.contact_id == ContactRow.id),
            exists().where(ReminderRow.contact_id == ContactRow.id),
        )
        statement = (
            delete(ContactRow)
            .where(ContactRow.team_id == team_id, ContactRow.id == contact_id, ~used)
            .returning(ContactRow.id)
            .execution_options(synchronize_session="fetch")
        )
        return (await self._session.scalar(statement)) is not None


class SqlActivities(_Repository):
    async def add(
        self,
        *,
        team_id: int,
        rep_id: int,
        kind: ActivityKind,
        occurred_at: datetime,
        text: str,
        contact_id: int | None,
        company_id: int | None,
    ) -> Activity:
        values = {
            "team_id": team_id,
            "rep_id": rep_id,
            "kind": kind.value,
            "occurred_at": occurred_at,
            "text": text,
            "text_key": text_key(text),
            "contact_id": contact_id,
            "company_id": company_id,
            "created_at": self._clock.now(),
        }
        activity_id = await self._insert_values(_INSERT_ACTIVITY, values)
        return Activity(
            id=activity_id,
            team_id=team_id,
            rep_id=rep_id,
            kind=kind,
            occurred_at=occurred_at,
            text=text,
            contact_id=contact_id,
            company_id=company_id,
        )

    async def last_with(
        self, team_id: int, contact_id: int | None, company_id: int | None
    ) -> Activity | None:
        if contact_id is not None:
            condition = ActivityRow.contact_id == contact_id
        elif company_id is not None:
            condition = ActivityRow.company_id == company_id
        else:
            return None
        row = await self._session.scalar(
            select(ActivityRow)
            .where(ActivityRow.team_id == team_id, condition)
            .order_by(ActivityRow.occurred_at.desc(), ActivityRow.id.desc())
            .limit(1)
        )
        return activity_record(row) if row else None

    async def count_by_kind(
        self, rep_id: int, since: datetime, until: datetime
    ) -> Mapping[ActivityKind, int]:
        rows = await self._session.execute(
            select(ActivityRow.kind, func.count())
            .where(
                ActivityRow.rep_id == rep_id,
                ActivityRow.occurred_at >= since,
                ActivityRow.occurred_at < until,
            )
            .group_by(ActivityRow.kind)
        )
        return {ActivityKind(kind): count for kind, count in rows}

    async def _row(self, team_id: int, activity_id: int) -> ActivityRow | None:
        return await self._session.scalar(
            select(ActivityRow).where(ActivityRow.team_id == team_id, ActivityRow.id == activity_id)
        )

    async def get(self, team_id: int, activity_id: int) -> Activity | None:
        row = await self._row(team_id, activity_id)
        return activity_record(row) if row else None

    async def relink_contact(
        self, team_id: int, activity_id: int, *, contact_id: int | None, company_id: int | None
    ) -> Activity | None:
        row = await self._row(team_id, activity_id)
        if row is None:
            return None
        row.contact_id, row.company_id = contact_id, company_id
        await self._session.flush()
        return activity_record(row)

    async def delete(self, team_id: int, activity_id: int) -> bool:
        await self._session.execute(
            update(ReminderRow)
            .where(ReminderRow.team_id == team_id, ReminderRow.activity_id == activity_id)
            .values(activity_id=None)
        )
        await self._session.execute(
            delete(AttachmentRow).where(
                AttachmentRow.team_id == team_id, AttachmentRow.activity_id == activity_id
            )
        )
        # RETURNING says whether this statement removed it (a concurrent Undo may have).
        statement = (
            delete(ActivityRow)
            .where(ActivityRow.team_id == team_id, ActivityRow.id == activity_id)
            .returning(ActivityRow.id)
            .execution_options(synchronize_session="fetch")
        )
        return (await self._session.scalar(statement)) is not None

    async def latest_created_by(
        self, team_id: int, rep_id: int, since: datetime
    ) -> Activity | None:
        row = await self._session.scalar(
            select(ActivityRow)
            .where(
                ActivityRow.team_id == team_id,
                ActivityRow.rep_id == rep_id,
                ActivityRow.created_at >= since,
            )
            .order_by(ActivityRow.created_at.desc(), ActivityRow.id.desc())
            .limit(1)
        )
        return activity_record(row) if row else None

    async def attach(
        self, team_id: int, activity_id: int, *, platform: str, kind: str, file_id: str
    ) -> Attachment:
        row = AttachmentRow(
            team_id=team_id,
            activity_id=activity_id,
            platform=platform,
            kind=kind,
            file_id=file_id,
            created_at=self._clock.now(),
        )
        await self._insert(row)
        return _attachment_record(row)

    async def attachments(self, team_id: int, activity_id: int) -> list[Attachment]:
        rows = await self._session.scalars(
            select(AttachmentRow)
            .where(AttachmentRow.team_id == team_id, AttachmentRow.activity_id == activity_id)
            .order_by(AttachmentRow.id)
        )
        return [_attachment_record(row) for row in rows]


def _attachment_record(row: AttachmentRow) -> Attachment:
    return Attachment(
        id=row.id,
        team_id=row.team_id,
        activity_id=row.activity_id,
        platform=row.platform,
        kind=row.kind,
        file_id=row.file_id,
    )


def _reminder_lines(*conditions: Any) -> Any:
    """Open reminders with the names they are about, soonest first (for /today, agendas)."""
    contact, company = aliased(ContactRow), aliased(CompanyRow)
    return (
        select(ReminderRow, contact.full_name, company.name)
        .outerjoin(contact, contact.id == ReminderRow.contact_id)
        .outerjoin(company, company.id == func.coalesce(ReminderRow.company_id, contact.company_id))
        .where(ReminderRow.status.in_(_OPEN_STATUSES), *conditions)
        .order_by(ReminderRow.due_at, ReminderRow.id)
    )


_OPEN_FOR_REP = _reminder_lines(
    ReminderRow.rep_id == bindparam("rep_id"), ReminderRow.due_at < bindparam("due_before")
)
_UPCOMING_FOR_REP = _reminder_lines(
    ReminderRow.rep_id == bindparam("rep_id"), ReminderRow.due_at >= bindparam("due_from")
).limit(bindparam("limit"))
_OPEN_FOR_TEAM = _reminder_lines(
    ReminderRow.team_id == bindparam("team_id"), ReminderRow.due_at < bindparam("due_before")
)
_REMINDER_BY_ID = select(ReminderRow).where(
    ReminderRow.team_id == bindparam("team_id"), ReminderRow.id == bindparam("reminder_id")
)


class SqlReminders(_Repository):
    async def add(
        self,
        *,
        team_id: int,
        rep_id: int,
        due_at: datetime,
        text: str,
        contact_id: int | None,
        company_id: int | None,
    ) -> Reminder:
        values = {
            "team_id": team_id,
            "rep_id": rep_id,
            "due_at": due_at,
            "text": text,
            "status": ReminderStatus.PENDING.value,
            "attempts": 0,
            "contact_id": contact_id,
            "company_id": company_id,
            "created_at": self._clock.now(),
        }
        reminder_id = await self._insert_values(_INSERT_REMINDER, values)
        return Reminder(
            id=reminder_id,
            team_id=team_id,
            rep_id=rep_id,
            due_at=due_at,
            text=text,
            status=ReminderStatus.PENDING,
            contact_id=contact_id,
            company_id=company_id,
        )

    async def get(self, team_id: int, reminder_id: int) -> Reminder | None:
        row = await self._row(team_id, reminder_id)
        return reminder_record(row) if row else None

    async def set_status(self, team_id: int, reminder_id: int, status: ReminderStatus) -> None:
        await self._session.execute(
            update(ReminderRow)
            .where(ReminderRow.team_id == team_id, ReminderRow.id == reminder_id)
            .values(status=status.value, lease_until=None)
        )

    async def restore(
        self, team_id: int, reminder_id: int, *, due_at: datetime, status: ReminderStatus
    ) -> Reminder | None:
        row = await self._row(team_id, reminder_id)
        if row is None:
            return None
        row.due_at, row.status, row.lease_until = due_at, status.value, None
        if status is ReminderStatus.PENDING:  # to be delivered (again) at its time
            row.attempts, row.sent_at, row.last_error = 0, None, None
        await self._session.flush()
        return reminder_record(row)

    async def reschedule(self, team_id: int, reminder_id: int, due_at: datetime) -> None:
        await self._session.execute(
            update(ReminderRow)
            .where(ReminderRow.team_id == team_id, ReminderRow.id == reminder_id)
            .values(
                due_at=due_at,
                status=ReminderStatus.PENDING.value,
                lease_until=None,
                attempts=0,
                sent_at=None,
                last_error=None,
            )
        )

    async def link_activity(self, team_id: int, reminder_id: int, activity_id: int) -> None:
        await self._session.execute(
            update(ReminderRow)
            .where(ReminderRow.team_id == team_id, ReminderRow.id == reminder_id)
            .values(activity_id=activity_id)
        )

    async def _lines(self, statement: Any, values: dict[str, Any]) -> list[ReminderLine]:
        rows = await self._session.execute(statement, values)
        return [
            ReminderLine(reminder_record(row), contact_name, company_name)
            for row, contact_name, company_name in rows
        ]

    async def open_for_rep(self, rep_id: int, due_before: datetime) -> list[ReminderLine]:
        return await self._lines(_OPEN_FOR_REP, {"rep_id": rep_id, "due_before": due_before})

    async def upcoming_for_rep(
        self, rep_id: int, due_from: datetime, limit: int
    ) -> list[ReminderLine]:
        values = {"rep_id": rep_id, "due_from": due_from, "limit": limit}
        return await self._lines(_UPCOMING_FOR_REP, values)

    async def open_for_team(self, team_id: int, due_before: datetime) -> list[ReminderLine]:
        return await self._lines(_OPEN_FOR_TEAM, {"team_id": team_id, "due_before": due_before})

    async def _row(self, team_id: int, reminder_id: int) -> ReminderRow | None:
        return await self._session.scalar(
            _REMINDER_BY_ID, {"team_id": team_id, "reminder_id": reminder_id}
        )

    async def relink_contact(
        self, team_id: int, reminder_id: int, *, contact_id: int | None, company_id: int | None
    ) -> Reminder | None:
        row = await self._row(team_id, reminder_id)
        if row is None:
            return None
        row.contact_id, row.company_id = contact_id, company_id
        await self._session.flush()
        return reminder_record(row)

    async def delete(self, team_id: int, reminder_id: int) -> bool:
        statement = (
            delete(ReminderRow)
            .where(ReminderRow.team_id == team_id, ReminderRow.id == reminder_id)
            .returning(ReminderRow.id)
            .execution_options(synchronize_session="fetch")
        )
        return (await self._session.scalar(statement)) is not None


class SqlAudit(_Repository):
    async def record(
        self,
        *,
        team_id: int,
        rep_id: int | None,
        change_id: str,
        action: str,
        entity: str,
        entity_id: int,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        # Written with the others of this unit of work, in one statement (audit_batch).
        queue_audit_row(
            self._session,
            {
                "team_id": team_id,
                "rep_id": rep_id,
                "change_id": change_id,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": dict(before) if before is not None else None,
                "after": dict(after) if after is not None else None,
                "at": self._clock.now(),
            },
        )

    async def for_change(self, team_id: int, change_id: str) -> list[Change]:
        rows = await self._session.scalars(
            select(AuditRow)
            .where(AuditRow.team_id == team_id, AuditRow.change_id == change_id)
            .order_by(AuditRow.id)
        )
        return [change_record(row) for row in rows]

    async def recent_changes(
        self, team_id: int, rep_id: int, since: datetime, limit: int
    ) -> list[str]:
        last_row = func.max(AuditRow.id).label("last_row")
        rows = await self._session.execute(
            select(AuditRow.change_id, last_row)
            .where(AuditRow.team_id == team_id, AuditRow.rep_id == rep_id, AuditRow.at >= since)
            .group_by(AuditRow.change_id)
            .order_by(last_row.desc())
            .limit(limit)
        )
        return [change_id for change_id, _ in rows]


_PROCESSED = table_of(ProcessedUpdateRow)
_FIRST_DELIVERY = {
    # RETURNING, not rowcount: drivers disagree on rowcount after DO NOTHING.
    backend: conflict_insert(backend, _PROCESSED)
    .on_conflict_do_nothing()
    .returning(_PROCESSED.c.update_id)
    for backend in ("postgresql", "sqlite")
}
"""Built once, like the other statements every update runs: building a statement costs this
process more CPU than the database spends running it (benchmarks/load.py)."""


class SqlUpdateLog(_Repository):
    async def first_delivery(self, platform: str, update_id: str, at: datetime) -> bool:
        statement = _FIRST_DELIVERY[self._session.get_bind().dialect.name]
        values = {"platform": platform, "update_id": update_id, "received_at": at}
        return (await self._session.scalar(statement, values)) is not None
