"""Contact details a rep wants before a call: contacts.email, contacts.phone, contacts.job_title.

All nullable: nobody has them until a rep or an import fills them in.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("job_title", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("job_title")
        batch_op.drop_column("phone")
        batch_op.drop_column("email")
