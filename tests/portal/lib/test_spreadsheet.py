"""Cells written to a CSV never start a spreadsheet formula (OWASP: a leading quote)."""

import csv
import io
from decimal import Decimal

import pytest

from portal.lib.spreadsheet import safe_cell, safe_row


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "=", "-"],
)
def test_text_that_starts_a_formula_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["ministry_admin", "Spot check", "", "a=b", " =1", "'=1"])
def test_other_text_is_kept(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [None, 0, 12, -5, -1.5, Decimal("-3.20"), True])
def test_numbers_and_none_are_kept_as_they_are(value):
    result = safe_cell(value)
    assert result is value


def test_other_values_are_written_as_text_and_neutralised_like_text():
    class Hostile:
        def __str__(self):
            return "=cmd"

    assert safe_cell(Hostile()) == "'=cmd"
    assert safe_cell({"status": ["review", "approved"]}) == "{'status': ['review', 'approved']}"


def test_a_row_is_neutralised_cell_by_cell_and_reads_back_as_text():
    row = safe_row([7, "=1+2+cmd|' /C calc'!A0", None, "staff_gd", -1])
    assert row == [7, "'=1+2+cmd|' /C calc'!A0", None, "staff_gd", -1]
    out = io.StringIO()
    csv.writer(out).writerow(row)
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [
        "7", "'=1+2+cmd|' /C calc'!A0", "", "staff_gd", "-1",
    ]  # fmt: skip
