"""Cells for CSV files people open in a spreadsheet: text never runs as a formula.

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return before one) as a formula, so a value someone typed into the portal (a
username at a failed sign-in, a reason for viewing evidence) could run in the reader's
spreadsheet (CSV injection). Following OWASP, such text is prefixed with a single quote,
which the spreadsheet shows as text and a reader can still read.

Only text is neutralised: numbers (a negative one included, which a spreadsheet reads as a
number, not a formula) and ``None`` (an empty cell) are kept as they are. Any other value is
written as its text, as ``csv.writer`` would, and neutralised like text.

``xlsx_bytes`` writes the same rows as an XLSX workbook (openpyxl): a bold header row,
numbers as numbers, dates as dates, and every text cell written as text (a string cell,
never a formula), after ``safe_cell``, so the workbook holds what the CSV file holds.
"""

import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value a spreadsheet shows as it is: ``"=1+2"`` -> ``"'=1+2"``; numbers untouched."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(row: Iterable) -> list:
    """Every cell of a row through ``safe_cell``."""
    return [safe_cell(value) for value in row]


# A sheet's title: at most 31 characters, none of these.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def xlsx_bytes(
    *,
    title: str,
    header: Iterable[str],
    rows: Iterable[Iterable],
    number_formats: dict[int, str] | None = None,
) -> bytes:
    """A workbook of one sheet: ``header`` in bold, then ``rows``. ``number_formats`` maps a
    column's index to an Excel number format (``"0.0%"``); dates are shown YYYY-MM-DD. An
    empty string or ``None`` is an empty cell."""
    formats = number_formats or {}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_SHEET_TITLE_FORBIDDEN.sub(" ", str(title))[:31] or "Sheet")
    bold = Font(bold=True)
    heading = []
    for text in header:
        cell = _text_cell(sheet, text)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([_cell(sheet, value, formats.get(i)) for i, value in enumerate(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet, value) -> WriteOnlyCell:
    # Control characters have no place in the file's XML (openpyxl refuses them).
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value)))
    cell.data_type = "s"  # text, whatever it looks like: never a formula
    return cell


def _cell(sheet, value, number_format: str | None) -> WriteOnlyCell:
    if value is None or value == "":
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, bool | int | float | Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        if number_format and not isinstance(value, bool):
            cell.number_format = number_format
        return cell
    if isinstance(value, date | datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else "yyyy-mm-dd"
        return cell
    return _text_cell(sheet, value)
