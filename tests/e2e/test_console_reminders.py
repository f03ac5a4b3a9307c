"""Through the real console: a reminder that fell due while it was closed prints on open."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

CRMBOT = Path(sys.executable).with_name("crmbot")


def console(db: Path, script: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CRMBOT), "console", "--db", f"sqlite:///{db}", "--user", "sam", *options],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_reminder_that_fell_due_while_closed_prints_late_with_buttons(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    first = console(db, "remind me to call Sam Reed in 1 minute\n", "--tz", "UTC")
    assert first.returncode == 0, first.stderr
    assert "Callback Sam Reed: today at" in first.stdout

    # More than a minute passes (the reminder's time is moved back instead of waiting).
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE reminders SET due_at = datetime(due_at, '-10 minutes')")

    second = console(db, "/today\n[1]\n[2]\n", "--tz", "UTC")

    assert second.returncode == 0, second.stderr
    card, today, done, not_logged = second.stdout.strip().split("\n\n")
    assert card.startswith("⏰ Time to call Sam Reed.\nLate: this was due today at ")
    assert card.endswith("[1] ✓ Done\n[2] Snooze 1 h\n[3] Tomorrow\n[4] Pick a time")
    assert "Overdue (1):" in today
    assert "Sam Reed: remind me to call Sam Reed in 1 minute" in today
    assert done.startswith("✓ Done")
    assert not_logged == "OK, not logged."

    third = console(db, "/today\n", "--tz", "UTC")
    assert "⏰ Time to call" not in third.stdout  # sent once, then done: never again
    assert "Overdue" not in third.stdout


def test_status_reports_the_dispatcher_and_the_counts(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    console(db, "Called Ana at Acme, call back tomorrow at 10\n")

    status = subprocess.run(
        [str(CRMBOT), "status", "--db", f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert status.returncode == 0, status.stderr
    lines = dict(line.split(":", 1) for line in status.stdout.strip().splitlines())
    assert lines["Dispatcher last ran"].strip().endswith("ago)")
    assert lines["Reminders due now"].strip() == "0"
    assert lines["Failed to deliver"].strip() == "0"
