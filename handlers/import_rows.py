"""The rows of a contacts CSV as the CRM's fields: which column is which, and what each cell says.

Columns are recognised by their heading, forgiving case, accents, spaces and punctuation
("Full name", "E-mail", "Nume complet", "Компания"), in the six languages the bot speaks;
``--map COLUMN=FIELD`` settles the rest. Each row then becomes an :class:`ImportRecord`, or is
rejected with the reason a person can act on ("unknown stage 'hot'"), never both halves.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from handlers import texts
from handlers.capture.amounts import find_amount
from handlers.capture.lexicon import fold
from handlers.contact_details import Refusal, read_details
from handlers.csv_table import CsvRow, CsvTable
from handlers.domain import Stage
from handlers.i18n import _

FIELDS: tuple[str, ...] = (
    "name", "first_name", "last_name", "company", "email", "phone", "title", "notes",
    "deal_title", "deal_stage", "deal_amount", "deal_currency", "deal_expected_close",
    "deal_owner",
)  # fmt: skip
"""Every field a column can hold; ``--map COLUMN=-`` ignores a column."""
DEAL_FIELDS = ("deal_title", "deal_stage", "deal_amount", "deal_currency", "deal_expected_close")
UNSTORED_FIELDS = ("notes",)
"""Recognised, so not reported as unknown columns, but not imported: the import says it leaves
them out. (A note would be an activity, and an activity dated the day of the import would
count in that day's digests as the rep's work.)"""
DETAIL_FIELDS = {"email": "email", "phone": "phone", "title": "job_title"}
"""The file's fields that are contact details, and the contact's field each fills."""
IGNORE = "-"

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "full name", "contact", "contact name", "person", "client name", "customer name",
        "nume", "nume complet", "persoana de contact", "imie i nazwisko", "osoba kontaktowa",
        "kontakt", "nombre", "nombre completo", "contacto", "имя", "фио", "полное имя",
        "контакт", "контактное лицо", "име", "пълно име", "лице за контакт",
    ),
    "first_name": (
        "first name", "given name", "prenume", "imie", "nombre de pila", "собствено име",
    ),
    "last_name": (
        "last name", "surname", "family name", "nume de familie", "nazwisko",
        "apellido", "apellidos", "фамилия",
    ),
    "company": (
        "company", "company name", "organisation", "organization", "organisation name",
        "organization name", "org", "account", "account name", "client", "customer", "business",
        "companie", "compania", "firma", "societate", "organizatie", "nazwa firmy", "organizacja",
        "empresa", "nombre de la empresa", "organizacion", "компания", "организация", "фирма",
        "название компании", "клиент", "фирма име", "организацията",
    ),
    "email": (
        "email", "e-mail", "mail", "email address", "e-mail address", "adresa de email",
        "adres email", "adres e-mail", "correo", "correo electronico", "почта",
        "электронная почта", "емейл", "имейл", "електронна поща",
    ),
    "phone": (
        "phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "cell",
        "telefon", "numar de telefon", "telefon komorkowy", "nr telefonu", "telefono", "movil",
        "celular", "телефон", "мобильный", "мобилен", "мобилен телефон",
    ),
    "title": (
        "title", "job title", "position", "job", "role", "functie", "stanowisko",
        "cargo", "puesto", "должность", "позиция", "длъжност",
    ),
    "notes": (
        "notes", "note", "comments", "comment", "description", "remarks", "notite",
        "observatii", "comentarii", "notatki", "uwagi", "komentarz", "notas", "comentarios",
        "observaciones", "заметки", "примечание", "примечания", "комментарий", "бележки",
        "коментар", "забележки",
    ),
    "deal_title": (
        "deal", "deal title", "deal name", "opportunity", "opportunity name", "oportunitate",
        "afacere", "szansa sprzedazy", "transakcja", "oportunidad", "negocio", "сделка",
        "название сделки", "сделката",
    ),
    "deal_stage": (
        # Not "status": a generic status column ("active") would reject every row.
        "stage", "deal stage", "pipeline stage", "etapa", "stadiu", "etap", "faza", "стадия",
        "этап", "етап", "етап на сделката",
    ),
    "deal_amount": (
        "amount", "deal amount", "value", "deal value", "price", "total", "suma", "valoare",
        "kwota", "wartosc", "importe", "monto", "valor", "сумма", "стоимость", "сума",
        "стойност",
    ),
    "deal_currency": (
        "currency", "deal currency", "moneda", "valuta", "waluta", "divisa", "валюта",
    ),
    "deal_expected_close": (
        "expected close", "expected close date", "close date", "closing date", "close by",
        "data inchidere", "data estimata", "data zamkniecia", "fecha de cierre", "fecha cierre",
        "дата закрытия", "ожидаемая дата", "дата на затваряне",
    ),
    "deal_owner": (
        "owner", "deal owner", "account owner", "rep", "sales rep", "salesperson",
        "responsabil", "agent", "opiekun", "handlowiec", "responsable", "vendedor",
        "ответственный", "менеджер", "отговорник", "търговец",
    ),
}  # fmt: skip


def header_key(heading: str) -> str:
    """A heading folded to letters and digits: "E-mail", "email" and "E_MAIL" are one."""
    return "".join(char for char in fold(heading) if char.isalnum())


_KNOWN: dict[str, str] = {
    header_key(word): field for field, words in _SYNONYMS.items() for word in (field, *words)
}


class MappingError(Exception):
    """The columns cannot be mapped: a bad ``--map``, or nothing to import by."""


@dataclass(frozen=True, slots=True)
class ColumnMap:
    fields: Mapping[str, int]
    """Field name to the index of its column."""
    ignored: tuple[str, ...]
    """Headings of the columns nothing is read from."""

    def describe(self, header: Sequence[str]) -> list[str]:
        return [f"{header[index]} → {field}" for field, index in self.fields.items()]

    def unstored(self, header: Sequence[str]) -> list[str]:
        """The headings of recognised columns whose values the CRM has no place for yet."""
        return [header[self.fields[name]] for name in UNSTORED_FIELDS if name in self.fields]


def map_columns(header: Sequence[str], overrides: Sequence[str] = ()) -> ColumnMap:
    """Which column holds which field: ``overrides`` (``COLUMN=FIELD``) first, then headings."""
    chosen: dict[int, str] = {}
    for override in overrides:
        column, sep, field = (part.strip() for part in override.partition("="))
        if not sep or not column or not field:
            raise MappingError(_("--map takes COLUMN=FIELD, not {text!r}").format(text=override))
        field = field.lower().replace(" ", "_")
        if field not in FIELDS and field != IGNORE:
            raise MappingError(
                _("--map {text!r}: no field {field!r}; fields: {fields}").format(
                    text=override, field=field, fields=", ".join(FIELDS)
                )
            )
        index = _column_index(header, column)
        if index is None:
            raise MappingError(
                _("--map {text!r}: the file has no column {column!r}; columns: {columns}").format(
                    text=override, column=column, columns=", ".join(header)
                )
            )
        twice = [header[i] for i, other in chosen.items() if other == field != IGNORE]
        if twice and index not in chosen:
            raise MappingError(
                _("--map reads both {first!r} and {second!r} as {field}").format(
                    first=twice[0], second=header[index], field=field
                )
            )
        chosen[index] = field
    taken = {field for field in chosen.values() if field != IGNORE}
    for index, heading in enumerate(header):
        if index in chosen:
            continue
        known = _KNOWN.get(header_key(heading))
        if known is not None and known not in taken:  # a second "Phone" column stays unread
            chosen[index] = known
            taken.add(known)
    fields = {field: index for index, field in sorted(chosen.items()) if field != IGNORE}
    used = set(fields.values())
    ignored = tuple(
        heading or _("(column {number})").format(number=index + 1)
        for index, heading in enumerate(header)
        if index not in used
    )
    if not {"name", "first_name", "last_name", "company"} & fields.keys():
        raise MappingError(
            _(
                "no column holds a name or a company (columns: {columns}); "
                "say which with --map COLUMN=name or --map COLUMN=company"
            ).format(columns=", ".join(header))
        )
    return ColumnMap(fields, ignored)


def _column_index(header: Sequence[str], column: str) -> int | None:
    for index, heading in enumerate(header):
        if heading == column:
            return index
    folded = header_key(column)
    for index, heading in enumerate(header):
        if header_key(heading) == folded:
            return index
    if column.isdigit() and 1 <= int(column) <= len(header):  # a column by its number
        return int(column) - 1
    return None


@dataclass(frozen=True, slots=True)
class DealFields:
    title: str
    stage: Stage
    amount: Decimal | None
    currency: str | None
    expected_close: date | None


@dataclass(frozen=True, slots=True)
class ImportRecord:
    line: int
    name: str
    """The contact's full name; empty for a row that is only a company."""
    company: str
    deal: DealFields | None
    owner: str
    """Who should own the deal, as the file names them; empty for the default."""
    details: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The contact's e-mail, phone and job title that passed the checks (``job_title``...)."""
    refused: tuple[Refusal, ...] = ()
    """Details left out, with the reason: the row is still imported."""


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    reason: str


