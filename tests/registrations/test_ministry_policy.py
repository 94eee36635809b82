"""The ministry admin's registration policy page: the cap per ID per operator, and whether
outlets may upload a recorded clip instead of a live capture."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from portal.audit.models import AuditEvent
from registrations.models import Operator, Outlet, Province, RegistrationPolicy
from registrations.services import registration_cap
from registrations.services.policy import uploaded_captures_allowed
from tests.factories import sign_in

PASSWORD = "Policy-page-4711"
URL = "/ministry/policy/"


@pytest.fixture
def ministry_admin():
    return user_create(username="ministry", password=PASSWORD, role=Role.MINISTRY_ADMIN)


@pytest.fixture
def ministry_client(ministry_admin) -> Client:
    client = Client()
    sign_in(client, ministry_admin)
    return client


@pytest.mark.django_db
def test_it_shows_the_cap_in_force(ministry_client):
    response = ministry_client.get(URL)

    assert response.status_code == 200
    assert response.context["cap"] == settings.REGISTRATION_CAP_PER_OPERATOR
    assert response.context["form"]["cap_per_operator"].value() == registration_cap()


@pytest.mark.django_db
def test_it_changes_the_cap(ministry_client, ministry_admin):
    response = ministry_client.post(URL, {"cap_per_operator": "3", "allow_uploaded_captures": "on"})

    assert response.status_code == 302
    assert response.url == URL
    assert registration_cap() == 3
    assert uploaded_captures_allowed() is True
    assert RegistrationPolicy.objects.get().updated_by == ministry_admin
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["The cap is now 3 numbers per ID per operator."]
    assert ministry_client.get(URL).context["cap"] == 3


@pytest.mark.django_db
def test_it_shows_uploads_allowed_until_the_ministry_switches_them_off(ministry_client):
    response = ministry_client.get(URL)

    assert response.context["form"]["allow_uploaded_captures"].value() is True
    checkbox = re.search(r"<input[^>]*name=\"allow_uploaded_captures\"[^>]*>", response.text)
    assert checkbox and " checked" in checkbox.group(0)


@pytest.mark.django_db
def test_it_switches_uploaded_captures_off_and_on_audited(ministry_client, ministry_admin):
    response = ministry_client.post(URL, {"cap_per_operator": "5"})  # the box left unticked

    assert response.status_code == 302
    assert uploaded_captures_allowed() is False
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages[-1] == (
        "Uploading a recorded clip is switched off: captures come from the camera only."
    )
    page = ministry_client.get(URL)
    assert page.context["form"]["allow_uploaded_captures"].value() is False
    assert "Switched off: captures come from the camera only" in page.content.decode()

    ministry_client.post(URL, {"cap_per_operator": "5", "allow_uploaded_captures": "on"})

    assert uploaded_captures_allowed() is True
    changes = [
        event.changes.get("allow_uploaded_captures")
        for event in AuditEvent.objects.filter(action="policy.changed").order_by("pk")
    ]
    assert changes == [[True, False], [False, True]]
    assert RegistrationPolicy.objects.get().updated_by == ministry_admin


@pytest.mark.django_db
def test_it_says_when_the_deployment_forbids_uploads_whatever_the_policy(ministry_client, settings):
    settings.VERIFICATION_ALLOW_UPLOADS = False

    page = ministry_client.get(URL).content.decode()

    assert "Forbidden by this deployment (VERIFICATION_ALLOW_UPLOADS)" in page


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
    sign_in(client, user_create(username="someone", password=PASSWORD, role=role, **scope))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"cap_per_operator": "1"}).status_code == 403
    assert not RegistrationPolicy.objects.exists()


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_the_login_page():
    response = Client().post(URL, {"cap_per_operator": "1"})

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not RegistrationPolicy.objects.exists()
