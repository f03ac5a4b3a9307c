"""The lifetime lock that keeps a second Telegram poller from starting."""

from __future__ import annotations

import pytest

from storage.instance_lock import LockHeld, held


async def test_a_second_holder_is_refused_until_the_first_lets_go(database_url: str) -> None:
    async with held(database_url, "poller-1"):
        with pytest.raises(LockHeld):
            async with held(database_url, "poller-1"):
                pass
        async with held(database_url, "poller-2"):  # another bot: another lock
            pass
    async with held(database_url, "poller-1"):  # released: free again
        pass
