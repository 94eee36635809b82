"""A resident ID number holds the date of birth and the sex: the clerk does not type them,
the pages show them; a passport or a permit needs its date of birth typed."""

from datetime import date

import pytest
from django.urls import reverse

from registrations import rules, services
from registrations.errors import RegistrationCode as Code
from registrations.errors import RegistrationError
from registrations.models import Registration, Subscriber
from tests.factories import create_registration, next_iccid, next_msisdn, sign_in

pytestmark = pytest.mark.django_db

# 1985-07-14; the 17th digit 3 is odd: male.
MALE_ID = rules.make_resident_id(area_code="440103", birth_date=date(1985, 7, 14), sequence=13)
# 2001-02-28; the 17th digit 4 is even: female.
FEMALE_ID = rules.make_resident_id(area_code="110105", birth_date=date(2001, 2, 28), sequence=24)


@pytest.fixture
def clerk(users, client):
    sign_in(client, users["staff"])
    return client


def form(outlet, **overrides) -> dict:
    data = {
        "outlet": outlet.pk,
        "id_type": "resident_id",
        "id_number": MALE_ID,
        "full_name": "陈建国",
        "birth_date": "",
        "id_expiry": "2040-01-01",
        "msisdn": next_msisdn(),
        "iccid": next_iccid(),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("number", "sex"), [(MALE_ID, "male"), (FEMALE_ID, "female"), ("44010319850714", None)]
)
def test_the_sex_is_the_parity_of_the_seventeenth_character(number, sex):
    assert rules.sex_from_resident_id(number) == sex


def test_a_resident_id_saves_without_a_typed_birth_date_and_keeps_the_numbers_own(clerk, outlet_gd):
    response = clerk.post(reverse("registrations:new"), form(outlet_gd))

    assert response.status_code == 302
    subscriber = Registration.objects.get(subscriber__id_number_index=_index(MALE_ID)).subscriber
    assert subscriber.birth_date == date(1985, 7, 14)
    assert subscriber.sex == "male"


def test_a_typed_birth_date_that_contradicts_the_number_is_still_refused(clerk, outlet_gd):
    response = clerk.post(reverse("registrations:new"), form(outlet_gd, birth_date="1985-07-15"))

    assert response.status_code == 400
    assert "1985-07-14" in response.content.decode()  # the number's own date, named


def test_a_passport_needs_its_birth_date_typed(clerk, outlet_gd):
    response = clerk.post(
        reverse("registrations:new"),
        form(outlet_gd, id_type="passport", id_number="E12345678", birth_date=""),
    )

    assert response.status_code == 400
    assert "Enter the date of birth as it is on the passport or permit." in (
        response.content.decode()
    )
    assert not Subscriber.objects.filter(id_type="passport").exists()


def test_the_service_refuses_a_passport_without_a_birth_date(users, outlet_gd):
    details = services.SubscriberDetails(
        id_type="passport", id_number="E7654321", full_name="Li Na", birth_date=None, id_expiry=None
    )
    with pytest.raises(RegistrationError) as refused:
        services.registration_create(
            actor=users["staff"],
            subscriber=details,
            operator=outlet_gd.operator,
            outlet=outlet_gd,
            msisdn=next_msisdn(),
            iccid=next_iccid(),
        )
    assert Code.BIRTH_DATE_MISSING.value in refused.value.reasons


def test_the_new_form_offers_the_date_for_documents_other_than_a_resident_id(clerk):
    page = clerk.get(reverse("registrations:new")).content.decode()

    assert "data-typed-birth-date" in page  # hidden by the script for a resident ID
    assert "Passports and permits only: a resident ID number holds it." in page
    assert "js/registration_form.js" in page


def test_the_registration_page_shows_birth_date_and_sex_from_the_number(clerk, users, outlet_gd):
    subscriber = services.SubscriberDetails(
        id_type="resident_id",
        id_number=FEMALE_ID,
        full_name="李娜",
        birth_date=None,
        id_expiry=None,
    )
    registration = create_registration(
        actor=users["staff"], outlet=outlet_gd, subscriber=subscriber
    )

    page = clerk.get(reverse("registrations:detail", args=[registration.pk])).content.decode()

    assert "2001-02-28" in page
    assert "Female" in page
    assert "from the ID number" in page


def test_a_resident_ids_draft_has_no_birth_date_to_edit_and_keeps_it(clerk, users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    born = registration.subscriber.birth_date
    url = reverse("registrations:edit", args=[registration.pk])

    page = clerk.get(url).content.decode()
    assert 'name="birth_date"' not in page
    response = clerk.post(
        url,
        {
            "full_name": registration.subscriber.full_name,
            "id_expiry": "2041-01-01",
            "msisdn": registration.msisdn_national,
            "iccid": registration.iccid,
        },
    )

    assert response.status_code == 302
    registration.subscriber.refresh_from_db()
    assert registration.subscriber.birth_date == born
    assert registration.subscriber.id_expiry == date(2041, 1, 1)


def test_a_passports_draft_keeps_its_birth_date_editable(clerk, users, outlet_gd):
    subscriber = services.SubscriberDetails(
        id_type="passport",
        id_number="E2468024",
        full_name="Anna Schmidt",
        birth_date=date(1979, 3, 3),
        id_expiry=date(2031, 1, 1),
    )
    registration = create_registration(
        actor=users["staff"], outlet=outlet_gd, subscriber=subscriber
    )

    page = clerk.get(reverse("registrations:edit", args=[registration.pk])).content.decode()

    assert 'name="birth_date"' in page
    assert 'value="1979-03-03"' in page


def _index(id_number: str) -> str:
    return Subscriber.id_number_index_for(id_number)
