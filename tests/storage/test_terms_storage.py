"""The team's own words and a rep's language pick, stored: SQLite and PostgreSQL."""

from __future__ import annotations

from handlers.domain import Role, TeamTerm
from storage.unit_of_work import SqlUnitOfWorkFactory


async def test_a_teams_terms_are_kept_per_team_and_replaced_whole(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        acme = await uow.teams.add("Acme")
        other = await uow.teams.add("Other")
        await uow.terms.save(acme.id, TeamTerm("stage", "offer", "KP", ("Angebot",)))
        await uow.terms.save(acme.id, TeamTerm("kind", "meeting", None, ("visit", "Besuch")))
        await uow.commit()
    async with uow_factory() as uow:
        await uow.terms.save(acme.id, TeamTerm("stage", "offer", "Quote", ()))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.terms.for_team(acme.id) == [
            TeamTerm("kind", "meeting", None, ("visit", "Besuch")),
            TeamTerm("stage", "offer", "Quote", ()),
        ]
        assert await uow.terms.for_team(other.id) == []


async def test_a_language_picked_is_kept_and_marked_as_chosen(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Acme")
        rep = await uow.reps.add(
            team_id=team.id, platform="telegram", external_id="7", chat_id="7",
            display_name="Ana", language="en", timezone="UTC", role=Role.REP,
        )  # fmt: skip
        assert not rep.language_chosen
        await uow.reps.set_language(rep.id, "ro")
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.reps.by_identity("telegram", "7")
        assert stored is not None
        assert (stored.language, stored.language_chosen) == ("ro", True)