class CellError(ValueError):
    """A cell that cannot be read; its message is the reason the row is rejected."""


MAX_NAME = 200
"""The longest name the contacts and companies tables keep."""
_INJECTION = re.compile(r"'(?=[=+\-@])")
"""Export writes a leading apostrophe before =, +, - and @ so spreadsheets show formulas as
text; reading takes it off again."""


def clean(cell: str) -> str:
    text = " ".join(cell.split())  # line breaks and runs of spaces inside a name
    return _INJECTION.sub("", text, count=1) if text.startswith("'") else text


def read_records(
    table: CsvTable, columns: ColumnMap, *, date_order: str = "DMY"
) -> list[ImportRecord | Rejected]:
    return [_record(row, columns, date_order) for row in table.rows]


def _record(row: CsvRow, columns: ColumnMap, date_order: str) -> ImportRecord | Rejected:
    def cell(field: str) -> str:
        index = columns.fields.get(field)
        if index is None or index >= len(row.cells):
            return ""  # a short row: the missing cells are empty
        return row.cells[index]

    name = clean(cell("name")) or " ".join(
        part for part in (clean(cell("first_name")), clean(cell("last_name"))) if part
    )
    company = clean(cell("company"))
    try:
        if not name and not company:
            raise CellError(_("no name and no company"))
        for label, value in ((_("name"), name), (_("company"), company)):
            if len(value) > MAX_NAME:
                raise CellError(
                    _("the {what} is longer than {limit} characters").format(
                        what=label, limit=MAX_NAME
                    )
                )
        deal = _deal(cell, company, date_order)
    except CellError as error:
        return Rejected(row.line, str(error))
    details, refused = read_details(
        {target: clean(cell(source)) for source, target in DETAIL_FIELDS.items()}
    )
    if details and not name:  # a company's switchboard is not a person's number
        refused += [
            Refusal(target, value, _("the row names no contact to keep it with"))
            for target, value in details.items()
        ]
        details = {}
    return ImportRecord(
        row.line, name, company, deal, clean(cell("deal_owner")), details, tuple(refused)
    )


