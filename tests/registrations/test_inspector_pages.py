"""The inspectors' outlet and staff pages: within their provinces, read-only, each row leading
to its registrations."""

import re

import pytest
from guardian.shortcuts import assign_perm

from portal.accounts.permissions import Grant
from tests.factories import create_registration, sign_in

OUTLETS_URL = "/supervision/directory/outlets/"
STAFF_URL = "/supervision/directory/staff/"


@pytest.fixture
def world(db, users, outlet_gd, outlet_bj, outlet_cucc_gd):
    create_registration(actor=users["staff"], outlet=outlet_gd)
    create_registration(actor=users["staff"], outlet=outlet_gd)
    create_registration(actor=users["staff_bj"], outlet=outlet_bj)
    return users


def _codes(response) -> set[str]:
    return {outlet.code for outlet, _count in response.context["rows"]}


def _usernames(response) -> set[str]:
    return {member.username for member, _outlets in response.context["rows"]}


def test_a_province_inspector_sees_the_outlets_of_their_province_only(client, world):
    sign_in(client, world["inspector_gd"])
    response = client.get(OUTLETS_URL)
    assert response.status_code == 200
    # Both operators' outlets in Guangdong, none in Beijing.
    assert _codes(response) == {"GD-001", "GD-101"}
    assert "BJ-001" not in response.content.decode()


def test_a_nation_wide_inspector_sees_every_outlet(client, world):
    sign_in(client, world["inspector"])
    assert _codes(client.get(OUTLETS_URL)) == {"GD-001", "GD-101", "BJ-001"}


def test_each_outlet_shows_its_operator_province_status_and_registrations(client, world, outlet_gd):
    sign_in(client, world["inspector_gd"])
    response = client.get(OUTLETS_URL)
    counts = {outlet.code: count for outlet, count in response.context["rows"]}
    assert counts == {"GD-001": 2, "GD-101": 0}
    html = response.content.decode()
    assert "CMCC" in html and "Guangdong" in html and "Active" in html
    # The count leads to the registration list filtered to the outlet, which the inspector
    # may open: it lists that outlet's registrations.
    link = f"/registrations/?outlet={outlet_gd.pk}"
    assert f'href="{link}"' in html
    listed = client.get(link)
    assert listed.status_code == 200
    assert {r.outlet_id for r in listed.context["page"]} == {outlet_gd.pk}
    assert listed.context["page"].count == 2


def test_a_province_inspector_sees_the_staff_of_their_provinces_outlets_only(client, world):
    sign_in(client, world["inspector_gd"])
    response = client.get(STAFF_URL)
    assert response.status_code == 200
    assert _usernames(response) == {"staff_gd"}
    sign_in(client, world["inspector"])
    assert _usernames(client.get(STAFF_URL)) == {"staff_gd", "staff_bj"}


def test_a_member_shows_only_the_outlets_in_the_inspectors_scope(client, world, outlet_bj):
    # staff_gd also works in Beijing: Guangdong's inspector sees the Guangdong outlet only.
    assign_perm(Grant.WORK_AT_OUTLET, world["staff"], outlet_bj)
    sign_in(client, world["inspector_gd"])
    rows = dict(client.get(STAFF_URL).context["rows"])
    assert [outlet.code for outlet in rows[world["staff"]]] == ["GD-001"]
    sign_in(client, world["inspector"])
    rows = dict(client.get(STAFF_URL).context["rows"])
    assert sorted(outlet.code for outlet in rows[world["staff"]]) == ["BJ-001", "GD-001"]


def test_a_member_shows_whether_active_and_the_last_sign_in(client, world):
    sign_in(client, world["staff"])  # sets last_login
    sign_in(client, world["inspector_gd"])
    html = client.get(STAFF_URL).content.decode()
    world["staff"].refresh_from_db()
    assert world["staff"].last_login is not None
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", html)
    assert "Active" in html
    assert f'href="/registrations/?staff={world["staff"].pk}"' in html


@pytest.mark.parametrize("url", [OUTLETS_URL, STAFF_URL])
def test_the_pages_are_read_only(client, world, url):
    sign_in(client, world["inspector_gd"])
    html = client.get(url).content.decode()
    main = html[html.index("<main") :] if "<main" in html else html
    # No form to change anything, no link to the carrier admin's editing pages.
    assert not re.search(r'<form[^>]*method="post"', main.split("</main>")[0], re.IGNORECASE)
    assert "/operator/outlets/" not in html and "/operator/staff/" not in html
    assert client.post(url, {"status": "suspended"}).status_code == 405


@pytest.mark.parametrize("role", ["carrier_admin", "staff", "ministry_admin"])
def test_the_pages_are_for_inspectors(client, world, role):
    sign_in(client, world[role])
    assert client.get(OUTLETS_URL).status_code == 403
    assert client.get(STAFF_URL).status_code == 403


def test_the_navigation_leads_inspectors_to_them(client, world):
    sign_in(client, world["inspector_gd"])
    links = [url for _label, url in client.get("/registrations/").context["nav_links"]]
    assert OUTLETS_URL in links and STAFF_URL in links
    sign_in(client, world["carrier_admin"])
    links = [url for _label, url in client.get("/registrations/").context["nav_links"]]
    assert OUTLETS_URL not in links and "/operator/outlets/" in links
