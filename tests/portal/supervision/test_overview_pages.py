"""The overview pages: period and filters, tiles, tables and charts, drill-down, CSV exports."""

import csv
import io
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from registrations.models import Outlet
from tests.factories import create_registration, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_registrations(users, outlet_gd, outlet_bj):
    return [
        create_registration(actor=users["staff"], outlet=outlet_gd, status="approved"),
        create_registration(actor=users["staff"], outlet=outlet_gd, status="rejected"),
        create_registration(actor=users["staff_bj"], outlet=outlet_bj, status="approved"),
    ]


def open_page(client, user, path="/supervision/"):
    sign_in(client, user)
    return client.get(path)


def rows_of(response, table: str) -> list[dict]:
    return response.context["figures"][table]


def test_an_inspector_opens_the_overview_with_tiles_tables_and_chart_data(
    client, users, today_registrations
):
    response = open_page(client, users["inspector"])
    assert response.status_code == 200
    html = response.content.decode()
    tiles = {tile["label"]: tile["value"] for tile in response.context["tiles"]}
    assert tiles["Registrations"] == "3"
    assert tiles["Approval rate"] == "66.7 %"
    assert 'href="/supervision/"' in html, "the navigation links the overview"
    assert 'id="overview-data" type="application/json"' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html


def test_the_page_runs_no_inline_script(client, users, today_registrations):
    html = open_page(client, users["inspector"]).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


@pytest.mark.parametrize(
    ("query", "days"),
    [("period=today", 1), ("period=7d", 7), ("", 30), ("period=30d", 30)],
)
def test_the_period_selector_ends_today(client, users, query, days):
    response = open_page(client, users["inspector"], f"/supervision/?{query}")
    period = response.context["filters"].period
    assert period.last == timezone.localdate()
    assert period.days == days


def test_a_month_and_a_custom_period(client, users):
    response = open_page(client, users["inspector"], "/supervision/?period=month&month=2026-02")
    period = response.context["filters"].period
    assert (period.first, period.last) == (date(2026, 2, 1), date(2026, 2, 28))
    response = client.get("/supervision/?period=custom&first=2026-01-10&last=2026-01-20")
    period = response.context["filters"].period
    assert (period.first, period.last, period.previous().first) == (
        date(2026, 1, 10),
        date(2026, 1, 20),
        date(2025, 12, 30),
    )


def test_a_period_ending_before_it_starts_is_a_400_with_the_reason(client, users):
    response = open_page(
        client, users["inspector"], "/supervision/?period=custom&first=2026-01-20&last=2026-01-10"
    )
    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()


def test_drilling_from_the_nation_to_a_staff_member_and_their_registrations(
    client, users, outlet_gd, today_registrations
):
    page = open_page(client, users["inspector"])
    (cmcc,) = rows_of(page, "by_operator")
    page = client.get(cmcc["link"])
    assert page.context["filters"].operator.code == "CMCC"
    guangdong = next(row for row in rows_of(page, "by_province") if row["code"] == "440000")
    page = client.get(guangdong["link"])
    (outlet,) = rows_of(page, "by_outlet")
    assert (outlet["outlet_id"], outlet["registrations"]) == (outlet_gd.pk, 2)
    page = client.get(outlet["link"])
    (staff,) = rows_of(page, "by_staff")
    assert (staff["staff_id"], staff["registrations"]) == (users["staff"].pk, 2)
    assert [label for label, _ in page.context["trail"]][:2] == ["Nation", "China Mobile"]

    listing = client.get(staff["registrations_link"])
    query = parse_qs(urlparse(staff["registrations_link"]).query)
    assert query["outlet"] == [str(outlet_gd.pk)] and "created_from" in query
    assert {r.pk for r in listing.context["page"]} == {r.pk for r in today_registrations[:2]}


