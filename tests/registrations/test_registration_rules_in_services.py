"""The rules as the services apply them: field errors, the number, the cap."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from registrations import services
from registrations.errors import RegistrationError
from registrations.models import Registration, Subscriber
from tests.factories import create_registration, next_iccid, next_msisdn, subscriber_details

pytestmark = pytest.mark.django_db


def create(users, outlet, **overrides):
    arguments = {
        "actor": users["staff"],
        "subscriber": subscriber_details(),
        "operator": outlet.operator,
        "outlet": outlet,
        "msisdn": next_msisdn(),
        "iccid": next_iccid(),
    }
    arguments.update(overrides)
    return services.registration_create(**arguments)


def test_it_saves_a_draft_with_the_number_in_e164(users, outlet_gd):
    registration = create(users, outlet_gd, msisdn="138 0013 8000")
    assert registration.status == "draft"
    assert registration.msisdn == "+8613800138000"
    assert registration.province == outlet_gd.province
    assert registration.channel == "outlet"


def test_it_reports_every_broken_field_at_once_and_saves_nothing(users, outlet_gd):
    bad_subscriber = subscriber_details(id_number="440103199001010000")
    with pytest.raises(RegistrationError) as refused:
        create(users, outlet_gd, subscriber=bad_subscriber, msisdn="12345", iccid="1234")
    fields = {v.field for v in refused.value}
    assert {"id_number", "msisdn", "iccid"} <= fields
    assert not Registration.objects.exists()
    assert not Subscriber.objects.exists()


def test_it_refuses_an_expired_id(users, outlet_gd):
    expired = subscriber_details(id_expiry=date.today() - timedelta(days=2))
    with pytest.raises(RegistrationError) as refused:
        create(users, outlet_gd, subscriber=expired)
    assert "id_expired" in refused.value.reasons


def test_it_refuses_a_known_id_under_another_name(users, outlet_gd):
    create(users, outlet_gd, subscriber=subscriber_details(number=7, name="Li Lei"))
    with pytest.raises(RegistrationError) as refused:
        create(users, outlet_gd, subscriber=subscriber_details(number=7, name="Han Meimei"))
    assert refused.value.reasons == ["name_mismatch"]


def test_it_refuses_an_outlet_of_another_operator(users, outlet_gd, cucc):
    with pytest.raises(RegistrationError) as refused:
        create(users, outlet_gd, operator=cucc)
    assert refused.value.reasons == ["outlet_unavailable"]


def test_it_refuses_a_suspended_outlet(users, outlet_gd):
    outlet_gd.status = "suspended"
    outlet_gd.save()
    with pytest.raises(RegistrationError) as refused:
        create(users, outlet_gd)
    assert refused.value.reasons == ["outlet_unavailable"]


def test_it_holds_the_cap_per_id_per_operator(users, outlet_gd, outlet_cucc_gd, settings):
    settings.REGISTRATION_CAP_PER_OPERATOR = 2
    person = subscriber_details(number=11)
    for _ in range(2):
        create_registration(
            actor=users["staff"], outlet=outlet_gd, subscriber=person, status="approved"
        )
    with pytest.raises(RegistrationError) as refused:
        create_registration(actor=users["staff"], outlet=outlet_gd, subscriber=person)
    assert refused.value.reasons == ["cap_reached"]
    # Another operator has its own cap.
    other = create_registration(
        actor=users["staff"], outlet=outlet_cucc_gd, subscriber=person, status="submitted"
    )
    assert other.status == "submitted"


def test_it_checks_the_cap_again_on_submission(users, outlet_gd, settings):
    settings.REGISTRATION_CAP_PER_OPERATOR = 1
    person = subscriber_details(number=12)
    first = create_registration(actor=users["staff"], outlet=outlet_gd, subscriber=person)
    second = create_registration(actor=users["staff"], outlet=outlet_gd, subscriber=person)
    services.registration_submit(registration=first, actor=users["staff"], with_capture=True)
    with pytest.raises(RegistrationError) as refused:
        services.registration_submit(registration=second, actor=users["staff"], with_capture=True)
    assert refused.value.reasons == ["cap_reached"]
    second.refresh_from_db()
    assert second.status == "draft"


def test_it_takes_the_cap_from_the_ministry_policy(users, outlet_gd):
    services.registration_policy_update(actor=users["ministry_admin"], cap_per_operator=1)
    assert services.registration_cap() == 1
    person = subscriber_details(number=13)
    create_registration(
        actor=users["staff"], outlet=outlet_gd, subscriber=person, status="submitted"
    )
    with pytest.raises(RegistrationError):
        create_registration(actor=users["staff"], outlet=outlet_gd, subscriber=person)


def test_it_refuses_a_number_already_held_when_submitting(users, outlet_gd):
    draft_a = create_registration(actor=users["staff"], outlet=outlet_gd, msisdn="13900001111")
    draft_b = create_registration(actor=users["staff"], outlet=outlet_gd, msisdn="13900001111")
    services.registration_submit(registration=draft_a, actor=users["staff"], with_capture=True)
    with pytest.raises(RegistrationError) as refused:
        services.registration_submit(registration=draft_b, actor=users["staff"], with_capture=True)
    assert refused.value.reasons == ["msisdn_in_use"]


def test_the_database_refuses_a_second_active_registration_of_a_number(users, outlet_gd):
    held = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    other = create_registration(actor=users["staff"], outlet=outlet_gd)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=other.pk).update(msisdn=held.msisdn, status="approved")


@pytest.mark.parametrize(
    ("field", "value"),
    [("msisdn", "+8612345678901"), ("iccid", "1234567890123456789"), ("channel", "online")],
)
def test_the_database_refuses_rows_that_break_the_format_rules(users, outlet_gd, field, value):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(**{field: value})


def test_an_online_registration_takes_the_subscribers_province(users, cmcc):
    registration = services.registration_create(
        actor=users["partner"],
        subscriber=subscriber_details(),
        operator=cmcc,
        msisdn=next_msisdn(),
        iccid=next_iccid(),
    )
    assert registration.channel == "online"
    assert registration.outlet is None
    assert registration.province_id == "440000"  # the ID was issued in area 440103
