"""Digests: the teams' digest settings, sent_digests, reminders.failed_at, and indexes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sent_digests",
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rep_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["rep_id"], ["reps.id"], name=op.f("fk_sent_digests_rep_id_reps")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_sent_digests_team_id_teams")
        ),
        sa.PrimaryKeyConstraint(
            "team_id", "kind", "period_start", "rep_id", name=op.f("pk_sent_digests")
        ),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_team_occurred", ["team_id", "occurred_at"], unique=False
        )
        # Replaces the index on company_id alone, which it serves as well.
        batch_op.drop_index(batch_op.f("ix_activities_company_id"))
        batch_op.create_index(
            "ix_activities_company_occurred", ["company_id", "occurred_at"], unique=False
        )

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_changes_team_changed", ["team_id", "changed_at"], unique=False
        )

    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "daily_digest_at", sa.String(length=5), server_default="18:00", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "weekly_digest_at", sa.String(length=9), server_default="MON 08:00", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("agenda_at", sa.String(length=5), server_default="08:30", nullable=False)
        )
        batch_op.add_column(
            sa.Column("digests_enabled", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("digests_enabled")
        batch_op.drop_column("agenda_at")
        batch_op.drop_column("weekly_digest_at")
        batch_op.drop_column("daily_digest_at")
        batch_op.drop_column("timezone")

    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_changes_team_changed")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("failed_at")

    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_company_occurred")
        batch_op.create_index(batch_op.f("ix_activities_company_id"), ["company_id"], unique=False)
        batch_op.drop_index("ix_activities_team_occurred")

    op.drop_table("sent_digests")
