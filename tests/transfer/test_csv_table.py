"""Reading CSV files as spreadsheets and people save them."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.csv_table import CsvError, read_table

MESSY = Path(__file__).with_name("messy_contacts.csv")


def test_the_messy_file_reads_with_its_lines_numbered_as_an_editor_shows_them() -> None:
    table = read_table(MESSY.read_bytes())

    assert (table.encoding, table.delimiter, table.header_line) == ("utf-8-sig", ";", 1)
    assert table.header[:3] == ("Full Name", "Company name", "E-mail")  # no BOM in the heading
    lines = [row.line for row in table.rows]
    # Line 3 is blank, the quoted cell of line 5 runs onto line 6, line 10 is only semicolons.
    assert lines == [2, 4, 5, 7, 8, 9, 11, 12, 13, 14, 15]
    quoted = table.rows[2]
    assert quoted.cells[:2] == ("Popescu, Ion", "Ştefan & Fiii\nSRL")
    assert table.rows[5].cells == ("Борис Орлов", "Пятёрочка")  # a short row stays short


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Nume;Firmă\nȘtefan Ionescu;Pădurea Verde\nŁucja Żak;Łódź Sp. z o.o.\n", "cp1250"),
        ("Имя;Компания\nБорис Орлов;Пятёрочка\nМария Петрова;Ромашка\n", "cp1251"),
    ],
)
def test_windows_code_pages_are_told_apart_when_the_file_is_not_utf8(
    text: str, encoding: str
) -> None:
    # Romanian's comma-below letters are not in 1250; spreadsheets save the cedilla ones.
    text = text.replace("Ș", "Ş")
    table = read_table(text.encode(encoding))

    assert table.encoding == encoding
    assert "\n".join(
        ";".join(cells) for cells in [table.header, *(r.cells for r in table.rows)]
    ) == (text.strip())


def test_excel_unicode_text_is_utf16_with_tabs() -> None:
    table = read_table("Name\tCompany\r\nAna Pop\tAcme, Inc.\r\n".encode("utf-16"))

    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.rows[0].cells == ("Ana Pop", "Acme, Inc.")


def test_an_excel_sep_line_names_the_delimiter_and_is_not_the_header() -> None:
    table = read_table(b"sep=,\nName;Title,Company\nAna;CEO,Acme\n")

    assert table.delimiter == ","
    assert table.header == ("Name;Title", "Company")
    assert (table.rows[0].line, table.rows[0].cells) == (3, ("Ana;CEO", "Acme"))


def test_commas_inside_quotes_do_not_fool_the_sniffer() -> None:
    table = read_table(b'"Name, full";Company\n"Reed, Sam";"Northwind, Ltd"\n')

    assert table.delimiter == ";"
    assert table.rows[0].cells == ("Reed, Sam", "Northwind, Ltd")


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n  \n"])
def test_a_file_without_a_header_is_an_error(data: bytes) -> None:
    with pytest.raises(CsvError):
        read_table(data)
