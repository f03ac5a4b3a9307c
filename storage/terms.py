"""The team's own words for stages and activity kinds (``team_terms``)."""

from __future__ import annotations

from sqlalchemy import select

from handlers.domain import TeamTerm
from storage.models import TeamTermRow
from storage.repositories import _Repository


class SqlTerms(_Repository):
    async def for_team(self, team_id: int) -> list[TeamTerm]:
        rows = await self._session.scalars(
            select(TeamTermRow)
            .where(TeamTermRow.team_id == team_id)
            .order_by(TeamTermRow.subject, TeamTermRow.key)
        )
        return [
            TeamTerm(row.subject, row.key, row.label, tuple(row.synonyms or ())) for row in rows
        ]

    async def save(self, team_id: int, term: TeamTerm) -> None:
        row = await self._session.get(TeamTermRow, (team_id, term.subject, term.key))
        if row is None:
            row = TeamTermRow(team_id=team_id, subject=term.subject, key=term.key)
            self._session.add(row)
        row.label = term.label
        row.synonyms = list(term.synonyms)
        await self._session.flush()
