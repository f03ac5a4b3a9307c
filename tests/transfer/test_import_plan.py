"""The merge rules, decided before anything is written, and the report they print."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.csv_table import read_table
from handlers.domain import Role, Stage
from handlers.import_plan import (
    Entity,
    KnownCompany,
    KnownContact,
    KnownDeal,
    KnownRep,
    OwnerError,
    Plan,
    Ref,
    Snapshot,
    Verb,
    default_owner,
    make_plan,
    report_lines,
)
from handlers.import_rows import map_columns, read_records

ANA = KnownRep(1, "Ana Pop", "ana", Role.ADMIN)
DAN = KnownRep(2, "Dan Ene", "dan", Role.REP)
TEAM = Snapshot(
    companies=[KnownCompany(10, "Northwind"), KnownCompany(11, "Contoso")],
    contacts=[
        KnownContact(20, "Sam Reed", 10),
        KnownContact(21, "Laura Chen", None),
        KnownContact(22, "John Smith", 11),
    ],
    open_deals=[KnownDeal(30, 10, "Northwind", Stage.NEEDS, None, None)],
    reps=[DAN, ANA],
)


def _plan(csv: str, snapshot: Snapshot = TEAM, owner: KnownRep | None = ANA) -> Plan:
    table = read_table(csv.encode())
    return make_plan(snapshot, read_records(table, map_columns(table.header)), owner)


def _events(plan: Plan, line: int) -> list[tuple[Entity, Verb, str]]:
    (row,) = [row for row in plan.rows if row.line == line]
    return [(event.entity, event.verb, event.label) for event in row.events]


def test_names_already_in_the_team_merge_whatever_their_case_accents_and_spacing() -> None:
    plan = _plan("Name,Company\n  SAM  réed ,NÓRTHWIND \n")

    assert _events(plan, 2) == [
        (Entity.COMPANY, Verb.MERGE, "Northwind"),
        (Entity.CONTACT, Verb.MERGE, "Sam Reed"),
    ]
    assert not plan.writes_anything


def test_a_contact_nobody_knew_the_company_of_is_filed_at_the_rows_company() -> None:
    plan = _plan("Name,Company\nLaura Chen,Northwind\n")

    assert _events(plan, 2)[1] == (Entity.CONTACT, Verb.UPDATE, "Laura Chen")
    assert plan.contact_companies == {21: Ref(False, 10)}


def test_a_namesake_at_another_company_is_another_person() -> None:
    plan = _plan("Name,Company\nJohn Smith,Globex\n")

    assert _events(plan, 2) == [
        (Entity.COMPANY, Verb.CREATE, "Globex"),
        (Entity.CONTACT, Verb.CREATE, "John Smith"),
    ]
    assert [(c.name, c.company) for c in plan.contacts] == [("John Smith", Ref(True, 0))]


def test_duplicates_inside_the_file_merge_into_the_first_and_say_which_line() -> None:
    plan = _plan(
        "Name,Company,Stage,Amount\n"
        "Eve Adams,Globex,offer,\n"
        "eve adams,GLOBEX,offer,5000 EUR\n"
        "Eve Adams,Globex,offer,7000 EUR\n"
        "Eve Adams,,,\n"
    )

    assert len(plan.companies) == len(plan.contacts) == len(plan.deals) == 1
    assert plan.deals[0].deal.amount == Decimal(5000)  # filled in once, by line 3
    assert _events(plan, 3)[2] == (Entity.DEAL, Verb.UPDATE, "Globex")
    assert _events(plan, 4)[2] == (Entity.DEAL, Verb.MERGE, "Globex")
    assert _events(plan, 5) == [(Entity.CONTACT, Verb.MERGE, "Eve Adams")]
    assert "merged contact Eve Adams (as on line 2)" in report_lines(plan)[3]


def test_an_open_deal_gets_a_missing_amount_but_keeps_its_stage() -> None:
    plan = _plan("Company,Stage,Amount\nNorthwind,contract,12k EUR\nNorthwind,offer,9k EUR\n")

    assert plan.deals == []
    assert plan.deal_amounts == {30: (Decimal(12000), "EUR")}
    lines = report_lines(plan)
    assert "merged deal Northwind (already in the team; amount set to 12,000 EUR)" in lines[0]
    assert "open at needs; left there" in lines[1]


def test_closed_deals_are_skipped_and_the_row_is_kept() -> None:
    plan = _plan("Name,Company,Stage\nIvy Lu,Initech,lost\n")

    assert _events(plan, 2)[2] == (Entity.DEAL, Verb.SKIP, "Initech")
    assert [c.name for c in plan.contacts] == ["Ivy Lu"]
    assert plan.deals == []


def test_a_deal_goes_to_the_rep_the_row_names_else_to_the_default_with_a_word() -> None:
    plan = _plan("Company,Stage,Owner\nGlobex,needs,dan\nInitech,needs,Zed\nHooli,needs,\n")

    assert [deal.owner_id for deal in plan.deals] == [DAN.id, ANA.id, ANA.id]
    assert "'Zed' is not in the team: owned by Ana Pop" in report_lines(plan)[1]


def test_without_any_rep_deals_are_skipped_but_contacts_still_come_in() -> None:
    plan = _plan("Name,Company,Stage\nIvy Lu,Initech,offer\n", Snapshot(), owner=None)

    assert [event[1] for event in _events(plan, 2)] == [Verb.CREATE, Verb.CREATE, Verb.SKIP]
    assert "invite one, then import again" in report_lines(plan)[0]


def test_rejected_rows_change_nothing_and_are_counted() -> None:
    plan = _plan("Name,Company,Stage\nIvy Lu,Initech,hot\nAl Bo,Initech,offer\n")

    assert plan.rows[0].rejected is not None
    assert [c.name for c in plan.companies] == ["Initech"]  # created by line 3, not line 2
    assert _events(plan, 3)[0] == (Entity.COMPANY, Verb.CREATE, "Initech")
    lines = report_lines(plan)
    assert lines[0].startswith("line 2: rejected: unknown stage 'hot'")
    assert lines[-4:] == [
        "  Contacts: 1 new, 0 merged",
        "  Companies: 1 new, 0 merged",
        "  Open deals: 1 new, 0 merged",
        "  1 row rejected of 2 rows read",
    ]


def test_the_default_owner_is_the_named_rep_else_the_first_admin() -> None:
    assert default_owner([DAN, ANA]) == ANA
    assert default_owner([DAN, ANA], "dan ene") == DAN
    assert default_owner([]) is None
    with pytest.raises(OwnerError, match="no rep called 'Zed'"):
        default_owner([DAN, ANA], "Zed")


def test_a_row_without_company_merges_into_the_first_namesake_and_says_so() -> None:
    twins = Snapshot(
        companies=[KnownCompany(10, "Northwind"), KnownCompany(11, "Contoso")],
        contacts=[KnownContact(22, "John Smith", 11), KnownContact(23, "John Smith", 10)],
    )

    plan = _plan("Name\njohn smith\n", twins)

    assert not plan.writes_anything
    assert report_lines(plan)[0] == (
        "line 2: merged contact John Smith (already in the team; 2 contacts have this name, "
        "merged into Contoso)"
    )
