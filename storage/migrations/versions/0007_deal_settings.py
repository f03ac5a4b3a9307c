"""Deals: per-team idle limits and folded note text (filled in by the deals work).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_BATCH = 5_000
_TRIGRAM_INDEXES = (("activities", "text_key"), ("contacts", "name_key"), ("companies", "name_key"))
"""What /find searches with ``LIKE '%word%'``."""
_LETTERS = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i"})


def _text_key(text: str) -> str:
    """``handlers.names.text_key`` as it was when this migration was written (a migration
    keeps its own copy: the application's folding may change later, this backfill may not)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_marks.split()).translate(_LETTERS)


def upgrade() -> None:
    op.create_table(
        "stage_idle_limits",
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_stage_idle_limits_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("team_id", "stage", name=op.f("pk_stage_idle_limits")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_key", sa.Text(), server_default="", nullable=False))
    _backfill_text_keys()
    _create_indexes()


def _backfill_text_keys() -> None:
    connection = op.get_bind()
    activities = sa.table(
        "activities", sa.column("id", sa.BigInteger()), sa.column("text", sa.Text()),
        sa.column("text_key", sa.Text()),
    )  # fmt: skip
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(activities.c.id, activities.c.text)
            .where(activities.c.id > last_id)
            .order_by(activities.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            activities.update()
            .where(activities.c.id == sa.bindparam("row_id"))
            .values(text_key=sa.bindparam("key")),
            [{"row_id": row_id, "key": _text_key(text or "")} for row_id, text in rows],
        )
        last_id = rows[-1][0]


def _create_indexes() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index("ix_reminders_company_due", ["company_id", "due_at"], unique=False)
        batch_op.create_index("ix_reminders_contact_due", ["contact_id", "due_at"], unique=False)
    with op.batch_alter_table("activities", schema=None) as batch_op:
        # Replaces the index on contact_id alone, which it serves as well.
        batch_op.drop_index(batch_op.f("ix_activities_contact_id"))
        batch_op.create_index(
            "ix_activities_contact_occurred", ["contact_id", "occurred_at"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm ships with PostgreSQL and is a trusted extension (13+): the database owner
        # may create it. It makes "LIKE '%word%'" an index search.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in _TRIGRAM_INDEXES:
        op.create_index(
            f"ix_{table}_{column}_trgm",
            table,
            [column],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
            sqlite_where=sa.false(),  # SQLite: declared, empty (storage.models.trigram_index)
        )


def downgrade() -> None:
    for table, column in _TRIGRAM_INDEXES:
        op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_contact_occurred")
        batch_op.create_index(batch_op.f("ix_activities_contact_id"), ["contact_id"], unique=False)
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_contact_due")
        batch_op.drop_index("ix_reminders_company_due")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_column("text_key")
    op.drop_table("stage_idle_limits")
