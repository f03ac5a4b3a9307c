"""Writing the audit log: who changed what, when, before and after.

Every create, update, delete and undo the core makes is one row of the audit log (the
``AuditLog`` port). Rows an update writes share one change id, so Undo (the card's button and
``/undo``) reverts exactly what that update did. ``before`` and ``after`` are JSON-friendly
snapshots (:func:`audit_view`); an erasure is recorded without the erased data.
"""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import datetime
from typing import Any

from handlers.domain import Rep
from handlers.ports import UnitOfWork


def audit_view(record: Any) -> dict[str, Any]:
    """A JSON-friendly copy of a record (a flat dataclass) for the audit log."""
    # Field by field, not dataclasses.asdict: its deep copy was a visible share of every
    # capture's CPU (benchmarks/load.py), for records that hold no containers to copy.
    return {field.name: _json_friendly(getattr(record, field.name)) for field in fields(record)}


def _json_friendly(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value if isinstance(value, int | str | None) else str(value)


def new_change_id() -> str:
    """32 hex digits: fits a button's payload (Telegram allows 64 bytes)."""
    return uuid.uuid4().hex


class ChangeLog:
    """The audit rows of one change by one rep (one incoming update)."""

    def __init__(self, uow: UnitOfWork, rep: Rep, change_id: str | None = None) -> None:
        self._uow = uow
        self._rep = rep
        self.change_id = change_id or new_change_id()

    async def record(
        self,
        action: str,
        entity: str,
        entity_id: int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        await self._uow.audit.record(
            team_id=self._rep.team_id,
            rep_id=self._rep.id,
            change_id=self.change_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )

    async def created(self, entity: str, record: Any) -> None:
        await self.record("create", entity, record.id, None, audit_view(record))

    async def updated(self, entity: str, before: Any, after: Any) -> None:
        await self.record("update", entity, before.id, audit_view(before), audit_view(after))
