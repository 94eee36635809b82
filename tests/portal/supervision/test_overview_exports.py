"""Each table of the overview as an XLSX workbook beside its CSV file: the same rows, numbers
as numbers, text never a formula, audited like the CSV, in the user's scope."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from registrations.models import Outlet
from tests.factories import create_registration, sign_in

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def registrations(users, outlet_gd, outlet_bj):
    return [
        create_registration(actor=users["staff"], outlet=outlet_gd, status="approved"),
        create_registration(actor=users["staff"], outlet=outlet_gd, status="rejected"),
        create_registration(actor=users["staff_bj"], outlet=outlet_bj, status="approved"),
    ]


def workbook_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def same_cell(from_xlsx, from_csv: str) -> bool:
    """A workbook's cell equals the CSV file's text: empty, a day, a number or the text."""
    if from_xlsx is None:
        return from_csv == ""
    if isinstance(from_xlsx, datetime):
        return from_xlsx.date().isoformat() == from_csv
    if isinstance(from_xlsx, int | float):  # a rate of 0.0 reads back as 0
        return float(from_xlsx) == float(from_csv)
    return from_xlsx == from_csv


@pytest.mark.parametrize("table", ["by_day", "by_operator", "by_province", "by_outlet"])
def test_the_workbook_holds_the_rows_of_the_csv_file(client, users, registrations, table):
    sign_in(client, users["inspector"])
    query = "?period=7d&operator=CMCC"
    from_xlsx = workbook_rows(client.get(f"/supervision/export/{table}.xlsx{query}"))
    from_csv = csv_rows(client.get(f"/supervision/export/{table}.csv{query}"))
    assert len(from_xlsx) == len(from_csv) > 1
    for xlsx_row, csv_row in zip(from_xlsx, from_csv, strict=True):
        assert len(xlsx_row) == len(csv_row)
        assert all(map(same_cell, xlsx_row, csv_row)), (xlsx_row, csv_row)


def test_numbers_are_numbers_days_are_dates_and_rates_are_percentages(client, users, registrations):
    sign_in(client, users["inspector"])
    response = client.get("/supervision/export/by_province.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["code", "name", "registrations"]
    assert all(cell.font.bold for cell in sheet[1])
    guangdong = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "440000")
    by_name = dict(zip(header, guangdong, strict=True))
    assert by_name["code"].data_type == "s", "a code stays text (no leading zero lost)"
    assert by_name["registrations"].value == 2 and by_name["registrations"].data_type == "n"
    assert by_name["approval_rate"].value == 0.5
    assert by_name["approval_rate"].number_format == "0.0%"

    days = openpyxl.load_workbook(
        io.BytesIO(client.get("/supervision/export/by_day.xlsx?period=today").content)
    ).active
    (today,) = list(days.iter_rows(min_row=2))
    assert isinstance(today[0].value, datetime) and today[0].number_format == "yyyy-mm-dd"
    assert today[0].value.date() == date.fromisoformat(today[0].value.date().isoformat())
    assert today[1].value == 3


def test_a_name_that_looks_like_a_formula_is_text(client, users, outlet_gd, registrations):
    Outlet.objects.filter(pk=outlet_gd.pk).update(name='=HYPERLINK("http://evil","x")')
    sign_in(client, users["inspector"])
    response = client.get("/supervision/export/by_outlet.xlsx?operator=CMCC&province=440000")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    name = sheet["B2"]
    assert name.data_type == "s", "a string cell, never a formula"
    assert name.value.startswith("'=HYPERLINK"), "and quoted as in the CSV file"
    assert sheet["A2"].value == outlet_gd.pk and sheet["C2"].value == 2


def test_the_xlsx_export_is_audited_with_its_filters_and_format(client, users, registrations):
    sign_in(client, users["inspector"])
    client.get("/supervision/export/by_operator.xlsx?operator=CMCC")
    client.get("/supervision/export/by_operator.csv?operator=CMCC")
    events = AuditEvent.objects.filter(action=Action.EXPORTED).order_by("pk")
    assert [e.changes["format"][1] for e in events] == ["xlsx", "csv"]
    first = events.first()
    assert (first.object_type, first.object_id) == ("supervision_summary", "by_operator")
    assert str(first.actor_id) == str(users["inspector"].pk)
    assert "operator=CMCC" in first.changes["filters"][1]
    assert first.changes["rows"][1] == 1


def test_a_provincial_inspectors_workbook_holds_guangdong_only(client, users, registrations):
    sign_in(client, users["inspector_gd"])
    rows = workbook_rows(client.get("/supervision/export/by_province.xlsx"))
    assert [row[0] for row in rows[1:]] == ["440000"]
    assert client.get("/supervision/export/by_province.xlsx?province=110000").status_code == 404


def test_bad_requests_are_4xx_and_outlet_staff_get_nothing(client, users):
    sign_in(client, users["inspector"])
    assert client.get("/supervision/export/secrets.xlsx").status_code == 404
    response = client.get("/supervision/export/by_day.xlsx?period=custom&first=2026-02-30")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=Action.EXPORTED).exists()
    sign_in(client, users["staff"])
    assert client.get("/supervision/export/by_day.xlsx").status_code == 403


def test_every_table_on_the_page_links_both_formats(client, users, registrations):
    sign_in(client, users["inspector"])
    html = client.get("/supervision/?operator=CMCC").content.decode()
    for table in ["by_day", "reasons", "by_operator", "by_province", "by_outlet"]:
        assert f"/supervision/export/{table}.csv?" in html, table
        assert f"/supervision/export/{table}.xlsx?" in html, table
