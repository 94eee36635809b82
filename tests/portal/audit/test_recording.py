"""What goes into the trail: sign-ins, registrations, settings, accounts, exports; masked."""

import json

import pytest

from portal.audit.models import AuditEvent
from registrations import services
from registrations.errors import RegistrationCode, RegistrationError
from tests.factories import PASSWORD, create_registration, sign_in, subscriber_details

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


def test_sign_in_failed_sign_in_and_sign_out_are_recorded(client, users):
    AuditEvent.objects.all()  # the fixture's account creations come first
    before = AuditEvent.objects.count()
    client.post("/accounts/login/", {"username": "staff_gd", "password": "wrong"},
                HTTP_USER_AGENT="Counter PC 3", REMOTE_ADDR="10.1.2.3")  # fmt: skip
    client.post("/accounts/login/", {"username": "staff_gd", "password": PASSWORD})
    client.post("/accounts/logout/")
    events = list(AuditEvent.objects.order_by("sequence")[before:])
    assert [e.action for e in events] == ["auth.login_failed", "auth.login", "auth.logout"]
    failed = events[0]
    assert failed.actor_label == "staff_gd"
    assert failed.actor_type == "anonymous"
    assert failed.user_agent == "Counter PC 3"
    assert failed.ip_address == "10.1.2.3"
    assert len(failed.request_id) == 32
    assert "wrong" not in json.dumps(failed.changes)
    assert events[1].actor_role == "outlet_staff"


def test_a_registration_leaves_one_event_per_step(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    services.registration_review(
        registration=registration, reviewer=users["carrier_admin"], approve=True,
        note="ID checked at the counter",
    )  # fmt: skip
    events = AuditEvent.objects.filter(object_type="registration", object_id=str(registration.pk))
    assert list(events.order_by("sequence").values_list("action", flat=True)) == [
        "registration.created",
        "registration.submitted",
        "registration.verifying",
        "registration.decided",
        "registration.reviewed",
    ]
    reviewed = events.get(action="registration.reviewed")
    assert reviewed.changes == {"status": ["review", "approved"]}
    assert reviewed.reason == "ID checked at the counter"
    assert reviewed.actor_label == "carrier_admin_cmcc"
    assert reviewed.operator_id == outlet_gd.operator_id
    assert reviewed.province_code == "440000"


def test_a_refused_transition_leaves_no_event(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    count = AuditEvent.objects.count()
    with pytest.raises(RegistrationError) as refused:
        services.registration_cancel(registration=registration, actor=users["staff"])
    assert refused.value.reasons == [RegistrationCode.INVALID_TRANSITION]
    assert AuditEvent.objects.count() == count


def test_rule_settings_accounts_and_outlets_are_recorded(users, outlet_gd, guangdong):
    services.registration_policy_update(actor=users["ministry_admin"], cap_per_operator=3)
    policy = AuditEvent.objects.get(action="policy.changed")
    assert policy.changes == {"cap_per_operator": [5, 3]}
    assert policy.actor_label == "ministry_admin"

    created = AuditEvent.objects.get(action="user.created", object_id=str(users["staff"].pk))
    assert created.changes["role"] == [None, "outlet_staff"]
    assert created.changes["scope"] == [None, "GD-001"]
    assert created.operator_id == users["staff"].operator_id

    services.outlet_update(
        actor=users["carrier_admin"], outlet=outlet_gd, code="GD-001", name="Tianhe Road",
        address=outlet_gd.address, province=guangdong, opening_hours="10:00-22:00",
        status="suspended",
    )  # fmt: skip
    changed = AuditEvent.objects.get(action="outlet.changed")
    assert changed.changes == {
        "name": ["CMCC GD-001", "Tianhe Road"],
        "opening_hours": ["09:00-21:00", "10:00-22:00"],
        "status": ["active", "suspended"],
    }


def test_no_full_id_number_name_or_file_content_in_any_event(users, outlet_gd, client):
    person = subscriber_details(number=321, name="欧阳娜娜")
    registration = create_registration(
        actor=users["staff"], outlet=outlet_gd, subscriber=person, status="approved"
    )
    sign_in(client, users["inspector"])
    client.get("/audit/export.csv")
    dump = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    assert person.id_number not in dump
    assert "欧阳娜娜" not in dump
    assert registration.msisdn not in dump
    assert registration.iccid not in dump
    created = AuditEvent.objects.get(action="registration.created")
    assert created.changes["id_number"] == [None, person.id_number[:6] + "********"
                                            + person.id_number[-4:]]  # fmt: skip
    assert created.changes["full_name"] == [None, "欧**"]  # fixed length


def test_binary_content_never_enters_an_event(users):
    from django.db import transaction

    from portal.audit.actions import Action
    from portal.audit.services import audit_record

    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 32
    with transaction.atomic():
        event = audit_record(
            action=Action.EVIDENCE_VIEWED,
            object_type="evidence",
            object_id="1",
            reason="review",
            changes={"portrait": (None, jpeg)},
        )
    event.refresh_from_db()
    assert event.changes == {"portrait": [None, "<binary content omitted>"]}


def test_a_change_in_the_admin_site_is_recorded(client, users):
    sign_in(client, users["ministry_admin"])
    response = client.post(
        "/admin/registrations/registrationpolicy/add/", {"cap_per_operator": "4"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="policy.changed")
    assert event.actor_label == "ministry_admin"
    assert event.changes["cap_per_operator"] == [None, 4]
    assert services.registration_cap() == 4
