"""Issue 10, hole 6: one account or outlet cannot flood the challenges, the capture uploads or
the registrations. Over a limit: 429, Retry-After, the reason ``rate_limited``; another
account or outlet is not affected."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from registrations import rules
from tests.factories import PASSWORD, create_registration, next_iccid, next_msisdn, sign_in

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.content
    assert 0 < int(response["Retry-After"]) <= 86400


def challenge(client, registration):
    return client.post(reverse("verification:challenge", args=[registration.pk]))


def upload(client, registration):
    return client.post(reverse("verification:upload", args=[registration.pk]), {"nonce": "x"})


@pytest.fixture
def colleague(cmcc, outlet_gd):
    """A second outlet worker at the same outlet as ``users["staff"]``."""
    return user_create(
        username="staff_gd_2",
        password=PASSWORD,
        role=Role.OUTLET_STAFF,
        operator=cmcc,
        outlets=[outlet_gd],
    )


def test_the_31st_challenge_of_an_account_in_an_hour_is_429(users, outlet_gd, outlet_bj):
    staff = client_for(users["staff"])
    drafts = [create_registration(actor=users["staff"], outlet=outlet_gd) for _ in range(3)]

    answers = [challenge(staff, drafts[i % 3]) for i in range(30)]
    refused = challenge(staff, drafts[0])

    assert 429 not in {answer.status_code for answer in answers}
    assert_rate_limited(refused)
    assert refused.json()["reasons"] == ["rate_limited"]
    assert "account" in refused.json()["message"]
    # Another account (at another outlet) still gets its challenge answered.
    other = create_registration(actor=users["staff_bj"], outlet=outlet_bj)
    assert challenge(client_for(users["staff_bj"]), other).status_code != 429


def test_an_outlet_is_limited_across_its_accounts(settings, users, colleague, outlet_gd, outlet_bj):
    settings.RATE_LIMITS = {"challenge": {"account": "2/hour", "outlet": "3/hour"}}
    first, second = client_for(users["staff"]), client_for(colleague)
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)

    assert [challenge(first, draft).status_code != 429 for _ in range(2)] == [True, True]
    assert_rate_limited(challenge(first, draft))  # the account's limit
    assert challenge(second, draft).status_code != 429  # the outlet's third
    refused = challenge(second, draft)  # the outlet's fourth

    assert_rate_limited(refused)
    assert "outlet" in refused.json()["message"]
    other = create_registration(actor=users["staff_bj"], outlet=outlet_bj)
    assert challenge(client_for(users["staff_bj"]), other).status_code != 429


def test_the_21st_upload_of_an_account_in_an_hour_is_429(users, outlet_gd, outlet_bj):
    staff = client_for(users["staff"])
    draft = create_registration(actor=users["staff"], outlet=outlet_gd)

    answers = [upload(staff, draft) for _ in range(20)]
    refused = upload(staff, draft)

    assert 429 not in {answer.status_code for answer in answers}
    assert_rate_limited(refused)
    assert refused.json()["reasons"] == ["rate_limited"]
    other = create_registration(actor=users["staff_bj"], outlet=outlet_bj)
    assert upload(client_for(users["staff_bj"]), other).status_code != 429


def registration_form(outlet) -> dict:
    return {
        "outlet": outlet.pk,
        "id_type": "resident_id",
        "id_number": rules.make_resident_id(
            area_code="440103", birth_date=date(1990, 1, 1), sequence=int(next_msisdn()[-3:])
        ),
        "full_name": "Wang Fang",
        "birth_date": "1990-01-01",
        "id_expiry": "2040-01-01",
        "msisdn": next_msisdn(),
        "iccid": next_iccid(),
    }


def test_an_outlet_creates_at_most_its_registrations_a_day(
    settings, users, colleague, outlet_gd, outlet_bj
):
    settings.RATE_LIMITS = {"registration": {"account": "", "outlet": "2/day"}}
    new = reverse("registrations:new")
    first, second = client_for(users["staff"]), client_for(colleague)

    assert first.post(new, registration_form(outlet_gd)).status_code == 302
    assert second.post(new, registration_form(outlet_gd)).status_code == 302
    refused = first.post(new, registration_form(outlet_gd))

    assert_rate_limited(refused)
    assert "outlet" in refused.content.decode()  # the form says why
    assert first.get(new).status_code == 200  # looking at the form is not creating
    other = client_for(users["staff_bj"]).post(new, registration_form(outlet_bj))
    assert other.status_code == 302
