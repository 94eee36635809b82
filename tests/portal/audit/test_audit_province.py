"""Events a province's inspectors should read carry the province (sign-ins of staff working
there, changes of their outlets), and the audit export reads in local time with JSON changes."""

import csv
import io
import json
from datetime import UTC, datetime
from unittest.mock import patch

import pytest
from django.db import transaction

from portal.accounts.roles import Role
from portal.accounts.services import staff_outlets_set, user_create
from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from registrations.services import outlet_update
from tests.factories import make_outlet, sign_in

pytestmark = pytest.mark.django_db

GUANGDONG, BEIJING = "440000", "110000"


@pytest.fixture
def inspector_bj(beijing):
    return user_create(
        username="inspector_bj",
        password="x-pass-1234-5678",
        role=Role.MINISTRY_INSPECTOR,
        provinces=[beijing],
    )


def audit_page_events(client, inspector, **query) -> set[int]:
    sign_in(client, inspector)
    response = client.get("/audit/", {"page": 1, **query})
    assert response.status_code == 200
    return {event.pk for event in response.context["page"]}


def test_a_staff_sign_in_carries_the_province_of_their_outlets(
    client, users, inspector_bj, outlet_gd
):
    sign_in(client, users["staff"])
    sign_in_event = AuditEvent.objects.filter(action="auth.login", actor_label="staff_gd").get()
    assert sign_in_event.province_code == GUANGDONG
    client.logout()
    sign_out = AuditEvent.objects.get(action="auth.logout", actor_label="staff_gd")
    assert sign_out.province_code == GUANGDONG

    assert sign_in_event.pk in audit_page_events(client, users["inspector_gd"], action="auth.login")
    assert sign_in_event.pk not in audit_page_events(client, inspector_bj, action="auth.login")


def test_a_sign_in_of_an_account_without_outlets_carries_no_province(client, users):
    sign_in(client, users["carrier_admin"])
    event = AuditEvent.objects.get(action="auth.login", actor_label="carrier_admin_cmcc")
    assert event.province_code == ""


def test_staff_spread_over_two_provinces_are_left_to_the_nations_inspectors(
    client, users, outlet_gd, outlet_bj
):
    staff_outlets_set(
        actor=users["carrier_admin"], user=users["staff"], outlets=[outlet_gd, outlet_bj]
    )
    change = AuditEvent.objects.get(action="user.scope_changed")
    assert change.province_code == ""
    sign_in(client, users["staff"])
    assert AuditEvent.objects.get(action="auth.login", actor_label="staff_gd").province_code == ""


def test_a_change_of_a_staff_members_outlets_carries_their_province(
    client, users, inspector_bj, cmcc, guangdong, outlet_gd
):
    second_gd = make_outlet(cmcc, guangdong, "GD-002")
    staff_outlets_set(actor=users["carrier_admin"], user=users["staff"], outlets=[second_gd])
    change = AuditEvent.objects.get(action="user.scope_changed")
    assert change.province_code == GUANGDONG
    assert change.pk in audit_page_events(client, users["inspector_gd"])
    assert change.pk not in audit_page_events(client, inspector_bj)


def test_a_change_of_an_outlet_carries_its_province(client, users, inspector_bj, outlet_gd):
    outlet_update(
        actor=users["carrier_admin"],
        outlet=outlet_gd,
        code=outlet_gd.code,
        name="CMCC Tianhe",
        address=outlet_gd.address,
        province=outlet_gd.province,
        opening_hours=outlet_gd.opening_hours,
        status=outlet_gd.status,
    )
    change = AuditEvent.objects.get(action="outlet.changed")
    assert change.province_code == GUANGDONG
    assert change.pk in audit_page_events(client, users["inspector_gd"])
    assert change.pk not in audit_page_events(client, inspector_bj)


def test_the_export_is_in_local_time_with_the_changes_as_json(client, users, outlet_gd):
    # 16:30 UTC is half past midnight the next day in Beijing time (the trail is append-only:
    # the event is recorded at that time, not moved there).
    recorded_at = datetime(2026, 3, 1, 16, 30, 5, tzinfo=UTC)
    with transaction.atomic(), patch("django.utils.timezone.now", return_value=recorded_at):
        event = audit_record(
            action=Action.OUTLET_CHANGED,
            actor=users["carrier_admin"],
            obj=outlet_gd,
            changes={"name": ("旧名", "天河营业厅"), "status": ("active", "suspended")},
        )
    sign_in(client, users["inspector_gd"])
    response = client.get("/audit/export.csv?action=outlet.changed")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    [row] = [row for row in rows if row["sequence"] == str(event.sequence)]
    assert row["occurred_at"] == "2026-03-02 00:30:05"
    assert json.loads(row["changes"]) == {"name": ["旧名", "天河营业厅"],
                                          "status": ["active", "suspended"]}  # fmt: skip
    assert "天河营业厅" in row["changes"], "Chinese as it is, not \\u escapes"
