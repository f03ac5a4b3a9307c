"""``crmbot parse``: the capture engine from the command line, one message or JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CRMBOT = Path(sys.executable).with_name("crmbot")


def crmbot_parse(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CRMBOT), "parse", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_one_message_prints_one_json_reading() -> None:
    result = crmbot_parse(
        "--now", "2026-11-23T10:00", "--tz", "Europe/Bucharest", "--lang", "ro",
        "Întâlnire cu Dan Ene de la Carrefour, revin joi la 14",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    reading = json.loads(result.stdout)
    confidence = reading.pop("confidence")  # the last key, after the contract's
    assert set(confidence) == {"kind", "contact", "company", "stage", "follow_up_at"}
    assert all(0.0 <= value <= 1.0 for value in confidence.values())
    assert reading == {
        "kind": "meeting",
        "contact": "Dan Ene",
        "company": "Carrefour",
        "follow_up_at": "2026-11-26T14:00:00+02:00",
        "stage": None,
        "amount": None,
        "currency": None,
        "language": "ro",
    }


def test_batch_answers_every_line_in_order_and_reports_bad_ones() -> None:
    lines = [
        {"id": "a", "text": "Звонил Борису Орлову из Пятёрочки, перезвонить завтра в 11",
         "now": "2026-11-23T10:00", "tz": "Europe/Moscow"},
        "this is not json",
        {"id": "c", "text": "Northwind wants a quote, 12k EUR, call back in 2 hours",
         "now": "2026-11-23T10:00", "tz": "America/New_York"},
        {"id": "d", "text": "hello", "now": "yesterday-ish", "tz": "Europe/Madrid"},
    ]  # fmt: skip
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)

    result = crmbot_parse("--batch", stdin=stdin)

    assert result.returncode == 0, result.stderr
    first, bad, third, bad_time = (json.loads(line) for line in result.stdout.splitlines())
    assert (first["id"], first["contact"], first["company"]) == ("a", "Борис Орлов", "Пятёрочка")
    assert first["follow_up_at"] == "2026-11-24T11:00:00+03:00"
    assert bad["line"] == 2
    assert "not a JSON object" in bad["error"]
    assert third["id"] == "c"
    assert (third["stage"], third["amount"], third["currency"]) == ("needs", "12000", "EUR")
    assert third["follow_up_at"] == "2026-11-23T12:00:00-05:00"
    assert bad_time["id"] == "d"
    assert "cannot read the time" in bad_time["error"]


def test_mistakes_in_the_options_are_explained() -> None:
    assert "unknown time zone" in crmbot_parse("--tz", "Mars/Base", "hi").stderr
    assert crmbot_parse("--tz", "Mars/Base", "hi").returncode != 0
    missing = crmbot_parse()
    assert missing.returncode != 0
    assert "--batch" in missing.stderr
