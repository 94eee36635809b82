"""The partner API's registration operations: create, list, read, cancel, and their scope."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from registrations.models import Registration
from tests.api.conftest import online_registration_for, registration_body
from tests.factories import create_registration

pytestmark = pytest.mark.django_db

REGISTRATIONS = "/api/v1/registrations"


def _detail(registration) -> str:
    return f"{REGISTRATIONS}/{registration.pk}"


def test_it_creates_an_online_registration_with_its_next_actions(api, partner_cmcc, cmcc):
    response = api.post(REGISTRATIONS, json=registration_body())

    assert response.status_code == 201, response.content
    body = response.json()
    registration = Registration.objects.get(pk=body["id"])
    assert registration.channel == Registration.Channel.ONLINE
    assert registration.outlet is None
    assert registration.operator == cmcc
    assert registration.created_by == partner_cmcc
    # The province comes from the resident ID number (area code 440103: Guangdong).
    assert registration.province.code == "440000"
    assert body["status"] == "draft"
    assert body["next_actions"] == ["upload_portrait", "record_consent"]
    assert response.headers["Location"].endswith(_detail(registration))


def test_a_province_given_is_the_registrations_province(api):
    response = api.post(REGISTRATIONS, json=registration_body(province="110000"))

    assert response.status_code == 201, response.content
    assert response.json()["province"] == "110000"


def test_a_refused_registration_is_a_problem_naming_every_broken_rule(api):
    body = registration_body(id_number="440103199001010015", msisdn="12345")

    response = api.post(REGISTRATIONS, json=body)

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert set(problem["reasons"]) == {"id_checksum", "invalid_msisdn"}
    assert set(problem["errors"]) == {"id_number", "msisdn"}
    assert not Registration.objects.exists()


def test_a_number_active_elsewhere_is_refused_as_at_the_outlet(api, partner_cmcc):
    taken = online_registration_for(partner_cmcc, status="approved")

    response = api.post(REGISTRATIONS, json=registration_body(msisdn=taken.msisdn))

    assert response.status_code == 400
    assert response.json()["reasons"] == ["msisdn_in_use"]


def test_registrations_count_against_the_keys_rate_limit(api, settings):
    settings.RATE_LIMITS = {"registration": {"api_key": "2/day"}}
    for _ in range(2):
        assert api.post(REGISTRATIONS, json=registration_body()).status_code == 201

    response = api.post(REGISTRATIONS, json=registration_body())

    assert response.status_code == 429
    assert response.json()["reasons"] == ["rate_limited"]
    assert 0 < int(response.headers["Retry-After"]) <= 86400
    assert Registration.objects.count() == 2


def test_a_registration_shows_the_id_number_and_name_masked(api, partner_cmcc):
    registration = online_registration_for(partner_cmcc)
    subscriber = registration.subscriber

    response = api.get(_detail(registration))

    assert response.status_code == 200
    shown = response.json()["subscriber"]
    number = subscriber.id_number
    assert shown["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert shown["name_masked"] == "W**"
    text = response.content.decode()
    assert subscriber.id_number not in text
    assert subscriber.full_name not in text
    assert "birth_date" not in text


def test_a_registration_not_of_this_key_is_a_404_like_one_that_does_not_exist(
    api, api_cucc, users, outlet_gd, partner_cmcc
):
    mine = online_registration_for(partner_cmcc)
    at_an_outlet = create_registration(actor=users["staff"], outlet=outlet_gd)

    answers = [
        api_cucc.get(_detail(mine)),  # another operator's key
        api.get(_detail(at_an_outlet)),  # CMCC's, but not created by the partner
        api.get(f"{REGISTRATIONS}/{uuid.uuid4()}"),  # nobody's
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    details = {answer.json()["detail"] for answer in answers}
    assert len(details) == 1
    assert api.get(_detail(mine)).status_code == 200


def test_the_list_shows_only_the_keys_own_online_registrations(api, users, outlet_gd, partner_cmcc):
    mine = online_registration_for(partner_cmcc)
    create_registration(actor=users["staff"], outlet=outlet_gd)

    response = api.get(REGISTRATIONS)

    assert [row["id"] for row in response.json()["results"]] == [str(mine.pk)]


def _ids(page) -> list[str]:
    return [row["id"] for row in page.json()["results"]]


def test_the_cursor_walks_every_registration_once_while_new_ones_arrive(api, partner_cmcc):
    created = [online_registration_for(partner_cmcc) for _ in range(5)]
    # Two with the same creation time: the id breaks the tie, nothing is skipped or repeated.
    Registration.objects.filter(pk__in=[created[1].pk, created[2].pk]).update(
        created_at=created[1].created_at
    )

    first = api.get(REGISTRATIONS, page_size=2)
    online_registration_for(partner_cmcc)  # arrives on top, before the first page
    seen = _ids(first)
    page = first
    while page.json()["next"]:
        page = api.get(page.json()["next"])
        seen += _ids(page)

    assert sorted(seen) == sorted(str(registration.pk) for registration in created)


def test_the_list_filters_by_status_and_by_last_change(api, partner_cmcc):
    draft = online_registration_for(partner_cmcc)
    approved = online_registration_for(partner_cmcc, status="approved")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Registration.objects.filter(pk=draft.pk).update(updated_at=an_hour_ago - timedelta(hours=1))

    assert _ids(api.get(REGISTRATIONS, status="approved")) == [str(approved.pk)]
    assert _ids(api.get(REGISTRATIONS, status="draft")) == [str(draft.pk)]
    since = an_hour_ago.isoformat()
    assert _ids(api.get(REGISTRATIONS, updated_after=since)) == [str(approved.pk)]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "nonsense"}, "status"), ({"updated_after": "yesterday"}, "updated_after")],
)
def test_a_bad_filter_is_a_400_problem_naming_it(api, query, field):
    response = api.get(REGISTRATIONS, **query)

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert list(response.json()["errors"]) == [field]


def test_an_approved_registration_offers_and_takes_cancel(api, partner_cmcc):
    registration = online_registration_for(partner_cmcc, status="approved")
    assert api.get(_detail(registration)).json()["next_actions"] == ["cancel"]

    response = api.post(f"{_detail(registration)}/cancel", json={"note": "number given up"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["next_actions"] == []
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_a_draft_cannot_be_cancelled(api, online_registration):
    response = api.post(f"{_detail(online_registration)}/cancel", json={})

    assert response.status_code == 409
    assert response.json()["reasons"] == ["invalid_transition"]


def test_another_operators_key_cannot_cancel(api, api_cucc, partner_cmcc):
    registration = online_registration_for(partner_cmcc, status="approved")

    response = api_cucc.post(f"{_detail(registration)}/cancel", json={})

    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    assert api.post(f"{_detail(registration)}/cancel", json={}).status_code == 200
