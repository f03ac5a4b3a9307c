"""Reading a CSV file as people actually save them.

Spreadsheets write CSV in many ways: UTF-8 with or without a byte-order mark, UTF-16 ("Unicode
text" from Excel), or the Windows code page of the machine (1250 in Poland and Romania, 1251 in
Russia and Bulgaria); commas, semicolons (Excel wherever the decimal mark is a comma) or tabs;
an Excel ``sep=;`` first line; quoted cells with line breaks; blank lines. :func:`read_table`
takes the bytes and gives back the header and the rows with the line each row starts on, and
says which encoding and delimiter it used, so a report can point at the line to fix.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from handlers.i18n import _

DELIMITERS = (",", ";", "\t", "|")
"""The delimiters tried, in the order that wins a tie."""

_SEP_LINE = re.compile(r"sep=(.)\s*", re.IGNORECASE)
_CYRILLIC_RUN = 0.5
"""Share of non-ASCII bytes in a word above which the word is taken for Cyrillic."""


class CsvError(Exception):
    """The file cannot be read as a table at all (nothing in it, or no header)."""


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    """The line of the file the row starts on (1 is the first line)."""
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CsvTable:
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    header_line: int
    rows: tuple[CsvRow, ...]


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with.

    A byte-order mark decides; then UTF-8 if the bytes are valid UTF-8 (almost never true of
    another encoding's text); then Windows-1251 for mostly-Cyrillic words, else Windows-1250.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = "cp1251" if _looks_cyrillic(data) else "cp1250"
    # Both code pages leave a handful of bytes undefined; keep the rest rather than give up.
    return data.decode(encoding, errors="replace"), encoding


def _looks_cyrillic(data: bytes) -> bool:
    """Cyrillic in a single-byte code page is words made of bytes above 127; Polish or
    Romanian is mostly ASCII letters with an accented one here and there."""
    high = total = 0
    for word in re.findall(rb"[A-Za-z\x80-\xff]+", data):
        non_ascii = sum(1 for byte in word if byte >= 0x80)
        if non_ascii:
            high += non_ascii
            total += len(word)
    return total > 0 and high / total > _CYRILLIC_RUN


def sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header line into the most cells (quotes respected)."""
    best, best_cells = DELIMITERS[0], 1
    for delimiter in DELIMITERS:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        if len(cells) > best_cells:
            best, best_cells = delimiter, len(cells)
    return best


def read_table(data: bytes) -> CsvTable:
    text, encoding = decode(data)
    text = text.lstrip("\ufeff")  # a second mark, or one inside UTF-16
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise CsvError(_("the file is empty"))
    delimiter: str | None = None
    skip = first
    sep = _SEP_LINE.fullmatch(lines[first].strip())
    if sep:  # Excel's "sep=;" line names the delimiter
        delimiter, skip = sep.group(1), first + 1
    buffer = io.StringIO(text, newline="")
    for _skipped in range(skip):
        buffer.readline()
    if delimiter is None:
        delimiter = sniff_delimiter(lines[first])
    reader = csv.reader(buffer, delimiter=delimiter, strict=False)
    header: tuple[str, ...] | None = None
    header_line = 0
    rows: list[CsvRow] = []
    ended = skip
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as error:  # e.g. a cell past the csv module's size limit
            raise CsvError(
                _("line {line}: {error}").format(line=skip + reader.line_num, error=error)
            ) from error
        if cells is None:
            break
        start, ended = ended + 1, skip + reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines and rows of empty cells
        values = tuple(cell.strip() for cell in cells)
        if header is None:
            header, header_line = values, start
        else:
            rows.append(CsvRow(start, values))
    if header is None:
        raise CsvError(_("the file has no header row"))
    return CsvTable(encoding, delimiter, header, header_line, tuple(rows))
