"""Who looked at my data: every look by someone else at the person's registration page or
biometric evidence, with when, which organisation and role and the stated purpose, staff by
a stable pseudonym; answered from the index by subject; the audit chain intact."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.verification import verify_chain
from portal.selfservice.models import SubjectAccess
from portal.selfservice.services.access import staff_pseudonym
from tests.factories import sign_in
from verification.services import viewing_grant_open

pytestmark = pytest.mark.django_db

ACCESS = reverse("selfservice:access")
PURPOSE = "核查举报线索：疑似冒名办理"


@pytest.fixture
def inspector_looked(person, users):
    """The nation-wide inspector opened the CUCC registration's page, then its evidence."""
    browser = Client()
    sign_in(browser, users["inspector"])
    assert browser.get(reverse("registrations:detail", args=[person["cucc"].pk])).status_code == 200
    viewing_grant_open(registration=person["cucc"], viewer=users["inspector"], reason=PURPOSE)
    return users["inspector"]


def test_the_subscriber_sees_the_inspectors_looks_with_the_purpose(signed_in, inspector_looked):
    page = signed_in.get(ACCESS).content.decode()

    assert PURPOSE in page
    assert "The ministry (supervision)" in page
    assert "Ministry inspector" in page
    assert staff_pseudonym(str(inspector_looked.pk)) in page
    assert f">{inspector_looked.username}<" not in page, "staff by pseudonym, not by name"
    assert "The biometric evidence (face video and photos)" in page
    assert "The registration&#x27;s page" in page or "The registration's page" in page


def test_a_carrier_admins_look_names_the_operator(signed_in, person, users):
    browser = Client()
    sign_in(browser, users["carrier_admin_cucc"])
    browser.get(reverse("registrations:detail", args=[person["cucc"].pk]))

    look = SubjectAccess.objects.get()
    assert look.organisation == person["cucc"].operator.name
    assert look.role == "carrier_admin"
    assert look.subscriber == person["subscriber"]
    assert person["cucc"].operator.name in signed_in.get(ACCESS).content.decode()


def test_the_same_person_has_the_same_pseudonym_and_another_another(users):
    assert staff_pseudonym(str(users["inspector"].pk)) == staff_pseudonym(
        str(users["inspector"].pk)
    )
    assert staff_pseudonym(str(users["inspector"].pk)) != staff_pseudonym(
        str(users["inspector_gd"].pk)
    )


def test_another_persons_looks_are_not_shown(signed_in, person, users):
    from tests.factories import create_registration

    other = create_registration(actor=users["staff"], outlet=person["cmcc"].outlet)
    viewing_grant_open(registration=other, viewer=users["inspector"], reason=PURPOSE)

    assert PURPOSE not in signed_in.get(ACCESS).content.decode()
    assert SubjectAccess.objects.get().subscriber == other.subscriber


def test_the_index_holds_one_row_per_look_and_the_chain_stays_intact(inspector_looked, person):
    looks = SubjectAccess.objects.filter(subscriber=person["subscriber"])
    events = AuditEvent.objects.filter(
        action__in=[Action.REGISTRATION_VIEWED, Action.VIEWING_GRANT_OPENED],
        object_id=str(person["cucc"].pk),
    )
    assert sorted(looks.values_list("audit_sequence", flat=True)) == sorted(
        events.values_list("sequence", flat=True)
    )
    assert verify_chain().intact


def test_a_page_view_is_audited_but_stays_off_the_registrations_timeline(
    inspector_looked, person, users
):
    browser = Client()
    sign_in(browser, users["inspector"])
    response = browser.get(reverse("registrations:detail", args=[person["cucc"].pk]))

    assert AuditEvent.objects.filter(action=Action.REGISTRATION_VIEWED).count() == 2
    timeline = [event.action for event in response.context["timeline"]]
    assert Action.REGISTRATION_VIEWED not in timeline


def test_the_page_needs_the_subscriber_session(client):
    assert client.get(ACCESS).url == reverse("selfservice:start")
