"""Cells for CSV files people open in a spreadsheet: text never runs as a formula.

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return before one) as a formula, so a value someone typed into the portal (a
username at a failed sign-in, a reason for viewing evidence) could run in the reader's
spreadsheet (CSV injection). Following OWASP, such text is prefixed with a single quote,
which the spreadsheet shows as text and a reader can still read.

Only text is neutralised: numbers (a negative one included, which a spreadsheet reads as a
number, not a formula) and ``None`` (an empty cell) are kept as they are. Any other value is
written as its text, as ``csv.writer`` would, and neutralised like text.
"""

from collections.abc import Iterable
from decimal import Decimal

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
