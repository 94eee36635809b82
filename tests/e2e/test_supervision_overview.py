"""An inspector reads the supervision overview in a real browser: changes the period, then
drills from the nation to an operator, a province, an outlet, a staff member and the
registrations behind the number."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import sign_in_through_the_pages
from tests.factories import create_registration
from tests.portal.supervision.test_rollups import clock

pytestmark = [pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def registrations(users, outlet_gd, outlet_bj):
    """Through the real services, so the rollups hold them: two Guangdong approvals 20 days
    ago; today two in Guangdong (an approval, a rejection) and one approval in Beijing."""
    with clock(timezone.now() - timedelta(days=20)):
        earlier = [
            create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
            for _ in range(2)
        ]
    today_gd = [
        create_registration(actor=users["staff"], outlet=outlet_gd, status="approved"),
        create_registration(actor=users["staff"], outlet=outlet_gd, status="rejected"),
    ]
    today_bj = [create_registration(actor=users["staff_bj"], outlet=outlet_bj, status="approved")]
    return {"earlier": earlier, "today_gd": today_gd, "today_bj": today_bj}


def tiles(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.overview-tile')].map(
            t => [t.querySelector('.overview-tile-label').textContent.trim(),
                  t.querySelector('.overview-tile-value').textContent.trim()]))"""
    )


def show(page) -> None:
    with page.expect_navigation():
        page.click(".overview-filters button:has-text('Show')")


def table_row(page, table: str, link_selector: str):
    return page.locator(f"section[aria-labelledby='{table}-title'] tbody tr").filter(
        has=page.locator(link_selector)
    )


def test_an_inspector_changes_the_period_and_drills_down_to_the_registrations(
    page, live_server, users, outlet_gd, outlet_bj, registrations, screenshot
):
    page.set_viewport_size(WIDE)
    sign_in_through_the_pages(page, live_server, "inspector")
    page.goto(f"{live_server.url}/supervision/")
    assert page.input_value("#id_period") == "30d", "30 days unless another period is chosen"
    assert tiles(page)["Registrations"] == "5"
    screenshot("overview-30-days-1366")

    page.select_option("#id_period", "7d")
    show(page)
    assert "period=7d" in page.url
    assert tiles(page)["Registrations"] == "3", "the registrations of 20 days ago drop out"
    assert tiles(page)["Approval rate"] == "66.7 %"
    today = timezone.localdate()
    assert page.input_value("#id_first") == (today - timedelta(days=6)).isoformat()
    screenshot("overview-7-days-1366")

    twenty_days_ago = today - timedelta(days=20)
    page.select_option("#id_period", "custom")
    page.fill("#id_first", (twenty_days_ago - timedelta(days=1)).isoformat())
    page.fill("#id_last", (twenty_days_ago + timedelta(days=1)).isoformat())
    show(page)
    assert tiles(page)["Registrations"] == "2", "only the two of 20 days ago"
    assert tiles(page)["Approval rate"] == "100.0 %"
    screenshot("overview-custom-range-1366")

    page.set_viewport_size(PHONE)
    page.select_option("#id_period", "30d")
    show(page)
    assert tiles(page)["Registrations"] == "5"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scroll"
    screenshot("overview-30-days-390")
    page.set_viewport_size(WIDE)

    # Nation -> operator.
    operator_link = "a[href*='operator=CMCC']"
    cmcc_row = table_row(page, "by_operator", operator_link)
    assert cmcc_row.locator("td").first.inner_text() == "5"
    cmcc_row.locator(operator_link).click()
    page.wait_for_url("**operator=CMCC**")
    assert "China Mobile" in page.locator(".overview-trail").inner_text()

    # -> province.
    province_link = "a[href*='province=440000']"
    guangdong_row = table_row(page, "by_province", province_link)
    assert guangdong_row.locator("td").first.inner_text() == "4"
    guangdong_row.locator(province_link).click()
    page.wait_for_url("**province=440000**")
    assert tiles(page)["Registrations"] == "4"

    # -> outlet.
    outlet_link = f"th a[href*='outlet={outlet_gd.pk}']"
    outlet_row = table_row(page, "by_outlet", outlet_link)
    assert outlet_row.locator("td").first.inner_text() == "4"
    assert page.locator(f"a[href*='outlet={outlet_bj.pk}']").count() == 0, "Beijing is not here"
    outlet_row.locator(outlet_link).click()
    page.wait_for_url(f"**outlet={outlet_gd.pk}**")
    trail = page.locator(".overview-trail").inner_text()
    assert outlet_gd.name in trail
    screenshot("overview-outlet-1366")

    # -> staff member -> the registrations behind the number.
    staff = users["staff"]
    staff_row = page.locator("section[aria-labelledby='by_staff-title'] tbody tr")
    assert staff_row.count() == 1
    assert (staff.get_full_name() or staff.username) in staff_row.locator("th").text_content()
    assert staff_row.locator("td").first.inner_text() == "4"
    staff_row.locator("th a").click()
    page.wait_for_url(f"**staff={staff.pk}**")
    trail = page.locator(".overview-trail").inner_text()
    assert (staff.get_full_name() or staff.username) in trail
    assert page.locator(".tile, .overview-tile").first.is_visible()
    screenshot("overview-staff-1366")
    page.locator("section[aria-labelledby='by_staff-title'] tbody tr td a").first.click()
    page.wait_for_url("**/registrations/**")
    assert f"outlet={outlet_gd.pk}" in page.url
    listed = page.locator("table tbody tr td:first-child").all_inner_texts()  # the number
    expected = registrations["earlier"] + registrations["today_gd"]
    assert sorted(listed) == sorted(r.msisdn_display for r in expected)
    assert registrations["today_bj"][0].msisdn_display not in page.content()
    screenshot("registrations-behind-the-number-1366")
