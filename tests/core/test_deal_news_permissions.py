"""News in a message about another rep's deal: a rep leaves it as it is (and is told so), a
manager moves it (handlers.permissions); the message itself is stored either way."""

from __future__ import annotations

import pytest

from handlers.assistant import Assistant
from handlers.domain import Role, Stage
from handlers.messages import Incoming
from tests.core.conftest import ZONE
from tests.fakes import FakeDatabase


def telegram(user: str, text: str) -> Incoming:
    return Incoming(platform="telegram", user_id=user, chat_id=user, text=text, timezone=ZONE)


@pytest.mark.parametrize(("role", "moved"), [(Role.REP, False), (Role.MANAGER, True)])
async def test_news_about_another_reps_deal(
    assistant: Assistant, database: FakeDatabase, role: Role, moved: bool
) -> None:
    async with database() as uow:
        team = await uow.teams.add("Acme", ZONE)
        for user, user_role in (("bob", Role.REP), ("ana", role)):
            await uow.reps.add(
                team_id=team.id, platform="telegram", external_id=user, chat_id=user,
                display_name=user.title(), language="en", timezone=ZONE, role=user_role,
            )  # fmt: skip
        await uow.commit()
    await assistant.handle(telegram("bob", "Met Dan Ene from Initech, sent the offer"))
    (deal,) = database.state.deals.values()
    activities = len(database.state.activities)

    reply = await assistant.handle(telegram("ana", "Called Dan Ene at Initech, they signed"))

    assert reply is not None
    assert len(database.state.activities) == activities + 1  # the call is Ana's, stored
    stage = database.state.deals[deal.id].stage
    if moved:
        assert stage is Stage.CONTRACT
        assert "📈 Deal with Initech" in reply.text
    else:
        assert stage is Stage.OFFER
        assert reply.text.endswith(
            "The deal with Initech is another rep's, so I left it as it is: its owner or a "
            "manager can move it."
        )
