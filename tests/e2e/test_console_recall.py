"""/history, /pipeline, /today and /find through the real console, after a few captures."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_console import console

MESSAGES = [
    "Met Sam Reed from Northwind, they want a quote, call back tomorrow at 10",
    "Called Mike Hart at Pied Piper, they are negotiating, follow up Friday",
    "Note: Sam Reed at Northwind has a birthday on 12 May and loves sailing",
    "Emailed Sam Reed at Northwind, sent the offer, 12k EUR",
    "Called Sam Reed at Northwind, they are negotiating",
    "/history northwnd",
    "/pipeline",
    "/today",
    "/find SAILING",
]


def test_history_pipeline_today_and_find_tell_what_was_captured(tmp_path: Path) -> None:
    result = console(tmp_path / "r.db", *MESSAGES, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    replies = result.stdout.strip().split("\n\n")[-9:]
    offer, negotiating, history, pipeline, today, found = replies[3:]
    assert "📈 Deal with Northwind: needs → offer sent, 12,000 EUR." in offer
    assert "📈 Deal with Northwind: offer sent → negotiation" in negotiating

    lines = history.split("\n")
    assert lines[:2] == ["🏢 Northwind", "Contacts: Sam Reed."]
    assert lines[2:4] == [
        "Notes:",
        "• today: “Note: Sam Reed at Northwind has a birthday on 12 May and loves sailing”",
    ]
    assert "Deal: Negotiation, 12,000 EUR." in lines
    start = lines.index("Last activities:")
    assert [line.split(": ", 1)[0] for line in lines[start + 1 : start + 5]] == [
        "• today, Call",
        "• today, E-mail",
        "• today, Note",
        "• today, Meeting",
    ]
    assert lines[start + 5].startswith("Next callback: tomorrow (")
    assert lines[start + 5].endswith(" at 10:00: call back tomorrow at 10")
    assert "Pied Piper" not in history

    assert "Negotiation (2): " in pipeline
    assert "Northwind 12,000 EUR" in pipeline
    assert "Pied Piper" in pipeline
    assert "Total: 2 open, 12,000 EUR." in pipeline

    assert "Sam Reed (Northwind): call back tomorrow at 10" in today
    assert "Mike Hart (Pied Piper): follow up Friday" in today
    assert "Logged today: 1 meeting, 2 calls, 1 e-mail, 1 note." in today

    assert found.split("\n") == [
        "Found for “SAILING”:",
        "Activities:",
        "• today, Note (Sam Reed (Northwind)): …hday on 12 May and loves sailing",
    ]
