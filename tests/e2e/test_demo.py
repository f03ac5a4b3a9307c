"""``crmbot demo``: a demo team seeded into a fresh database, previewed as a weekly digest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reminders.charts import PNG_SIGNATURE

CRMBOT = Path(sys.executable).with_name("crmbot")
REPS = ("Andrei Popa", "Ioana Dumitru", "Mihai Stan", "Carmen Ilie")


def crmbot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CRMBOT), *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


def test_demo_seeds_a_team_whose_weekly_digest_previews_and_refuses_to_seed_twice(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    chart = tmp_path / "week.png"

    seeded = crmbot("demo", "--db", url, "--team", "Acme Demo", cwd=tmp_path)
    preview = crmbot(
        "digest", "--db", url, "--team", "Acme Demo", "--period", "week", "--preview",
        "--chart", str(chart), cwd=tmp_path,
    )  # fmt: skip
    again = crmbot("demo", "--db", url, "--team", "acme demo", cwd=tmp_path)

    assert seeded.returncode == 0, seeded.stderr
    assert "Created the demo team 'Acme Demo'" in seeded.stdout
    assert "• Reps: Andrei Popa, Ioana Dumitru, Mihai Stan, Carmen Ilie\n" in seeded.stdout
    assert "• 15 companies, 22 contacts\n" in seeded.stdout
    assert "• Callbacks: 3 overdue, 5 upcoming, 1 not delivered\n" in seeded.stdout
    assert (
        f"crmbot digest --team 'Acme Demo' --period week --preview --chart chart.png --db {url}"
        in seeded.stdout
    )
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.startswith("📊 Weekly digest: Acme Demo, ")
    for rep in REPS:  # each rep is named: by what they logged, or under "Logged nothing"
        assert rep in preview.stdout
    assert "Overdue callbacks: 3\n" in preview.stdout
    assert chart.read_bytes().startswith(PNG_SIGNATURE)
    assert again.returncode != 0
    assert "a team called 'acme demo' already exists; nothing was added" in again.stderr
    assert again.stdout == ""


def test_the_last_full_week_of_the_demo_has_every_section(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seeded = crmbot("demo", "--db", url, cwd=tmp_path)
    at = seeded.stdout.split(" --at ")[1].split()[0]

    preview = crmbot(
        "digest", "--db", url, "--team", "Demo Sales", "--period", "week", "--preview",
        "--at", at, cwd=tmp_path,
    )  # fmt: skip

    assert preview.returncode == 0, preview.stderr
    text = preview.stdout
    assert "Activity: " in text
    assert "⚠ Iris Medical (Carmen Ilie): Negotiation" in text
    assert "This week against the week before:\n• Activities: " in text
