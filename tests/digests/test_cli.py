"""``crmbot digest --preview``: a team's digest printed and its chart written, nothing sent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reminders.charts import PNG_SIGNATURE
from tests.digests.conftest import Seed
from tests.digests.test_sections import seed_acme, seed_other_team

CRMBOT = Path(sys.executable).with_name("crmbot")

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def crmbot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CRMBOT), "digest", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,  # no stray .env
    )


async def test_preview_prints_the_weekly_digest_and_writes_its_chart(
    seed: Seed, database_url: str, tmp_path: Path
) -> None:
    await seed_acme(seed)
    chart = tmp_path / "week.png"

    result = crmbot(
        "--db", database_url, "--period", "week", "--at", "2026-11-23T08:00",
        "--preview", "--chart", str(chart), cwd=tmp_path,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "📊 Weekly digest: Acme Sales, Mon 16 Nov to Mon 23 Nov\n"
        "From Mon 16 Nov 08:00 to Mon 23 Nov 08:00.\n"
    )
    assert "• Win rate: 67% (2 won, 1 lost)\n" in result.stdout
    assert chart.read_bytes().startswith(PNG_SIGNATURE)
    assert f"Chart: {chart}" in result.stderr


async def test_preview_of_the_daily_digest_with_a_team_among_several(
    seed: Seed, database_url: str, tmp_path: Path
) -> None:
    await seed_acme(seed)
    await seed_other_team(seed)

    unnamed = crmbot("--db", database_url, "--preview", cwd=tmp_path)
    named = crmbot(
        "--db", database_url, "--team", "acme sales", "--at", "2026-11-23T18:00+02:00",
        "--preview", cwd=tmp_path,
    )  # fmt: skip
    unknown = crmbot("--db", database_url, "--team", "Initech", "--preview", cwd=tmp_path)
    not_preview = crmbot("--db", database_url, "--team", "Acme Sales", cwd=tmp_path)

    assert unnamed.returncode == 2
    assert "there are 2 teams; pick one with --team NAME" in unnamed.stderr
    assert "Acme Sales (id 1), Globex Corp (id 2)" in unnamed.stderr
    assert named.returncode == 0, named.stderr
    assert named.stdout.startswith("📊 Daily digest: Acme Sales, Mon 23 Nov\n")
    assert "Logged nothing: Ion\n" in named.stdout
    assert named.stderr == ""
    assert unknown.returncode == 2
    assert "no team is called 'Initech'" in unknown.stderr
    assert not_preview.returncode == 2
    assert "--preview" in not_preview.stderr
