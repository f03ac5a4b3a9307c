"""Name prefixes to find contacts and companies by what a rep typed; reps.draft for /log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# handlers.names.name_prefixes as it was when this migration was written (frozen here, so
# that a later change there cannot change what this migration does).
_WORDS = re.compile(r"[^\W_]+")
_LETTERS = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i"})
_PREFIX_LENGTHS = (2, 3)
_BATCH = 5000


def _prefixes(name: str) -> set[str]:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    key = " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
    words = _WORDS.findall(key.translate(_LETTERS))
    return {word[:length] for word in words for length in _PREFIX_LENGTHS}


def _backfill(source: str, column: str, target: str, owner: str) -> None:
    """Index the names already stored."""
    names = sa.table(source, sa.column("id", Id), sa.column("team_id", Id), sa.column(column))
    prefixes = sa.table(
        target, sa.column(owner, Id), sa.column("team_id", Id), sa.column("prefix", sa.String)
    )
    stored = (
        op.get_bind()
        .execute(sa.select(names.c.id, names.c.team_id, names.c[column]).order_by(names.c.id))
        .all()
    )
    rows = [
        {owner: entity_id, "team_id": team_id, "prefix": prefix}
        for entity_id, team_id, name in stored
        for prefix in sorted(_prefixes(name))
    ]
    for start in range(0, len(rows), _BATCH):
        op.bulk_insert(prefixes, rows[start : start + _BATCH])


def upgrade() -> None:
    op.create_table(
        "company_prefixes",
        sa.Column("company_id", Id, nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("team_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_company_prefixes_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_company_prefixes_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("company_id", "prefix", name=op.f("pk_company_prefixes")),
    )
    with op.batch_alter_table("company_prefixes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_company_prefixes_lookup", ["team_id", "prefix", "company_id"], unique=False
        )
    op.create_table(
        "contact_prefixes",
        sa.Column("contact_id", Id, nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("team_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_prefixes_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_contact_prefixes_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("contact_id", "prefix", name=op.f("pk_contact_prefixes")),
    )
    with op.batch_alter_table("contact_prefixes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_prefixes_lookup", ["team_id", "prefix", "contact_id"], unique=False
        )
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft", sa.Text(), nullable=True))

    _backfill("companies", "name", "company_prefixes", "company_id")
    _backfill("contacts", "full_name", "contact_prefixes", "contact_id")


def downgrade() -> None:
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_column("draft")
    with op.batch_alter_table("contact_prefixes", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_prefixes_lookup")
    op.drop_table("contact_prefixes")
    with op.batch_alter_table("company_prefixes", schema=None) as batch_op:
        batch_op.drop_index("ix_company_prefixes_lookup")
    op.drop_table("company_prefixes")