def _deal(cell: Callable[[str], str], company: str, date_order: str) -> DealFields | None:
    if not any(cell(field) for field in DEAL_FIELDS):
        return None
    if not company:
        raise CellError(_("a deal needs a company, and the company cell is empty"))
    amount, currency = read_amount(cell("deal_amount"))
    if cell("deal_currency"):
        currency = read_currency(cell("deal_currency"))
    return DealFields(
        title=clean(cell("deal_title"))[:MAX_NAME] or company,
        stage=read_stage(cell("deal_stage")) if cell("deal_stage") else Stage.PROSPECT,
        amount=amount,
        currency=currency,
        expected_close=read_date(cell("deal_expected_close"), date_order),
    )


_STAGE_NAMES: dict[str, Stage] = {}


def read_stage(text: str) -> Stage:
    """A stage by its key ("offer") or its English label ("Offer sent"), folded."""
    if not _STAGE_NAMES:
        for stage in Stage:
            _STAGE_NAMES[header_key(stage.value)] = stage
            _STAGE_NAMES[header_key(texts.STAGE_LABELS[stage])] = stage
    found = _STAGE_NAMES.get(header_key(text))
    if found is None:
        raise CellError(
            _("unknown stage {text!r} (stages: {stages})").format(
                text=text, stages=", ".join(stage.value for stage in Stage)
            )
        )
    return found


