"""Two bot processes on one PostgreSQL under load, briefly: nothing lost, nothing twice.

The short version of ``python -m benchmarks.soak`` (which runs minutes): two worker processes
(runtime, dispatcher, digests, simulated reps) share one database; 30 reminders and every
team's digests are due at the start, so both processes race for them. The audit reads the
database and the workers' send logs.
"""

from __future__ import annotations

import pytest

from benchmarks.soak import soak
from tests.conftest import _truncate_postgres


@pytest.mark.postgres
def test_two_processes_lose_nothing_and_do_nothing_twice(postgres_server_url: str) -> None:
    _truncate_postgres(postgres_server_url)

    verdict = soak(
        postgres_server_url,
        seconds=4,
        reps=30,
        rate=30,
        workers=2,
        settle=3,
        due_reminders=30,  # one a rep: a rep's second waits a second, and all behind it
        weekly=False,  # the weekly chart takes seconds to draw; the soak run has it
    )

    report = "\n".join(verdict.lines + verdict.problems)
    assert verdict.problems == [], report
    assert "reminders: 30 sent, each once" in report  # the race happened, and was fair
    assert "0 lost" in report