def test_a_staff_member_s_registrations_are_theirs_alone(
    client, users, outlet_gd, today_registrations
):
    from portal.accounts.roles import Role
    from portal.accounts.services import user_create

    colleague = user_create(
        username="staff_gd_colleague", password="x-pass-1234-5678", role=Role.OUTLET_STAFF,
        operator=outlet_gd.operator, outlets=[outlet_gd], full_name="Colleague",
    )  # fmt: skip
    theirs = create_registration(actor=colleague, outlet=outlet_gd, status="approved")
    page = open_page(client, users["inspector"], f"/supervision/?outlet={outlet_gd.pk}")
    links = {row["staff_id"]: row["registrations_link"] for row in rows_of(page, "by_staff")}
    assert set(links) == {users["staff"].pk, colleague.pk}

    listing = client.get(links[colleague.pk])
    assert [r.pk for r in listing.context["page"]] == [theirs.pk]
    assert listing.context["staff_member"] == colleague
    assert "Created by Colleague" in listing.content.decode()
    listing = client.get(links[users["staff"].pk])
    assert {r.pk for r in listing.context["page"]} == {r.pk for r in today_registrations[:2]}


def test_a_staff_filter_outside_the_scope_names_no_one(client, users, today_registrations):
    beijing_staff = users["staff_bj"]
    sign_in(client, users["inspector_gd"])
    listing = client.get(f"/registrations/?staff={beijing_staff.pk}")
    assert listing.status_code == 200
    assert list(listing.context["page"]) == []
    assert listing.context["staff_member"] is None
    assert beijing_staff.username not in listing.content.decode()


def test_a_carrier_admin_sees_their_operator_on_the_operator_dashboard(
    client, users, outlet_cucc_gd, today_registrations
):
    response = open_page(client, users["carrier_admin_cucc"], "/operator/dashboard/")
    assert response.status_code == 200
    assert response.context["figures"]["registrations"] == 0
    response = client.get("/operator/dashboard/?operator=CMCC")
    assert response.status_code == 404


def test_a_provincial_inspector_sees_guangdong_only(client, users, today_registrations):
    response = open_page(client, users["inspector_gd"])
    assert [row["code"] for row in rows_of(response, "by_province")] == ["440000"]
    assert client.get("/supervision/?province=110000").status_code == 404


def test_each_table_exports_as_csv_and_the_export_is_audited(
    client, users, outlet_gd, today_registrations
):
    Outlet.objects.filter(pk=outlet_gd.pk).update(name="=HYPERLINK(1)")
    sign_in(client, users["inspector"])
    response = client.get("/supervision/export/by_outlet.csv?operator=CMCC&province=440000")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["outlet_id", "name", "registrations"]
    assert rows[1][1].startswith("'=HYPERLINK"), "a name never runs as a formula"
    assert rows[1][2] == "2"
    event = AuditEvent.objects.filter(action=Action.EXPORTED).get()
    assert event.object_id == "by_outlet"
    assert "operator=CMCC" in event.changes["filters"][1]

    day = client.get("/supervision/export/by_day.csv?period=7d")
    assert len(list(csv.reader(io.StringIO(day.content.decode())))) == 1 + 7
    assert client.get("/supervision/export/secrets.csv").status_code == 404


def test_an_export_with_a_bad_period_is_a_400(client, users):
    sign_in(client, users["inspector"])
    response = client.get("/supervision/export/by_day.csv?period=custom&first=2026-02-30")
    assert response.status_code == 400


def test_outlet_staff_see_no_overview(client, users):
    sign_in(client, users["staff"])
    for path in ["/supervision/", "/operator/dashboard/", "/supervision/export/by_day.csv"]:
        assert client.get(path).status_code == 403, path


def test_yesterdays_registrations_are_not_in_today(client, users, today_registrations):
    response = open_page(client, users["inspector"], "/supervision/?period=today")
    assert response.context["figures"]["registrations"] == 3
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.get(f"/supervision/?from={yesterday}&to={yesterday}")
    assert response.context["figures"]["registrations"] == 0
