"""Messages generated from sentence shapes, with what each should file.

The shapes are templates written by helpers who never saw the engine
(``data/templates/<lang>.jsonl``: one family per template, its labels, and slots such as
``{person:ins}``). Each is filled :data:`PER_FAMILY` times with people, companies, times and
amounts from :mod:`slots` and :mod:`times`, typed the ways reps type (all lowercase, without
diacritics), and now and then for a team that already knows the client by its full name.
Seeded by the family's name, so the same files always give the same messages.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from handlers.capture.known import Known, KnownContact
from training.capture import slots, times
from training.capture.examples import DATA, Example

TEMPLATES = DATA / "templates"
PER_FAMILY = 5
CHAT_PER_FAMILY = 3
"""A template without slots (small talk) varies only in how it is typed."""
ZONES = {
    "en": ("America/New_York", "America/Chicago", "Europe/London", "America/Los_Angeles"),
    "ro": ("Europe/Bucharest", "Europe/Chisinau"),
    "pl": ("Europe/Warsaw",),
    "bg": ("Europe/Sofia",),
    "es": ("Europe/Madrid", "America/Mexico_City", "America/Bogota"),
    "ru": ("Europe/Moscow", "Asia/Yekaterinburg"),
}
_SLOT = re.compile(r"\{(?P<name>[a-z_]+)(?::(?P<case>[a-z]+))?\}")
_FIRST = datetime(2026, 11, 1, 7, 0)  # noqa: DTZ001 (wall-clock; each message has its zone)
_DAYS = 92
_LETTERS = str.maketrans({"ł": "l", "Ł": "L"})


def _strip_latin_marks(text: str) -> str:
    """The text without Latin diacritics, as reps on a phone without the layout type it
    ("sedinta", "zadzwonic", "manana"); Cyrillic is left as it is."""
    out = []
    for char in text.translate(_LETTERS):
        if 0x80 <= ord(char) < 0x0400:
            decomposed = unicodedata.normalize("NFKD", char)
            char = "".join(c for c in decomposed if not unicodedata.combining(c)) or char
        out.append(char)
    return "".join(out)


def _now(rng: random.Random, language: str) -> tuple[datetime, str]:
    zone = rng.choice(ZONES[language])
    moment = _FIRST + timedelta(days=rng.randrange(_DAYS), minutes=rng.randrange(13 * 60))
    return moment.replace(tzinfo=ZoneInfo(zone)), zone


def _fill(template: dict[str, Any], rng: random.Random, number: int) -> Example | None:
    language: str = template["lang"]
    now, zone = _now(rng, language)
    who = slots.person(language, rng)
    firm = slots.company(language, rng)
    team = rng.random() < 0.2 and (template["contact"] or template["company"])
    expect: dict[str, Any] = {
        "kind": template["kind"], "contact": None, "company": None, "follow_up_at": None,
        "stage": template["stage"], "amount": None, "currency": None,
    }  # fmt: skip
    spans: dict[str, str | None] = {"contact": None, "company": None}
    pieces: list[str] = []
    position = 0
    for match in _SLOT.finditer(template["template"]):
        pieces.append(template["template"][position : match.start()])
        position = match.end()
        name, case = match["name"], match["case"] or "nom"
        if name == "person":
            filled = slots.person_slot(language, who, case, rng, first_only=bool(team))
            if filled is None:
                return None
            if team:
                filled = slots.Filled(filled.text, f"{who.first} {who.last}")
            pieces.append(filled.text)
            if template["contact"]:
                expect["contact"] = filled.value
                spans["contact"] = filled.text.removeprefix("lui ")
        elif name == "company":
            shown_firm = firm
            if team and " " in firm.name:
                shown_firm = slots.Company(firm.name.split()[0], True)
            filled = slots.company_slot(language, shown_firm, case, rng)
            if filled is None:
                return None
            pieces.append(filled.text)
            if template["company"]:
                expect["company"] = firm.name
                spans["company"] = _core(filled.text, shown_firm.name)
        elif name == "other_company":
            pieces.append(slots.company(language, rng).name)
        elif name == "time":
            phrase = times.phrase(language, now, rng)
            pieces.append(phrase.text)
            if template["follow_up"]:
                expect["follow_up_at"] = phrase.at.strftime("%Y-%m-%dT%H:%M")
        elif name == "date":
            pieces.append(times.fact_date(language, now, rng))
        elif name == "past_day":
            pieces.append(times.past_day(language, rng))
        elif name == "amount":
            text, value, currency = slots.amount(language, rng)
            pieces.append(text)
            expect["amount"], expect["currency"] = str(value), currency
        elif name == "thing":
            pieces.append(slots.thing(language, rng))
        else:
            raise ValueError(f"{template['family']}: unknown slot {match.group()}")
    pieces.append(template["template"][position:])
    text = "".join(pieces)
    roll = rng.random()
    if roll < 0.3:
        text, spans = _typed(text, spans, str.lower)
    elif roll < 0.5 and language in ("ro", "pl", "es"):
        text, spans = _typed(text, spans, _strip_latin_marks)
    known = Known()
    if team:
        contacts = (KnownContact(f"{who.first} {who.last}", firm.name),)
        decoy = slots.company(language, rng)
        known = Known(contacts, (firm.name, decoy.name))
        if not template["company"] and template["contact"]:
            expect["company"] = firm.name  # the team's record says where they work
    return Example(
        id=f"g-{template['family']}-{number:02d}",
        source=f"generated:{template['family']}",
        lang=language,
        text=" ".join(text.split()),
        now=now.strftime("%Y-%m-%dT%H:%M"),
        tz=zone,
        date_order="MDY" if zone.startswith("America/") and language == "en" else "DMY",
        expect=expect,
        known=known,
        spans=spans,
    )


def _core(text: str, name: str) -> str:
    """The part of a filled company slot that is the name: no quotes, no legal form."""
    inner = text.split("«")[-1].split("»")[0] if "«" in text else text
    for legal in ("sp. z o.o.", "Sp. z o.o.", "S.A. de C.V.", "S.R.L.", "S.L.", "S.A.", "Ltd."):
        inner = inner.replace(f" {legal}", "")
    words = inner.split()
    size = len(name.split())
    return " ".join(words[:size])


def _typed(
    text: str, spans: dict[str, str | None], change: Any
) -> tuple[str, dict[str, str | None]]:
    return change(text), {key: change(value) if value else None for key, value in spans.items()}


def generated(directory: Path = TEMPLATES) -> list[Example]:
    examples = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            template = json.loads(line)
            seed = int(hashlib.sha256(template["family"].encode()).hexdigest()[:12], 16)
            rng = random.Random(seed)
            wanted = PER_FAMILY if _SLOT.search(template["template"]) else CHAT_PER_FAMILY
            made = 0
            for _attempt in range(wanted * 3):
                example = _fill(template, rng, made)
                if example is not None:
                    examples.append(example)
                    made += 1
                if made == wanted:
                    break
    return examples
