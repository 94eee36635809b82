"""The ministry admin's registration policy page: the cap per ID per operator."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from registrations.models import Operator, Outlet, Province, RegistrationPolicy
from registrations.services import registration_cap

PASSWORD = "Policy-page-4711"
URL = "/ministry/policy/"


@pytest.fixture
def ministry_admin():
    return user_create(username="ministry", password=PASSWORD, role=Role.MINISTRY_ADMIN)


@pytest.fixture
def ministry_client(ministry_admin) -> Client:
    client = Client()
    client.force_login(ministry_admin)
    return client


@pytest.mark.django_db
def test_it_shows_the_cap_in_force(ministry_client):
    response = ministry_client.get(URL)

    assert response.status_code == 200
    assert response.context["cap"] == settings.REGISTRATION_CAP_PER_OPERATOR
    assert response.context["form"]["cap_per_operator"].value() == registration_cap()


@pytest.mark.django_db
def test_it_changes_the_cap(ministry_client, ministry_admin):
    response = ministry_client.post(URL, {"cap_per_operator": "3"})

    assert response.status_code == 302
    assert response.url == URL
    assert registration_cap() == 3
    assert RegistrationPolicy.objects.get().updated_by == ministry_admin
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["The cap is now 3 numbers per ID per operator."]
    assert ministry_client.get(URL).context["cap"] == 3


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "-1", "51", "abc", "2.5", ""])
def test_it_shows_a_field_error_for_a_cap_out_of_range_or_not_a_number(ministry_client, value):
    response = ministry_client.post(URL, {"cap_per_operator": value})

    assert response.status_code == 400
    assert response.context["form"].errors["cap_per_operator"]
    assert 'class="error"' in response.content.decode()
    assert registration_cap() == settings.REGISTRATION_CAP_PER_OPERATOR
    assert not RegistrationPolicy.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [Role.MINISTRY_INSPECTOR, Role.CARRIER_ADMIN, Role.OUTLET_STAFF, Role.API_PARTNER],
)
def test_it_answers_403_to_other_roles(role):
    operator = Operator.objects.create(code="CMCC", name="China Mobile", kind=Operator.Kind.MNO)
    outlet = Outlet.objects.create(
        operator=operator,
        province=Province.objects.get(code="440000"),
        code="GZ-001",
        name="Guangzhou Tianhe",
        address="1 Tianhe Road",
        opening_hours="09:00-21:00",
    )
    scope = {
        Role.MINISTRY_INSPECTOR: {},
        Role.CARRIER_ADMIN: {"operator": operator},
        Role.OUTLET_STAFF: {"operator": operator, "outlets": [outlet]},
        Role.API_PARTNER: {"operator": operator},
    }[role]
    client = Client()
    client.force_login(user_create(username="someone", password=PASSWORD, role=role, **scope))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"cap_per_operator": "1"}).status_code == 403
    assert not RegistrationPolicy.objects.exists()


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_the_login_page():
    response = Client().post(URL, {"cap_per_operator": "1"})

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not RegistrationPolicy.objects.exists()
