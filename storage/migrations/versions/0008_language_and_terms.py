"""Language choice and team terminology: reps.language_chosen, team_terms.

A rep's /lang pick holds over the platform's language (``language_chosen``); a team's own
labels and synonyms for stages and activity kinds live in ``team_terms`` by stable key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language_chosen", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "team_terms",
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=True),
        sa.Column("synonyms", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_team_terms_team_id_teams")),
        sa.PrimaryKeyConstraint("team_id", "subject", "key", name=op.f("pk_team_terms")),
    )


def downgrade() -> None:
    op.drop_table("team_terms")
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_column("language_chosen")
