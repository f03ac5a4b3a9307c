"""Recall speed: a rep's own activities with a contact or a company, by an index.

``/history`` as a rep reads only their own activities with the contact or company. With
``(contact_id, occurred_at)`` and ``(rep_id, occurred_at)`` alone, PostgreSQL ANDed the
company's bitmap with the rep's whole year (20,000 entries on the benchmark) for five rows;
``(contact_id, rep_id, occurred_at)`` and ``(company_id, rep_id, occurred_at)`` make it one
short index range, newest first.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_activities_contact_rep_occurred",
        "activities",
        ["contact_id", "rep_id", "occurred_at"],
        unique=False,
    )
    op.create_index(
        "ix_activities_company_rep_occurred",
        "activities",
        ["company_id", "rep_id", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_activities_company_rep_occurred", table_name="activities")
    op.drop_index("ix_activities_contact_rep_occurred", table_name="activities")
