"""Outlet staff and inspectors use the registration pages in a real browser."""

from datetime import date

import pytest

from portal.lib.masking import mask_id_number
from registrations import rules
from registrations.models import Registration
from tests.e2e.conftest import sign_in_through_the_pages
from tests.factories import create_registration

pytestmark = [pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    sign_in_through_the_pages(page, live_server, username)


def test_outlet_staff_fix_their_mistakes_and_save_a_registration(
    page, live_server, users, outlet_gd, screenshot
):
    sign_in(page, live_server, "staff_gd")
    page.get_by_role("link", name="New registration").first.click()
    screenshot("empty-form")

    good_id = rules.make_resident_id(area_code="440103", birth_date=date(1988, 5, 17), sequence=41)
    page.fill("#id_id_number", good_id[:-1] + ("0" if good_id[-1] != "0" else "1"))
    page.fill("#id_full_name", "Chen Jing")
    page.fill("#id_msisdn", "1234")
    page.fill("#id_iccid", rules.make_iccid(body="898600123456789012"))
    page.click("button:has-text('Save registration')")

    assert page.locator("#id_id_number_error").is_visible()
    assert "check it was typed correctly" in page.locator("#id_id_number_error").inner_text()
    assert page.locator("#id_msisdn_error").is_visible()
    assert page.input_value("#id_full_name") == "Chen Jing", "what was typed is kept"
    screenshot("field-errors")

    page.fill("#id_id_number", good_id)
    # The number holds the date of birth and the sex: shown as it is typed, not asked for.
    derived = page.locator("[data-derived]")
    assert derived.inner_text() == "Date of birth: 1988-05-17 · Sex: Male"
    assert not page.locator("#id_birth_date").is_visible()
    page.select_option("#id_id_type", "passport")
    assert page.locator("#id_birth_date").is_visible(), "a passport's date is typed"
    assert not derived.is_visible()
    page.select_option("#id_id_type", "resident_id")
    page.fill("#id_msisdn", "138 0013 8000")
    page.click("button:has-text('Save registration')")

    page.wait_for_selector("text=Registration saved as a draft. Next: the ID portrait.")
    assert page.get_by_role("button", name="Upload portrait").is_visible()
    screenshot("saved-draft-portrait-next")

    registration = Registration.objects.get()
    assert registration.status == "draft", "outlet drafts are submitted by the capture upload"
    assert registration.subscriber.id_number == good_id
    assert registration.subscriber.birth_date == date(1988, 5, 17)

    page.get_by_role("link", name="Back to the registration").click()
    assert mask_id_number(good_id) in page.content()
    assert good_id not in page.content(), "the full ID number is never shown"
    screenshot("draft-detail")


def test_an_inspector_of_one_province_sees_only_it_and_can_filter(
    page, live_server, users, outlet_gd, outlet_bj, screenshot
):
    create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    create_registration(actor=users["staff"], outlet=outlet_gd, status="rejected")
    create_registration(actor=users["staff_bj"], outlet=outlet_bj, status="approved")

    sign_in(page, live_server, "inspector_gd")
    page.wait_for_selector("text=2 registrations")
    screenshot("list")

    page.select_option("#id_status", "rejected")
    page.click("button:has-text('Filter')")
    page.wait_for_selector("text=1 registration")
    assert page.locator("table.data tbody tr").count() == 1

    page.goto(f"{live_server.url}/registrations/?page=abc&created_from=not-a-date")
    assert page.locator("text=Enter a valid date.").is_visible()
    screenshot("bad-query")
