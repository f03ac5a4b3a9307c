"""/deal, its stage buttons, /idle and folded /find through the real console on SQLite."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_console import console

MESSAGES = [
    "Met Sam Reed from Northwind, sent the offer, 12k EUR",
    "Note: ședință cu Sam Reed de la Northwind despre żółw",
    "/deal northwnd",
    "[1]",
    "/pipeline",
    "/idle negotiation 9",
    "/find SEDINTA cu sam",
]


def test_a_deal_card_moves_the_deal_and_the_team_tunes_its_idle_limits(tmp_path: Path) -> None:
    result = console(tmp_path / "d.db", *MESSAGES, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    card, moved, pipeline, idle, found = result.stdout.strip().split("\n\n")[-5:]
    assert card.split("\n")[:3] == ["📈 Northwind", "Stage: Offer sent · 12,000 EUR", "Owner: ana"]
    assert "[1] → Negotiation" in card
    assert moved.startswith("📈 Northwind: Offer sent → Negotiation.\n📈 Northwind\n")
    assert "Stage: Negotiation · 12,000 EUR" in moved
    assert "Negotiation (1): Northwind 12,000 EUR" in pipeline
    assert idle == "✓ Negotiation: a deal with no news for 9 days counts as quiet."
    assert "ședință cu Sam Reed de la Northwind despre żółw" in found
