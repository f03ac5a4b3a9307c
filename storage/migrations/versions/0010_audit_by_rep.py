"""/undo reads one rep's recent changes: an index on audit_log (rep_id, at).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_rep_at", "audit_log", ["rep_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_rep_at", table_name="audit_log")
