"""E-mail, phone and job title from a contacts file: checked lightly, filled in only where the
team has nothing, and each row's report says what was filled in or refused."""

from __future__ import annotations

import pytest

from handlers.contact_details import DetailError, read_email, read_phone
from handlers.csv_table import read_table
from handlers.domain import Role
from handlers.import_plan import (
    Entity,
    KnownCompany,
    KnownContact,
    KnownRep,
    Plan,
    Snapshot,
    Verb,
    make_plan,
    report_lines,
)
from handlers.import_rows import ImportRecord, map_columns, read_records

ANA = KnownRep(1, "Ana Pop", "ana", Role.ADMIN)
TEAM = Snapshot(
    companies=[KnownCompany(10, "Northwind")],
    contacts=[
        KnownContact(20, "Sam Reed", 10, email="sam@northwind.example", phone=None),
        KnownContact(21, "Laura Chen", 10, phone="+40 721 000 222", job_title="Buyer"),
    ],
    reps=[ANA],
)
HEADER = "Name,Company,E-mail,Phone,Job title\n"


def _plan(rows: str, snapshot: Snapshot = TEAM) -> Plan:
    table = read_table((HEADER + rows).encode())
    return make_plan(snapshot, read_records(table, map_columns(table.header)), ANA)


def _line(plan: Plan, line: int) -> str:
    (found,) = [text for text in report_lines(plan) if text.startswith(f"line {line}: ")]
    return found


@pytest.mark.parametrize(
    "text", ["sam@northwind.example", "  Sam.Reed+crm@mail.northwind.co.uk ", "a@b.c"]
)
def test_an_address_with_one_at_and_a_dotted_domain_is_kept(text: str) -> None:
    assert read_email(text) == text.strip()


@pytest.mark.parametrize(
    "text",
    ["sam.northwind.example", "sam@northwind", "sam@@northwind.example", "@northwind.example",
     "sam@north wind.example", "sam@.", "a@b@c.d"],
)  # fmt: skip
def test_an_address_without_one_at_or_a_dotted_domain_is_refused(text: str) -> None:
    with pytest.raises(DetailError, match="one @ and a dot in the domain"):
        read_email(text)


@pytest.mark.parametrize(
    ("text", "kept"),
    [("+40 721 000 111", "+40 721 000 111"), ("(021) 312-45-67", "(021) 312-45-67"),
     ("0722.123.456", "0722 123 456"), ("  +48   600 100 200 ", "+48 600 100 200"),
     ("123456", "123456")],
)  # fmt: skip
def test_a_phone_keeps_digits_spaces_plus_dash_and_brackets(text: str, kept: str) -> None:
    assert read_phone(text) == kept


@pytest.mark.parametrize(
    ("text", "reason"),
    [("12345", "at least 6 digits"), ("+40 (0)", "at least 6 digits"),
     ("0721 000 111 ext. 12", "only digits, spaces"), ("call Ana", "only digits, spaces")],
)  # fmt: skip
def test_a_phone_with_too_few_digits_or_with_words_is_refused(text: str, reason: str) -> None:
    with pytest.raises(DetailError, match=reason):
        read_phone(text)


def test_a_new_contact_gets_the_details_and_the_report_says_which() -> None:
    plan = _plan("Ivy Lu,Initech,ivy@initech.example,+1 555 010 9999,CTO\n")

    assert plan.contacts[0].details == {
        "email": "ivy@initech.example", "phone": "+1 555 010 9999", "job_title": "CTO",
    }  # fmt: skip
    assert _line(plan, 2) == (
        "line 2: new company Initech; new contact Ivy Lu (with e-mail, phone, job title)"
    )


def test_a_bad_email_or_phone_is_refused_in_the_report_and_the_row_still_imported() -> None:
    plan = _plan("Ivy Lu,Initech,ivy at initech,12-34,CTO\n")

    assert [(c.name, c.details) for c in plan.contacts] == [("Ivy Lu", {"job_title": "CTO"})]
    assert plan.rejected == []
    assert _line(plan, 2) == (
        "line 2: new company Initech; new contact Ivy Lu (with job title); "
        "e-mail 'ivy at initech' refused: an e-mail needs one @ and a dot in the domain; "
        "phone '12-34' refused: a phone number needs at least 6 digits"
    )


def test_a_merge_fills_only_what_the_team_lacks_and_keeps_what_it_has() -> None:
    plan = _plan(
        "Sam Reed,Northwind,other@northwind.example,0721 000 111,Head of IT\n"
        "Laura Chen,Northwind,laura@northwind.example,0040 721 000 999,Buyer\n"
    )

    assert plan.contact_details == {
        20: {"phone": "0721 000 111", "job_title": "Head of IT"},
        21: {"email": "laura@northwind.example"},
    }
    assert _line(plan, 2) == (
        "line 2: merged company Northwind (already in the team); merged contact Sam Reed "
        "(already in the team; phone, job title filled in); e-mail 'other@northwind.example' "
        "not taken: Sam Reed already has 'sam@northwind.example'"
    )
    assert (Entity.CONTACT, Verb.UPDATE) in plan.counts()
    assert "phone '0040 721 000 999' not taken: Laura Chen already has '+40 721 000 222'" in (
        _line(plan, 3)
    )


def test_the_same_details_again_change_nothing() -> None:
    plan = _plan("sam reed,Northwind,SAM@northwind.example,,\nLaura Chen,,,+40 721-000-222,buyer\n")

    assert not plan.writes_anything
    assert "not taken" not in "\n".join(report_lines(plan))


def test_the_first_row_fills_a_detail_and_a_later_row_cannot_change_it() -> None:
    plan = _plan(
        "Ivy Lu,Initech,,+1 555 010 9999,\nIvy Lu,Initech,ivy@initech.example,+1 555 010 0000,\n"
    )

    assert plan.contacts[0].details == {"phone": "+1 555 010 9999", "email": "ivy@initech.example"}
    assert "e-mail filled in" in _line(plan, 3)
    assert "phone '+1 555 010 0000' not taken" in _line(plan, 3)


def test_details_on_a_row_without_a_contact_are_refused_not_given_to_the_company() -> None:
    table = read_table((HEADER + ",Initech,info@initech.example,,\n").encode())
    (record,) = read_records(table, map_columns(table.header))

    assert isinstance(record, ImportRecord)
    assert record.details == {}
    assert [r.describe() for r in record.refused] == [
        "e-mail 'info@initech.example' refused: the row names no contact to keep it with"
    ]
