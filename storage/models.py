"""The database schema, as SQLAlchemy 2 declarative models.

Every table that holds a team's data carries ``team_id`` so every query can be scoped by team.
Times are stored in UTC (:class:`UTCDateTime`), whatever the backend.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
    type_coerce,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC.

    SQLite keeps no zone, so values come back naive: this type converts on the way in and
    marks UTC on the way out, so the rest of the code only ever sees aware UTC datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a zone first")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_utc(expression: Any) -> ColumnElement[datetime]:
    """An aggregate or CASE over UTC datetimes, still read back as aware UTC.

    min(), max() and CASE lose the column's type, and on SQLite the value then comes back as
    text; coercing keeps :class:`UTCDateTime` on it.
    """
    return type_coerce(expression, UTCDateTime())


def trigram_index(name: str, column: str) -> Index:
    """An index that serves ``column LIKE '%word%'`` (/find): a pg_trgm GIN index on
    PostgreSQL. SQLite has no such index; there it is declared empty (``WHERE 0``), so the
    schema is the same on both and the empty one costs nothing."""
    return Index(
        name,
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        sqlite_where=false(),
    )


# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets 64-bit keys.
Id = BigInteger().with_variant(Integer(), "sqlite")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # How Python annotations map to column types (a class-level dict is SQLAlchemy's API).
    type_annotation_map = {  # noqa: RUF012
        datetime: UTCDateTime(),
        int: Id,
        dict[str, Any]: JSON(none_as_null=True),  # an absent "before" is SQL NULL
    }


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as one: Core statements on it skip the ORM's own insert paths."""
    return cast(Table, model.__table__)


class TeamRow(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    default_hour: Mapped[int] = mapped_column(Integer, default=9)
    date_order: Mapped[str] = mapped_column(String(3), default="DMY")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    """The zone the team's digests are scheduled in (each rep's own zone is on the rep)."""
    daily_digest_at: Mapped[str] = mapped_column(String(5), default="18:00", server_default="18:00")
    """``HH:MM``: the managers' daily digest, on weekdays, in the team's zone."""
    weekly_digest_at: Mapped[str] = mapped_column(
        String(9), default="MON 08:00", server_default="MON 08:00"
    )
    """``DDD HH:MM`` (``MON 08:00``): the managers' weekly digest, in the team's zone."""
    agenda_at: Mapped[str] = mapped_column(String(5), default="08:30", server_default="08:30")
    """``HH:MM``: each rep's morning agenda, in the rep's own zone."""
    digests_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """Whether the managers get the daily and weekly digests."""
    created_at: Mapped[datetime]

    terms: Mapped[list[TeamTermRow]] = relationship(
        viewonly=True, order_by="(TeamTermRow.subject, TeamTermRow.key)"
    )
    """Read with the rep who writes (``SqlReps.by_identity``); written row by row."""


class RepRow(Base):
    __tablename__ = "reps"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_reps_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    chat_id: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    role: Mapped[str] = mapped_column(String(20), default="rep")
    awaiting: Mapped[str | None] = mapped_column(String(100))
    """What the rep's next typed message answers, while the bot waits for one."""
    draft: Mapped[str | None] = mapped_column(Text)
    """A guided entry (``/log``) in progress: what the rep entered so far, written by the core."""
    agenda_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """Whether the rep wants the morning agenda (``/agenda off`` turns it off)."""
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The rep picked ``language`` with /lang: the platform's language no longer replaces it."""
    created_at: Mapped[datetime]

    team: Mapped[TeamRow] = relationship(viewonly=True, lazy="raise")
    """Loaded with the rep when asked for (``SqlReps.by_identity``), never behind a query's back."""


class InviteRow(Base):
    """A code to join a team with a role; redeemed by a conditional UPDATE of ``uses``."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("reps.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CompanyRow(Base):
    __tablename__ = "companies"
    __table_args__ = (
        UniqueConstraint("team_id", "name_key", name="uq_companies_team_name"),
        trigram_index("ix_companies_name_key_trgm", "name_key"),  # /find NORTH
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    """The name folded for matching (case, accents, spacing)."""
    created_at: Mapped[datetime]


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_team_name", "team_id", "name_key"),
        trigram_index("ix_contacts_name_key_trgm", "name_key"),  # /find popescu
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    # What a rep wants at hand before a call (migration 0011); None until someone knows it.
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    job_title: Mapped[str | None] = mapped_column(String(200))


class CompanyPrefixRow(Base):
    """The first letters of each word of a company's name (``handlers.names.name_prefixes``),
    so the companies a typed name could mean are found by an index, never by a scan."""

    __tablename__ = "company_prefixes"
    __table_args__ = (Index("ix_company_prefixes_lookup", "team_id", "prefix", "company_id"),)

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))


class ContactPrefixRow(Base):
    """The first letters of each word of a contact's name, as for companies."""

    __tablename__ = "contact_prefixes"
    __table_args__ = (Index("ix_contact_prefixes_lookup", "team_id", "prefix", "contact_id"),)

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))


