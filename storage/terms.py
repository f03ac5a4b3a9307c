"""The team's own words for stages and activity kinds (``team_terms``)."""

from __future__ import annotations

from sqlalchemy import inspect

from handlers.domain import TeamTerm
from storage.models import TeamRow, TeamTermRow
from storage.repositories import _Repository


class SqlTerms(_Repository):
    async def for_team(self, team_id: int) -> list[TeamTerm]:
        # The team and its terms usually came with the rep (SqlReps.by_identity): no query.
        team = await self._session.get(TeamRow, team_id)
        if team is None:
            return []
        if "terms" in inspect(team).unloaded:
            await self._session.refresh(team, ["terms"])
        rows = team.terms
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
        team = await self._session.get(TeamRow, team_id)
        if team is not None:
            self._session.expire(team, ["terms"])  # read again when next asked for
