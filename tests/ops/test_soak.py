"""Two bot processes on one PostgreSQL under load, briefly: nothing lost, nothing twice.

The short version of ``python -m benchmarks.soak`` (which runs minutes): two worker processes
(runtime, dispatcher, digests, simulated reps) share one database; 30 reminders and every
team's digests are due at the start, so both processes race for them. The audit reads the
database and the workers' send logs.
"""

from __future__ import annotations

import re

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
    # The 30 due at the start, and any that a capture during the run set to fall due before
    # its end: how many of those depends on the time of day the test runs (31 at 19:30 in
    # Bucharest), so the count is a floor.
    sent = re.search(r"reminders: (\d+) sent, each once", report)
    assert sent is not None, report
    assert int(sent.group(1)) >= 30, report  # the race happened, and nothing was dropped
    assert "0 lost" in report