_SCALED = re.compile(r"(?P<number>\d[\d\s.,]*?)\s*(?P<scale>k|m|mln|mio)?\.?", re.IGNORECASE)
_SCALES = {"k": 1_000, "m": 1_000_000, "mln": 1_000_000, "mio": 1_000_000}
_GROUPED = re.compile(r"\d{1,3}(?:(?P<sep>[ .,'])\d{3})(?:(?P=sep)\d{3})*")


def read_number(text: str) -> Decimal:
    """A plain number as spreadsheets write it: "12000", "12 000,50", "12,000.50",
    "12.000", "1.5", "1,5", "12'000"."""
    digits = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    comma, dot = digits.rfind(","), digits.rfind(".")
    if comma >= 0 and dot >= 0:  # both: the later one is the decimal mark
        decimal_mark = "," if comma > dot else "."
        whole, _sep, fraction = digits.rpartition(decimal_mark)
    elif _GROUPED.fullmatch(digits):  # "12,000", "12.000", "12 000": thousands
        whole, fraction = digits, ""
    elif comma >= 0 or dot >= 0:  # "12,5", "1.25"
        whole, _sep, fraction = digits.rpartition("," if comma >= 0 else ".")
    else:
        whole, fraction = digits, ""
    if not (whole.isdigit() or _GROUPED.fullmatch(whole)) or (fraction and not fraction.isdigit()):
        raise CellError(_("cannot read {text!r} as a number").format(text=text))
    whole = re.sub(r"[\s.,']", "", whole)
    try:
        return Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation as error:
        raise CellError(_("cannot read {text!r} as a number").format(text=text)) from error


def read_amount(text: str) -> tuple[Decimal | None, str | None]:
    """An amount with or without its currency: "12000", "12 000,50 EUR", "€12k", "$1.5m"."""
    text = text.strip()
    if not text:
        return None, None
    found = find_amount(fold(text))
    if found is not None and found.span == (0, len(text)):
        return _checked(found.value, text), found.currency
    bare = _SCALED.fullmatch(text)
    if bare is None:
        raise CellError(
            _("cannot read {text!r} as an amount (e.g. 12000, 12 000,50 EUR, €12k)").format(
                text=text
            )
        )
    value = read_number(bare.group("number"))
    scale = bare.group("scale")
    if scale:
        value *= _SCALES[scale.lower()]
    return _checked(value, text), None


_MAX_AMOUNT = Decimal("999999999999.99")
"""The largest amount the deals table holds (NUMERIC(14, 2))."""


def _checked(value: Decimal, text: str) -> Decimal:
    if value > _MAX_AMOUNT:
        raise CellError(_("the amount {text!r} is too large").format(text=text))
    value = value.quantize(Decimal("0.01"))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def read_currency(text: str) -> str:
    """A currency code ("eur"), symbol ("€") or word the capture engine knows ("lei")."""
    text = text.strip()
    found = find_amount(fold(f"1 {text}")) or find_amount(fold(f"{text}1"))
    if found is None and re.fullmatch(r"[A-Za-z]{3}", text):
        return text.upper()  # a code the capture engine has no word for (CHF, HUF)
    if found is None:
        raise CellError(_("unknown currency {text!r} (use a code such as EUR)").format(text=text))
    return found.currency


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})")


def read_date(text: str, date_order: str = "DMY") -> date | None:
    """A date as "2026-12-31", or "31.12.2026" / "31/12/26" in the team's order (12/31/2026
    for an MDY team)."""
    text = text.strip()
    if not text:
        return None
    try:
        if match := _ISO_DATE.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := _NUMERIC_DATE.fullmatch(text):
            first, second, year = (int(part) for part in match.groups())
            day, month = (second, first) if date_order == "MDY" else (first, second)
            return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        pass
    raise CellError(_("cannot read {text!r} as a date (e.g. 2026-12-31)").format(text=text))
