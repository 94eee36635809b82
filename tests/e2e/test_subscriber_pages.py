"""The subscriber's side in a real browser, with a real worker sending the SMS: sign in with
the code read from the SMS file, see two numbers at two operators, dispute one; the carrier
admin of that operator upholds it; the person sees it cancelled, and sees the inspector's
earlier look at their evidence with its purpose."""

import json
import re

import pytest

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from tests.e2e.conftest import sign_in_through_the_pages
from tests.factories import PASSWORD, create_registration, subscriber_details
from tests.workers import require_worker_setup, running_worker, wait_for
from verification.services import viewing_grant_open

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PURPOSE = "Checking a report of an ID used without its holder's knowledge"


def code_in(sms_file, to: str) -> str | None:
    """The last sign-in code the worker wrote to the SMS file for ``to``, as a phone shows."""
    if not sms_file.exists():
        return None
    messages = [json.loads(line) for line in sms_file.read_text().splitlines() if line]
    codes = [m["text"] for m in messages if m["to"] == to and m["kind"] == "sign_in_code"]
    return re.search(r"\d{6}", codes[-1]).group(0) if codes else None


def test_a_subscriber_disputes_a_number_and_the_operator_upholds_it(
    browser, live_server, users, outlet_gd, outlet_cucc_gd, settings, tmp_path, screenshot
):
    require_worker_setup()
    sms_file = tmp_path / "sms.jsonl"
    settings.SMS_BACKEND, settings.SMS_FILE_PATH = "file", str(sms_file)
    person = subscriber_details(number=555, name="Zhou Xiaomei")
    staff_cucc = user_create(
        username="staff_cucc", password=PASSWORD, role=Role.OUTLET_STAFF,
        operator=outlet_cucc_gd.operator, outlets=[outlet_cucc_gd],
    )  # fmt: skip
    create_registration(
        actor=users["staff"], outlet=outlet_gd, subscriber=person, msisdn="13800138555",
        status="approved",
    )  # fmt: skip
    unicom = create_registration(
        actor=staff_cucc, outlet=outlet_cucc_gd, subscriber=person, msisdn="18600186555",
        status="approved",
    )  # fmt: skip
    viewing_grant_open(registration=unicom, viewer=users["inspector"], reason=PURPOSE)

    with running_worker(tmp_path, SMS_BACKEND="file", SMS_FILE_PATH=str(sms_file)):
        me = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        me.set_default_timeout(15_000)
        me.goto(f"{live_server.url}/me/")
        me.fill("#id_id_number", person.id_number)
        me.fill("#id_full_name", "Zhou Xiaomei")
        me.click("button:has-text('Continue')")
        me.get_by_label("138****8555").check()
        screenshot("pick-a-number", me)
        me.click("button:has-text('Send the code')")
        me.wait_for_selector("text=If the details match, a code was sent to 138****8555")
        code = wait_for(lambda: code_in(sms_file, "+8613800138555"), timeout=30)
        me.fill("#id_code", code)
        me.click("main button:has-text('Sign in')")

        me.wait_for_selector("text=2 registrations under your ID, at every operator.")
        page_text = me.inner_text("main")
        assert "*******8555" in page_text and "*******6555" in page_text
        screenshot("my-numbers", me)
        row = me.locator("tr", has_text="*******6555")
        row.get_by_role("link", name="This number is not mine").click()
        me.get_by_label("I did not register this number").check()
        me.fill("#id_contact", "139 0013 9555")
        me.click("button:has-text('Send the dispute')")
        me.wait_for_selector("text=Waiting for the operator")
        screenshot("disputed", me)

        admin = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        admin.set_default_timeout(15_000)
        sign_in_through_the_pages(admin, live_server, "carrier_admin_cucc")
        admin.goto(f"{live_server.url}/operator/disputes/")
        admin.get_by_role("link", name="186 0018 6555").click()
        admin.fill("#id_note", "Confirmed with the outlet: registered with a lost ID card.")
        admin.click("button:has-text('Uphold and cancel the registration')")
        admin.wait_for_selector("text=Dispute upheld: the registration is cancelled.")
        screenshot("upheld", admin)

        me.goto(f"{live_server.url}/me/numbers/")
        row = me.locator("tr", has_text="*******6555")
        assert "Upheld: the registration was cancelled" in row.inner_text()
        assert "Cancelled" in row.inner_text()
        me.goto(f"{live_server.url}/me/access/")
        looks = me.inner_text("main")
        assert PURPOSE in looks
        assert "The ministry (supervision)" in looks
        screenshot("who-looked", me)