class DealRow(Base):
    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    owner_rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[str] = mapped_column(String(40), default="prospect")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    expected_close: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class StageIdleLimitRow(Base):
    """A team's own idle limit for a stage (days with no news before a deal counts as quiet);
    stages without a row keep the default (``handlers.domain.QUIET_AFTER_DAYS``)."""

    __tablename__ = "stage_idle_limits"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)


class StageChangeRow(Base):
    __tablename__ = "stage_changes"
    __table_args__ = (Index("ix_stage_changes_team_changed", "team_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id"))
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[datetime]


class ActivityRow(Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_rep_occurred", "rep_id", "occurred_at"),
        Index("ix_activities_team_occurred", "team_id", "occurred_at"),
        # A company's latest activity is one step down this index (quiet deals, /pipeline).
        Index("ix_activities_company_occurred", "company_id", "occurred_at"),
        # A contact's history (/history) and last activity, newest first, one index walk.
        Index("ix_activities_contact_occurred", "contact_id", "occurred_at"),
        # A rep's own history with a contact or company (/history as a rep), one short range
        # (migration 0012).
        Index("ix_activities_contact_rep_occurred", "contact_id", "rep_id", "occurred_at"),
        Index("ix_activities_company_rep_occurred", "company_id", "rep_id", "occurred_at"),
        trigram_index("ix_activities_text_key_trgm", "text_key"),  # /find in notes
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    text_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The text folded for /find (``handlers.names.text_key``): case and accents never matter."""
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True)
    created_at: Mapped[datetime]


class AttachmentRow(Base):
    """A platform file kept with an activity (a voice note), by the platform's file id."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    file_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]


class ReminderRow(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_status_due", "status", "due_at"),
        Index("ix_reminders_rep_due", "rep_id", "due_at"),
        # A company's next callback is one step down this index (/pipeline, deal cards).
        Index("ix_reminders_company_due", "company_id", "due_at"),
        # A contact's next callback (/history), likewise.
        Index("ix_reminders_contact_due", "contact_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    due_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    """Set while a dispatcher holds the reminder; a send not confirmed by then is retried."""
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    """When the dispatcher gave up on it (status ``failed``), for the managers' digests."""
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_team_at", "team_id", "at"),
        # /undo walks one rep's recent changes, newest first.
        Index("ix_audit_log_rep_at", "rep_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id"))
    change_id: Mapped[str] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Id)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    at: Mapped[datetime]


class SchedulerTickRow(Base):
    """When each dispatcher last ran, for ``crmbot status``."""

    __tablename__ = "scheduler_ticks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    ticked_at: Mapped[datetime]


class SentDigestRow(Base):
    """Digests and agendas handed to a notifier: one per person, kind and period.

    A sender inserts the row before sending and sends only if the insert took (insert or
    skip), so when two processes find the same digest due, one of them sends it.
    """

    __tablename__ = "sent_digests"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    """``day``, ``week`` or ``agenda``."""
    period_start: Mapped[datetime] = mapped_column(primary_key=True)
    """The start of the period the digest covers (an agenda's: the rep's local midnight)."""
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), primary_key=True)
    sent_at: Mapped[datetime]


class ProcessedUpdateRow(Base):
    """Updates already handled, so a platform's redelivery changes nothing twice."""

    __tablename__ = "processed_updates"
    __table_args__ = (Index("ix_processed_updates_received_at", "received_at"),)

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime]


class TeamTermRow(Base):
    """A team's own word for a stage or an activity kind: its label (None: the default, in
    each rep's language) and the synonyms capture understands. Records keep the key."""

    __tablename__ = "team_terms"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(10), primary_key=True)
    """``stage`` or ``kind``."""
    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str | None] = mapped_column(String(60))
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
