"""The capture engine through the real console, one message and one confirmation each."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_console import console

MESSAGES = [
    "Întâlnire cu Dan Ene de la Carrefour, revin joi la 14",
    "Звонил Борису Орлову из Пятёрочки, перезвонить завтра в 11",
    "Called Mike Hart at Pied Piper, they are negotiating, follow up Friday",
    "/pipeline",
]


def test_three_languages_three_confirmations_and_the_deal(tmp_path: Path) -> None:
    result = console(tmp_path / "c.db", *MESSAGES, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    romanian, russian, english, pipeline = result.stdout.strip().split("\n\n")[-4:]
    assert "✓ Meeting with Dan Ene (Carrefour) saved." in romanian
    assert " at 14:00." in romanian
    assert "✓ Call with Борис Орлов (Пятёрочка) saved." in russian
    assert "⏰ Callback: tomorrow (" in russian
    assert " at 11:00." in russian
    assert "✓ Call with Mike Hart (Pied Piper) saved." in english
    assert "📈 New deal with Pied Piper: negotiation." in english
    assert "Negotiation (1): Pied Piper" in pipeline
