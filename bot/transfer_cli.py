"""``crmbot import contacts`` and ``crmbot export``: the steps between the command line and
storage, kept out of ``bot/cli.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from handlers.clock import SystemClock
from handlers.csv_table import CsvError, CsvTable, read_table
from handlers.domain import Team
from handlers.i18n import _
from handlers.import_plan import report_lines
from handlers.import_rows import ColumnMap, MappingError, map_columns, read_records
from storage.database import create_engine
from storage.export import ExportedFile, Table, read_team, write_tables
from storage.transfer import ImportResult, import_contacts

MAX_FILE_BYTES = 200 * 1024 * 1024
"""A contacts file larger than this is surely not one (it is read whole into memory)."""


class TransferInputError(Exception):
    """The file cannot be read or its columns mapped; nothing was written."""


@dataclass(frozen=True, slots=True)
class ContactsFile:
    path: Path
    table: CsvTable
    columns: ColumnMap


def open_contacts_file(path: Path, overrides: Sequence[str]) -> ContactsFile:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise TransferInputError(
                _("{path} is larger than {size} MB").format(path=path, size=MAX_FILE_BYTES // 2**20)
            )
        data = path.read_bytes()
    except OSError as error:
        raise TransferInputError(
            _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        ) from error
    try:
        table = read_table(data)
        columns = map_columns(table.header, overrides)
    except (CsvError, MappingError) as error:
        raise TransferInputError(f"{path}: {error}") from error
    return ContactsFile(path, table, columns)


def run_import(
    url: str, file: ContactsFile, team: str, *, owner: str | None, dry_run: bool
) -> ImportResult:
    async def go() -> ImportResult:
        engine = create_engine(url)
        try:
            return await import_contacts(
                engine,
                SystemClock(),
                team,
                lambda found: read_records(file.table, file.columns, date_order=found.date_order),
                owner=owner,
                dry_run=dry_run,
            )
        finally:
            await engine.dispose()

    return asyncio.run(go())


def import_report(file: ContactsFile, result: ImportResult, *, dry_run: bool) -> list[str]:
    table, columns = file.table, file.columns
    delimiter = {"\t": "tab", ",": "comma", ";": "semicolon"}.get(
        table.delimiter, repr(table.delimiter)
    )
    lines = [
        _("Read {path}: {rows} rows, encoding {encoding}, delimiter {delimiter}.").format(
            path=file.path, rows=len(table.rows), encoding=table.encoding, delimiter=delimiter
        ),
        _("Columns: {columns}").format(columns=", ".join(columns.describe(table.header))),
    ]
    if columns.ignored:
        lines.append(_("Ignored columns: {columns}").format(columns=", ".join(columns.ignored)))
    unstored = columns.unstored(table.header)
    if unstored:
        lines.append(
            _(
                "Not imported (notes from a file would count as today's work in the digests): "
                "{columns}"
            ).format(columns=", ".join(unstored))
        )
    lines.append(
        _("Team: {name} (id {id})").format(name=result.team.name, id=result.team.id) + "\n"
    )
    lines += report_lines(result.plan)
    if dry_run:
        lines.append(_("Dry run: nothing was saved. Run again without --dry-run to import."))
    elif result.written:
        lines.append(_("Saved, all in one transaction."))
    else:
        lines.append(_("Nothing new to save."))
    return lines


def run_export(url: str, team: str, directory: Path) -> tuple[Team, list[ExportedFile]]:
    async def read() -> tuple[Team, list[Table]]:
        engine = create_engine(url)
        try:
            return await read_team(engine, team)
        finally:
            await engine.dispose()

    found, tables = asyncio.run(read())
    try:
        return found, write_tables(directory, tables)
    except OSError as error:
        raise TransferInputError(
            _("cannot write to {path}: {reason}").format(path=directory, reason=error.strerror)
        ) from error
