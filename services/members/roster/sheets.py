"""Roster files in and out: an uploaded XLSX or CSV read into rows of cells, the template, the
report (the uploaded rows with an 错误说明 column) and the export, written as XLSX.

Reading: XLSX through python-calamine (bench/roster_import.py measured it several times faster
than openpyxl's read-only mode on the demo county's file); cached values of formulas are read,
nothing is executed, and a workbook with macros (vbaProject.bin) is refused. CSV in UTF-8 (with
or without a BOM) or GB18030 (what Chinese Excel saves), detected in that order and named in the
job. Writing: openpyxl's write-only mode, rows streamed to the file as they come."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from services.infra.errors import InvalidInput
from services.infra.i18n import _
from services.members.roster.columns import (
    COLUMNS,
    ERROR_HEADER,
    INSTRUCTIONS_SHEET,
    SHEET,
    header_of,
)

XLSX_MAGIC = b"PK\x03\x04"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


HEADER_SEARCH = 10  # the headers may come below a title: the first of these rows naming them
HEADERS_NAMED = 3  # ... with at least this many of the template's headers


@dataclass(frozen=True)
class Table:
    """A sheet's rows as read, the row of its headers (1-based; a title may stand above
    them), the format and, for CSV, the encoding."""

    rows: list[list[Any]]
    format: str  # "xlsx" | "csv"
    encoding: str = ""  # "UTF-8", "UTF-8 (BOM)", "GB18030" for CSV
    header_row: int = 1

    @property
    def headers(self) -> list[Any]:
        return self.rows[self.header_row - 1] if self.rows else []

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1


def _header_row(rows: list[list[Any]]) -> int:
    known = {c.header for c in COLUMNS}
    for number, row in enumerate(rows[:HEADER_SEARCH], start=1):
        if len({header_of(cell) for cell in row} & known) >= HEADERS_NAMED:
            return number
    return 1


def bad_file(reason: str) -> InvalidInput:
    return InvalidInput(reason, fields={"file": [reason]})


def read_table(content: bytes, max_rows: int) -> Table:
    """The roster sheet of an XLSX (党员名册, else the first sheet) or a CSV; at most
    ``max_rows`` data rows (InvalidInput beyond, and for a file that is neither)."""
    if not content:
        raise bad_file(_("The file is empty"))
    table = (
        _read_xlsx(content, max_rows)
        if content.startswith(XLSX_MAGIC)
        else _read_csv(content, max_rows)
    )
    table = replace(table, header_row=_header_row(table.rows))
    if not table.rows or not any(_filled(c) for c in table.headers):
        raise bad_file(_("The first row must hold the template's column headers"))
    return table


def _filled(value: Any) -> bool:
    return value is not None and value != ""


def _read_xlsx(content: bytes, max_rows: int) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        raise bad_file(_("The file is neither an XLSX workbook nor a CSV file")) from None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise bad_file(_("Workbooks with macros are not accepted: save it as an XLSX workbook"))
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        name = SHEET if SHEET in book.sheet_names else book.sheet_names[0]
        sheet = book.get_sheet_by_name(name)
        if sheet.height > max_rows + 1:
            raise bad_file(_("The file has more than {n} rows; split it", n=max_rows))
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, IndexError, ValueError):
        raise bad_file(_("The file is neither an XLSX workbook nor a CSV file")) from None
    return Table(_trimmed(rows), "xlsx")


def _read_csv(content: bytes, max_rows: int) -> Table:
    encoding = ""
    for codec, label in (("utf-8-sig", "UTF-8 (BOM)"), ("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        if codec == "utf-8-sig" and not content.startswith(b"\xef\xbb\xbf"):
            continue
        try:
            text = content.decode(codec)
            encoding = label
            break
        except UnicodeDecodeError:
            continue
    else:
        raise bad_file(_("The CSV file is neither UTF-8 nor GB18030 text"))
    if "\x00" in text:
        raise bad_file(_("The file is neither an XLSX workbook nor a CSV file"))
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(list(row))
            if len(rows) > max_rows + 1:
                raise bad_file(_("The file has more than {n} rows; split it", n=max_rows))
    except csv.Error:
        raise bad_file(_("The CSV file is malformed (check its quotes)")) from None
    return Table(_trimmed(rows), "csv", encoding)


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Without the blank rows at the end (row numbers of the others stay as in the file)."""
    end = len(rows)
    while end and not any(_filled(c) for c in rows[end - 1]):
        end -= 1
    return rows[:end]


# -- writing ---------------------------------------------------------------------------------


def write_xlsx(sheet: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """An XLSX of one sheet, rows written as they come (write-only: a row at a time in memory);
    every cell as text, so nobody's ID number or phone turns into a number."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([_cell_text(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_text(value: Any) -> Any:
    return "" if value is None else value if isinstance(value, str) else str(value)


def template(fmt: str) -> bytes:
    """The empty roster with its headers (XLSX: and the instructions sheet, with an example of
    each column there, so that nobody imports an example by mistake); CSV in UTF-8 with a BOM,
    which Excel opens as Chinese text."""
    headers = [c.header for c in COLUMNS]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([headers])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET
    ws.append(headers)
    for index in range(1, len(COLUMNS) + 1):
        ws.cell(row=1, column=index).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(index)].number_format = "@"  # text: ID numbers
        ws.column_dimensions[get_column_letter(index)].width = 16
    notes = book.create_sheet(INSTRUCTIONS_SHEET)
    notes.append(["列名", "填写要求", "示例"])
    for column in COLUMNS:
        notes.append([column.header, column.hint, column.example])
    notes.append([])
    notes.append(["说明", "每行一名党员，从第2行起填写；公式不会被执行，只读取其显示的值。"])
    saved = io.BytesIO()
    book.save(saved)
    return saved.getvalue()


def report_rows(table: Table, reasons: dict[int, list[str]]) -> Iterator[list[Any]]:
    """The uploaded rows after the first (the headers' with 错误说明, a data row's with its
    problems joined, a title's with nothing) as wide as the headers plus that column."""
    width = len(table.headers)
    for number, row in enumerate(table.rows[1:], start=2):
        cells = list(row[:width]) + [""] * (width - len(row))
        yield [*cells, _error_cell(table, number, reasons)]


def _error_cell(table: Table, number: int, reasons: dict[int, list[str]]) -> str:
    said = "；".join(reasons.get(number, []))
    if number != table.header_row:
        return said if number > table.header_row else ""
    return f"{ERROR_HEADER}（{said}）" if said else ERROR_HEADER  # unknown columns


def report(table: Table, reasons: dict[int, list[str]]) -> bytes:
    """The uploaded rows with an added 错误说明 column (row numbers as in the file)."""
    width = len(table.headers)
    first = list(table.rows[0][:width]) + [""] * (width - len(table.rows[0]))
    headers = [_cell_text(h) for h in first] + [_error_cell(table, 1, reasons)]
    return write_xlsx(SHEET, headers, report_rows(table, reasons))
