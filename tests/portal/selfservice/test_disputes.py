"""A subscriber disputes a number registered under their ID; the operator's carrier admin
upholds it (the registration is cancelled, the number freed) or answers; the subscriber sees
the state and the answer; overdue disputes are flagged."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.selfservice.models import Dispute
from registrations.models import Registration
from tests.factories import sign_in

pytestmark = pytest.mark.django_db

NUMBERS = reverse("selfservice:numbers")


def dispute_url(registration) -> str:
    return reverse("selfservice:dispute", args=[registration.pk])


def open_dispute(client, registration, **overrides):
    data = {"reason": "not_mine", "detail": "", "contact": "139 0013 9000", **overrides}
    return client.post(dispute_url(registration), data)


def test_a_subscriber_disputes_a_number_and_the_operator_is_told(signed_in, person):
    response = open_dispute(signed_in, person["cucc"], detail="我从未在联通办理过号码")

    assert response.url == NUMBERS
    dispute = Dispute.objects.get()
    assert dispute.registration == person["cucc"] and dispute.status == "open"
    assert dispute.contact_msisdn == "+8613900139000"
    assert timedelta(days=14, hours=23) < dispute.due_at - dispute.opened_at <= timedelta(days=15)
    event = AuditEvent.objects.get(action=Action.DISPUTE_OPENED)
    assert event.operator_id == person["cucc"].operator_id
    page = signed_in.get(NUMBERS).content.decode()
    assert "Waiting for the operator" in page


def test_another_reason_needs_words_and_a_bad_contact_is_refused(signed_in, person):
    assert open_dispute(signed_in, person["cmcc"], reason="other").status_code == 400
    assert open_dispute(signed_in, person["cmcc"], contact="12345").status_code == 400
    assert not Dispute.objects.exists()


def test_one_open_dispute_per_number(signed_in, person):
    open_dispute(signed_in, person["cmcc"])
    again = open_dispute(signed_in, person["cmcc"])
    assert again.status_code == 400
    assert "already disputed" in again.content.decode()
    assert Dispute.objects.count() == 1


def test_a_subscriber_cannot_dispute_someone_elses_registration(signed_in, person, users):
    from tests.factories import create_registration

    other = create_registration(
        actor=users["staff"], outlet=person["cmcc"].outlet, msisdn="13700137999", status="approved"
    )
    assert signed_in.get(dispute_url(other)).status_code == 404
    assert open_dispute(signed_in, other).status_code == 404


def test_disputing_needs_the_subscriber_session(client, person):
    assert client.get(dispute_url(person["cmcc"])).url == reverse("selfservice:start")


@pytest.fixture
def carrier_cucc(person, users):
    """China Unicom's carrier admin, in a browser of their own."""
    browser = Client()
    sign_in(browser, users["carrier_admin_cucc"])
    return browser


def test_the_carrier_admin_upholds_and_the_number_is_freed(signed_in, person, carrier_cucc):
    open_dispute(signed_in, person["cucc"])
    dispute = Dispute.objects.get()
    listing = carrier_cucc.get(reverse("operator-disputes:list")).content.decode()
    assert "186 0018 6321" in listing

    response = carrier_cucc.post(
        reverse("operator-disputes:uphold", args=[dispute.pk]), {"note": "核实为冒用"}
    )

    assert response.status_code == 302
    dispute.refresh_from_db()
    registration = Registration.objects.get(pk=person["cucc"].pk)
    assert dispute.status == "upheld" and registration.status == "cancelled"
    assert registration.cancellation_reason == "not_the_subscriber"
    assert not Registration.objects.filter(
        msisdn="+8618600186321", status__in=Registration.HOLDING_STATUSES
    ).exists(), "the number is free"
    assert AuditEvent.objects.filter(action=Action.DISPUTE_UPHELD).count() == 1
    page = signed_in.get(NUMBERS).content.decode()
    assert "Upheld: the registration was cancelled" in page


def test_the_carrier_admin_answers_and_the_subscriber_reads_it(signed_in, person, carrier_cucc):
    open_dispute(signed_in, person["cucc"])
    dispute = Dispute.objects.get()
    url = reverse("operator-disputes:answer", args=[dispute.pk])
    assert carrier_cucc.post(url, {"answer": "too short"}).status_code == 400

    answer = "该号码于营业厅由本人持证办理，现场人脸核验通过。"
    assert carrier_cucc.post(url, {"answer": answer}).status_code == 302

    dispute.refresh_from_db()
    assert dispute.status == "answered"
    assert Registration.objects.get(pk=person["cucc"].pk).status == "approved"
    assert answer in signed_in.get(NUMBERS).content.decode()


def test_another_operators_admin_sees_no_dispute_of_this_one(signed_in, person, client, users):
    open_dispute(signed_in, person["cucc"])
    dispute = Dispute.objects.get()
    sign_in(client, users["carrier_admin"])  # China Mobile's

    assert client.get(reverse("operator-disputes:detail", args=[dispute.pk])).status_code == 404
    assert "186 0018 6321" not in client.get(reverse("operator-disputes:list")).content.decode()


def test_a_decided_dispute_cannot_be_decided_again(signed_in, person, carrier_cucc):
    open_dispute(signed_in, person["cucc"])
    dispute = Dispute.objects.get()
    carrier_cucc.post(reverse("operator-disputes:uphold", args=[dispute.pk]), {"note": ""})
    answer = "该号码于营业厅由本人持证办理，现场人脸核验通过。"

    response = carrier_cucc.post(
        reverse("operator-disputes:answer", args=[dispute.pk]), {"answer": answer}
    )

    assert response.status_code == 400
    dispute.refresh_from_db()
    assert dispute.status == "upheld"


def test_a_dispute_past_its_deadline_is_flagged(signed_in, person, carrier_cucc):
    open_dispute(signed_in, person["cucc"])
    Dispute.objects.update(due_at=timezone.now() - timedelta(hours=1))

    page = carrier_cucc.get(reverse("operator-disputes:list")).content.decode()

    assert "1 dispute past its deadline" in page
    assert "Overdue" in page


def test_overdue_disputes_are_listed_for_the_ministry_in_its_provinces(signed_in, person, users):
    open_dispute(signed_in, person["cucc"])  # a registration in Guangdong
    url = reverse("selfservice:overdue")
    inspector_gd, inspector_bj_only = Client(), Client()
    sign_in(inspector_gd, users["inspector_gd"])
    assert "186 0018 6321" not in inspector_gd.get(url).content.decode(), "not overdue yet"

    Dispute.objects.update(due_at=timezone.now() - timedelta(days=2))

    assert "186 0018 6321" in inspector_gd.get(url).content.decode()
    from portal.accounts.roles import Role
    from portal.accounts.services import user_create
    from tests.factories import PASSWORD, province

    beijing_only = user_create(
        username="inspector_bj", password=PASSWORD, role=Role.MINISTRY_INSPECTOR,
        provinces=[province("110000")],
    )  # fmt: skip
    sign_in(inspector_bj_only, beijing_only)
    assert "186 0018 6321" not in inspector_bj_only.get(url).content.decode()
    carrier = Client()
    sign_in(carrier, users["carrier_admin"])
    assert carrier.get(url).status_code == 403
