"""Which column is which, and what each cell of a contacts file says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handlers.csv_table import read_table
from handlers.domain import Stage
from handlers.import_rows import (
    CellError,
    ImportRecord,
    MappingError,
    Rejected,
    map_columns,
    read_amount,
    read_currency,
    read_date,
    read_records,
    read_stage,
)


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Full name", "name"), ("FULL_NAME", "name"), ("Nume complet", "name"),
        ("Imię i nazwisko", "name"), ("ФИО", "name"), ("Име", "name"), ("Nombre", "name"),
        ("Company name", "company"), ("Organisation", "company"), ("Organization", "company"),
        ("Firmă", "company"), ("Empresa", "company"), ("Компания", "company"),
        ("Фирма", "company"), ("E-mail", "email"), ("Teléfono", "phone"),
        ("Job title", "title"), ("Stanowisko", "title"), ("Должность", "title"),
        ("Deal stage", "deal_stage"), ("Etapa", "deal_stage"), ("Этап", "deal_stage"),
        ("Amount", "deal_amount"), ("Kwota", "deal_amount"), ("Сумма", "deal_amount"),
        ("Valoare", "deal_amount"), ("Currency", "deal_currency"), ("Валюта", "deal_currency"),
        ("Close date", "deal_expected_close"), ("Fecha de cierre", "deal_expected_close"),
        ("Deal owner", "deal_owner"), ("Ответственный", "deal_owner"),
        ("First name", "first_name"), ("Nazwisko", "last_name"),
    ],
)  # fmt: skip
def test_headings_are_recognised_whatever_the_language_case_or_punctuation(
    heading: str, field: str
) -> None:
    columns = map_columns(["Company", heading] if field != "company" else ["Name", heading])

    assert columns.fields.get(field) == 1


def test_unknown_and_repeated_columns_are_ignored_and_said_so() -> None:
    columns = map_columns(["Name", "Company", "Lead source", "Phone", "Mobile", ""])

    assert dict(columns.fields) == {"name": 0, "company": 1, "phone": 3}
    assert columns.ignored == ("Lead source", "Mobile", "(column 6)")


def test_map_overrides_the_headings_and_can_ignore_a_column() -> None:
    columns = map_columns(["Client", "Who", "Name"], ["who=name", "Name=-", "client = company"])

    assert dict(columns.fields) == {"company": 0, "name": 1}
    assert columns.ignored == ("Name",)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("Who", "COLUMN=FIELD"),
        ("Who=nickname", "no field 'nickname'"),
        ("Nope=name", "no column 'Nope'"),
        ("Company=name", "both 'Who' and 'Company' as name"),
    ],
)
def test_a_bad_map_is_an_error_naming_the_choices(override: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        map_columns(["Who", "Company"], ["who=name", override])


def test_a_file_with_nothing_to_import_by_says_how_to_map_it() -> None:
    with pytest.raises(MappingError, match="--map COLUMN=name"):
        map_columns(["Column A", "Who"])


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("12000", Decimal(12000), None), ("12 000,50", Decimal("12000.50"), None),
        ("12,000.50", Decimal("12000.50"), None), ("12.000,50", Decimal("12000.50"), None),
        ("12.000", Decimal(12000), None), ("12,000", Decimal(12000), None),
        ("1,5", Decimal("1.5"), None), ("4000.5", Decimal("4000.5"), None),
        ("€12k", Decimal(12000), "EUR"), ("12k EUR", Decimal(12000), "EUR"),
        ("12 000,50 EUR", Decimal("12000.50"), "EUR"), ("$1,250.99", Decimal("1250.99"), "USD"),
        ("1.5m", Decimal(1500000), None), ("15 000 lei", Decimal(15000), "RON"),
        ("12\u00a0000", Decimal(12000), None), ("", None, None),
    ],
)  # fmt: skip
def test_amounts_read_as_spreadsheets_write_them(
    text: str, amount: Decimal | None, currency: str | None
) -> None:
    assert read_amount(text) == (amount, currency)


@pytest.mark.parametrize("text", ["lots", "12 EUR 13", "-5", "1,2,3,4", "1.2.3", "12 34", "9" * 16])
def test_an_unreadable_amount_is_refused(text: str) -> None:
    with pytest.raises(CellError):
        read_amount(text)


def test_currencies_by_code_symbol_or_word() -> None:
    assert [read_currency(text) for text in ("eur", "€", "lei", "zł", "руб", "chf")] == [
        "EUR", "EUR", "RON", "PLN", "RUB", "CHF",
    ]  # fmt: skip
    with pytest.raises(CellError, match="unknown currency"):
        read_currency("bananas")


def test_stages_by_key_or_english_label() -> None:
    assert [read_stage(text) for text in ("offer", "Offer sent", "FIRST CONTACT", "needs")] == [
        Stage.OFFER, Stage.OFFER, Stage.CONTACT, Stage.NEEDS,
    ]  # fmt: skip
    with pytest.raises(CellError, match="unknown stage 'hot'"):
        read_stage("hot")


def test_dates_follow_the_team_order_unless_iso() -> None:
    assert read_date("03/12/2026") == date(2026, 12, 3)
    assert read_date("03/12/2026", "MDY") == date(2026, 3, 12)
    assert read_date("31.12.26") == date(2026, 12, 31)
    assert read_date("2026-12-31") == date(2026, 12, 31)
    with pytest.raises(CellError):
        read_date("2026-02-30")


def _records(text: str) -> list[ImportRecord | Rejected]:
    table = read_table(text.encode())
    return read_records(table, map_columns(table.header))


def test_rows_become_records_or_rejections_with_their_reason() -> None:
    records = _records(
        "First name,Last name,Company,Stage,Amount,Owner\n"
        "Sam,Reed,Northwind,Offer sent,12k EUR,ana\n"
        ",,,,,\n"
        "  ,  ,  , needs,,\n"
        "Ana,Pop,,needs,,\n"
        "'=HYPERLINK(x),,Acme,,,\n"
        "Eve,Adams,Acme,,,\n"
    )

    sam, no_one, no_company, formula, eve = records
    assert isinstance(sam, ImportRecord)
    assert (sam.line, sam.name, sam.company, sam.owner) == (2, "Sam Reed", "Northwind", "ana")
    assert sam.deal is not None
    assert (sam.deal.title, sam.deal.stage, sam.deal.amount, sam.deal.currency) == (
        "Northwind", Stage.OFFER, Decimal(12000), "EUR",
    )  # fmt: skip
    assert no_one == Rejected(4, "no name and no company")
    assert isinstance(no_company, Rejected)
    assert "a deal needs a company" in no_company.reason
    assert isinstance(formula, ImportRecord)
    assert formula.name == "=HYPERLINK(x)"  # the export's guard apostrophe comes off
    assert isinstance(eve, ImportRecord)
    assert eve.deal is None


def test_a_name_longer_than_the_table_keeps_is_rejected() -> None:
    (record,) = _records(f"Name,Company\n{'x' * 201},Acme\n")

    assert isinstance(record, Rejected)
    assert "longer than 200" in record.reason
