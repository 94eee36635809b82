"""Carrier and ministry admins at work in a real browser, and the trail they leave."""

import pytest

from portal.audit.models import AuditEvent
from tests.e2e.test_registration_pages import sign_in

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_a_carrier_admin_opens_a_staff_account_that_can_then_sign_in(
    page, live_server, users, outlet_gd, outlet_bj, screenshot
):
    sign_in(page, live_server, "carrier_admin_cmcc")
    page.get_by_role("link", name="Staff").click()
    page.goto(f"{live_server.url}/operator/staff/new/")
    page.fill("#id_username", "staff_new_counter")
    page.fill("#id_full_name", "林晓")
    page.fill("#id_password", "Counter-window-7781")
    page.fill("#id_password_again", "Counter-window-7781")
    page.get_by_label(outlet_bj.name, exact=False).check()
    screenshot("new-staff-form")
    page.click("button:has-text('Create the account')")
    page.wait_for_selector("text=Account staff_new_counter created.")
    screenshot("staff-list")

    page.click("button:has-text('Sign out')")
    page.fill("#id_username", "staff_new_counter")
    page.fill("#id_password", "Counter-window-7781")
    page.click("button:has-text('Sign in')")
    screenshot("new-account-signed-in")
    # Outlet staff start on their registrations; the new account's form offers its outlet.
    page.get_by_role("link", name="New registration").first.click()
    options = page.locator("#id_outlet option").all_inner_texts()
    assert options == [str(outlet_bj)]
    created = AuditEvent.objects.get(action="user.created", actor_label="carrier_admin_cmcc")
    assert created.changes["scope"] == [None, outlet_bj.code]


def test_the_ministry_admin_changes_the_cap_and_finds_it_in_the_audit_trail(
    page, live_server, users, screenshot
):
    sign_in(page, live_server, "ministry_admin")
    page.get_by_role("link", name="Registration policy").click()
    page.fill("#id_cap_per_operator", "0")
    page.click("button:has-text('Save the policy')")
    assert page.locator("#id_cap_per_operator_error").is_visible()
    page.fill("#id_cap_per_operator", "3")
    page.click("button:has-text('Save the policy')")
    page.wait_for_selector("text=The cap is now 3 numbers per ID per operator.")

    page.get_by_role("link", name="Audit trail").click()
    page.select_option("#id_action", "policy.changed")
    page.click("button:has-text('Filter')")
    page.wait_for_selector("text=1 event.")
    assert "cap_per_operator: 5 → 3" in page.locator("table.data tbody").inner_text()
    screenshot("audit-trail")
