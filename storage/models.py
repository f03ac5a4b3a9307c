"""The database schema, as SQLAlchemy 2 declarative models.

Every table that holds a team's data carries ``team_id`` so every query can be scoped by team.
Times are stored in UTC (:class:`UTCDateTime`), whatever the backend.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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


class TeamRow(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    default_hour: Mapped[int] = mapped_column(Integer, default=9)
    date_order: Mapped[str] = mapped_column(String(3), default="DMY")
    created_at: Mapped[datetime]


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
    created_at: Mapped[datetime]


class CompanyRow(Base):
    __tablename__ = "companies"
    __table_args__ = (UniqueConstraint("team_id", "name_key", name="uq_companies_team_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    """The name folded for matching (case, accents, spacing)."""
    created_at: Mapped[datetime]


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_team_name", "team_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


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


class StageChangeRow(Base):
    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id"))
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[datetime]


class ActivityRow(Base):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_rep_occurred", "rep_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True)
    created_at: Mapped[datetime]


class ReminderRow(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_status_due", "status", "due_at"),
        Index("ix_reminders_rep_due", "rep_id", "due_at"),
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
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_team_at", "team_id", "at"),)

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


class ProcessedUpdateRow(Base):
    """Updates already handled, so a platform's redelivery changes nothing twice."""

    __tablename__ = "processed_updates"
    __table_args__ = (Index("ix_processed_updates_received_at", "received_at"),)

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime]
