"""Audit rows written in one statement per unit of work, not one round trip each.

A capture records two or three audit rows (the activity, its reminder, a new contact), and
each was an INSERT of its own, flushed at once. Now they wait in the session's ``info`` until
the unit of work commits and go to the database in one executemany. Whatever reads or
changes the audit log in the same session first writes the waiting rows (the
``do_orm_execute`` hook below), so every query sees them exactly as before, and their ids
keep the order in which they were recorded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from storage.models import AuditRow, table_of

_PENDING = "crmbot.pending_audit_rows"
_INSERT_AUDIT = insert(table_of(AuditRow))
"""On the table, not the entity: the ORM's bulk-insert path costs more CPU than the rows."""


def queue_audit_row(session: AsyncSession, row: dict[str, Any]) -> None:
    """Keep an audit row to be written with the others of this session."""
    session.info.setdefault(_PENDING, []).append(row)


async def write_pending_audit(session: AsyncSession) -> None:
    """Write the audit rows waiting in this session (before a commit or a read of them)."""
    rows = session.info.pop(_PENDING, None)
    if rows:
        await session.execute(_INSERT_AUDIT, rows)


@event.listens_for(Session, "do_orm_execute")
def _write_before_touching_the_audit_log(state: ORMExecuteState) -> None:
    session = state.session
    if not session.info.get(_PENDING):
        return
    if any(mapper.class_ is AuditRow for mapper in state.all_mappers):
        rows = session.info.pop(_PENDING)
        session.execute(_INSERT_AUDIT, rows)  # in the caller's greenlet, like any query
