"""The carrier admin's pages: the operator's outlets and its outlet staff accounts."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.http import HttpRequest  # axes needs a request to authenticate
from django.test import Client
from django.urls import reverse

from portal.accounts.roles import Role
from portal.accounts.services import staff_active_set, user_create
from registrations import scoping
from registrations.models import Outlet
from tests.factories import make_outlet, sign_in

PASSWORD = "Opening-hours-42"
NEW_PASSWORD = "Counter-window-7781"


@pytest.fixture
def own_operator(cmcc):
    return cmcc


@pytest.fixture
def rival_operator(cucc):
    return cucc


@pytest.fixture
def own_outlet(own_operator, guangdong):
    return make_outlet(own_operator, guangdong, "GZ-001")


@pytest.fixture
def second_outlet(own_operator, beijing):
    return make_outlet(own_operator, beijing, "BJ-001")


@pytest.fixture
def rival_outlet(rival_operator, guangdong):
    return make_outlet(rival_operator, guangdong, "GZ-101")


@pytest.fixture
def carrier_admin(own_operator):
    return user_create(
        username="cmcc_admin", password=PASSWORD, role=Role.CARRIER_ADMIN, operator=own_operator
    )


@pytest.fixture
def rival_admin(rival_operator):
    return user_create(
        username="cucc_admin", password=PASSWORD, role=Role.CARRIER_ADMIN, operator=rival_operator
    )


@pytest.fixture
def clerk(own_operator, own_outlet):
    return user_create(
        username="clerk",
        password=PASSWORD,
        role=Role.OUTLET_STAFF,
        operator=own_operator,
        outlets=[own_outlet],
        full_name="李娜",
    )


@pytest.fixture
def rival_clerk(rival_operator, rival_outlet):
    return user_create(
        username="rival_clerk",
        password=PASSWORD,
        role=Role.OUTLET_STAFF,
        operator=rival_operator,
        outlets=[rival_outlet],
    )


@pytest.fixture
def admin_client(carrier_admin) -> Client:
    client = Client()
    sign_in(client, carrier_admin)
    return client


def _outlet_form(province, **overrides) -> dict:
    return {
        "code": "SZ-009",
        "name": "Shenzhen Futian",
        "address": "8 Shennan Avenue",
        "province": province.pk,
        "opening_hours": "10:00-22:00 daily",
        "status": "active",
        **overrides,
    }


def _staff_form(*outlets, **overrides) -> dict:
    return {
        "username": "zhang_wei",
        "full_name": "张伟",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        "outlets": [outlet.pk for outlet in outlets],
        **overrides,
    }


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Outlets


@pytest.mark.django_db
def test_it_lists_the_operators_outlets_and_no_others(admin_client, own_outlet, rival_outlet):
    response = admin_client.get(reverse("operator:outlets"))

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [own_outlet]
    assert own_outlet.code in response.content.decode()
    assert rival_outlet.code not in response.content.decode()
    assert reverse("operator:outlet_new") in response.content.decode()


@pytest.mark.django_db
def test_it_paginates_the_outlets_by_25(admin_client, own_operator, guangdong):
    for number in range(30):
        make_outlet(own_operator, guangdong, f"GZ-{number:03d}")

    first = admin_client.get(reverse("operator:outlets"))
    second = admin_client.get(reverse("operator:outlets"), {"page": 2})

    assert len(first.context["page_obj"]) == 25
    assert len(second.context["page_obj"]) == 5


@pytest.mark.django_db
def test_it_creates_an_outlet_for_the_admins_operator(admin_client, own_operator, guangdong):
    response = admin_client.post(reverse("operator:outlet_new"), _outlet_form(guangdong))

    assert response.status_code == 302
    assert response.url == reverse("operator:outlets")
    outlet = Outlet.objects.get(code="SZ-009")
    assert outlet.operator == own_operator
    assert outlet.name == "Shenzhen Futian"
    assert outlet.province == guangdong
    assert outlet.opening_hours == "10:00-22:00 daily"
    assert outlet.is_active
    assert _messages(response) == ["Outlet Shenzhen Futian (SZ-009) added."]


@pytest.mark.django_db
def test_it_shows_a_field_error_for_a_duplicate_code_and_keeps_the_typed_values(
    admin_client, own_outlet, guangdong
):
    form = _outlet_form(guangdong, code=own_outlet.code, name="Typed name")

    response = admin_client.post(reverse("operator:outlet_new"), form)

    assert response.status_code == 400
    [error] = response.context["form"].errors["code"]
    assert "already has an outlet with the code GZ-001" in error
    page = response.content.decode()
    assert 'value="Typed name"' in page
    assert 'value="8 Shennan Avenue"' in page
    assert Outlet.objects.filter(code=own_outlet.code).count() == 1


@pytest.mark.django_db
def test_it_accepts_a_code_that_only_another_operator_uses(admin_client, rival_outlet, guangdong):
    response = admin_client.post(
        reverse("operator:outlet_new"), _outlet_form(guangdong, code=rival_outlet.code)
    )

    assert response.status_code == 302
    assert Outlet.objects.filter(code=rival_outlet.code).count() == 2


@pytest.mark.django_db
def test_it_rejects_an_empty_outlet_form_with_field_errors(admin_client):
    response = admin_client.post(reverse("operator:outlet_new"), {})

    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"code", "name", "address", "province"}


@pytest.mark.django_db
def test_it_edits_an_outlet_and_suspends_it(admin_client, own_outlet, beijing):
    url = reverse("operator:outlet_edit", args=[own_outlet.pk])
    assert admin_client.get(url).context["form"]["name"].value() == own_outlet.name

    response = admin_client.post(
        url, _outlet_form(beijing, code="GZ-001", name="Renamed", status="suspended")
    )

    assert response.status_code == 302
    own_outlet.refresh_from_db()
    assert own_outlet.name == "Renamed"
    assert own_outlet.province == beijing
    assert own_outlet.status == Outlet.Status.SUSPENDED


@pytest.mark.django_db
def test_it_refuses_to_rename_an_outlet_to_a_code_in_use(admin_client, own_outlet, second_outlet):
    url = reverse("operator:outlet_edit", args=[own_outlet.pk])

    response = admin_client.post(url, _outlet_form(own_outlet.province, code=second_outlet.code))

    assert response.status_code == 400
    assert response.context["form"].errors["code"]
    own_outlet.refresh_from_db()
    assert own_outlet.code == "GZ-001"


@pytest.mark.django_db
def test_it_answers_404_for_another_operators_outlet(admin_client, rival_outlet, guangdong):
    url = reverse("operator:outlet_edit", args=[rival_outlet.pk])

    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, _outlet_form(guangdong, name="Taken over")).status_code == 404
    rival_outlet.refresh_from_db()
    assert rival_outlet.name != "Taken over"


@pytest.mark.django_db
def test_it_answers_404_for_an_outlet_that_does_not_exist(admin_client):
    assert admin_client.get(reverse("operator:outlet_edit", args=[999999])).status_code == 404


# Staff


@pytest.mark.django_db
def test_it_lists_the_operators_staff_with_their_outlets(
    admin_client, clerk, rival_clerk, own_outlet
):
    response = admin_client.get(reverse("operator:staff"))

    assert response.status_code == 200
    assert response.context["rows"] == [(clerk, [own_outlet])]
    page = response.content.decode()
    assert "clerk" in page
    assert "李娜" in page
    assert own_outlet.name in page
    assert "rival_clerk" not in page


@pytest.mark.django_db
def test_it_creates_a_staff_account_that_can_sign_in_and_works_at_its_outlets(
    admin_client, own_operator, own_outlet, second_outlet
):
    response = admin_client.post(reverse("operator:staff_new"), _staff_form(own_outlet))

    assert response.status_code == 302
    assert response.url == reverse("operator:staff")
    new_user = get_user_model().objects.get(username="zhang_wei")
    assert new_user.role == Role.OUTLET_STAFF
    assert new_user.operator == own_operator
    assert new_user.get_full_name() == "张伟"
    assert list(scoping.outlets_in_scope(new_user)) == [own_outlet]
    assert Client().login(request=HttpRequest(), username="zhang_wei", password=NEW_PASSWORD)


@pytest.mark.django_db
def test_it_cannot_attach_another_operators_outlet(admin_client, own_outlet, rival_outlet):
    response = admin_client.post(
        reverse("operator:staff_new"), _staff_form(own_outlet, rival_outlet)
    )

    assert response.status_code == 400
    assert "not one of the available choices" in response.context["form"].errors["outlets"][0]
    assert not get_user_model().objects.filter(username="zhang_wei").exists()


@pytest.mark.django_db
def test_it_requires_at_least_one_outlet(admin_client, own_outlet):
    response = admin_client.post(reverse("operator:staff_new"), _staff_form())

    assert response.status_code == 400
    assert response.context["form"].errors["outlets"] == ["Choose at least one outlet."]


@pytest.mark.django_db
def test_it_shows_the_password_validators_messages_at_the_field(admin_client, own_outlet):
    form = _staff_form(own_outlet, password="123", password_again="123")

    response = admin_client.post(reverse("operator:staff_new"), form)

    assert response.status_code == 400
    errors = response.context["form"].errors["password"]
    assert any("too short" in error for error in errors)
    assert any("too common" in error or "entirely numeric" in error for error in errors)
    page = response.content.decode()
    assert 'value="zhang_wei"' in page
    assert "too short" in page
    assert not get_user_model().objects.filter(username="zhang_wei").exists()


@pytest.mark.django_db
def test_it_refuses_a_password_like_the_username(admin_client, own_outlet):
    form = _staff_form(own_outlet, password="zhang_wei_1", password_again="zhang_wei_1")

    response = admin_client.post(reverse("operator:staff_new"), form)

    assert response.status_code == 400
    assert any("too similar" in error for error in response.context["form"].errors["password"])


@pytest.mark.django_db
def test_it_refuses_two_different_passwords(admin_client, own_outlet):
    form = _staff_form(own_outlet, password_again="Something-else-9911")

    response = admin_client.post(reverse("operator:staff_new"), form)

    assert response.status_code == 400
    assert response.context["form"].errors["password_again"] == ["The two passwords differ."]


@pytest.mark.django_db
def test_it_refuses_a_username_that_is_taken_in_any_case(admin_client, clerk, own_outlet):
    response = admin_client.post(
        reverse("operator:staff_new"), _staff_form(own_outlet, username="CLERK")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["username"]


@pytest.mark.django_db
def test_it_changes_the_outlets_of_a_staff_account(admin_client, clerk, second_outlet):
    url = reverse("operator:staff_edit", args=[clerk.pk])

    response = admin_client.post(url, {"outlets": [second_outlet.pk], "is_active": "on"})

    assert response.status_code == 302
    assert list(scoping.outlets_in_scope(clerk)) == [second_outlet]


@pytest.mark.django_db
def test_it_deactivates_a_staff_account_so_it_can_no_longer_sign_in(
    admin_client, clerk, own_outlet
):
    assert Client().login(request=HttpRequest(), username="clerk", password=PASSWORD)
    url = reverse("operator:staff_edit", args=[clerk.pk])

    response = admin_client.post(url, {"outlets": [own_outlet.pk]})  # "Active" unticked

    assert response.status_code == 302
    assert _messages(response) == ["Account clerk deactivated: it can no longer sign in."]
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert not Client().login(request=HttpRequest(), username="clerk", password=PASSWORD)
    assert list(scoping.outlets_in_scope(clerk)) == [own_outlet]  # kept for a reactivation


@pytest.mark.django_db
def test_it_reactivates_a_staff_account(admin_client, clerk, own_outlet):
    staff_active_set(actor=None, user=clerk, active=False)

    response = admin_client.post(
        reverse("operator:staff_edit", args=[clerk.pk]),
        {"outlets": [own_outlet.pk], "is_active": "on"},
    )

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.is_active
    assert Client().login(request=HttpRequest(), username="clerk", password=PASSWORD)


@pytest.mark.django_db
def test_it_cannot_give_a_staff_member_another_operators_outlet(
    admin_client, clerk, own_outlet, rival_outlet
):
    url = reverse("operator:staff_edit", args=[clerk.pk])

    response = admin_client.post(url, {"outlets": [rival_outlet.pk], "is_active": "on"})

    assert response.status_code == 400
    assert response.context["form"].errors["outlets"]
    assert list(scoping.outlets_in_scope(clerk)) == [own_outlet]


@pytest.mark.django_db
def test_it_answers_404_for_another_operators_staff(admin_client, rival_clerk, rival_outlet):
    url = reverse("operator:staff_edit", args=[rival_clerk.pk])

    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, {"outlets": [rival_outlet.pk]}).status_code == 404
    rival_clerk.refresh_from_db()
    assert rival_clerk.is_active


@pytest.mark.django_db
def test_it_answers_404_for_an_account_that_is_not_outlet_staff(admin_client, rival_admin):
    url = reverse("operator:staff_edit", args=[rival_admin.pk])

    assert admin_client.get(url).status_code == 404


@pytest.mark.django_db
def test_it_refuses_to_deactivate_an_account_that_is_not_outlet_staff(carrier_admin):
    with pytest.raises(ValueError):
        staff_active_set(actor=None, user=carrier_admin, active=False)


# Access


PAGES = [
    ("operator:outlets", False),
    ("operator:outlet_new", False),
    ("operator:outlet_edit", "outlet"),
    ("operator:staff", False),
    ("operator:staff_new", False),
    ("operator:staff_edit", "staff"),
]


def _url(name, arg, *, outlet, staff) -> str:
    if arg == "outlet":
        return reverse(name, args=[outlet.pk])
    if arg == "staff":
        return reverse(name, args=[staff.pk])
    return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.MINISTRY_ADMIN, Role.MINISTRY_INSPECTOR, Role.OUTLET_STAFF, Role.API_PARTNER]
)
@pytest.mark.parametrize(("name", "arg"), PAGES)
def test_it_answers_403_to_other_roles(role, name, arg, own_operator, own_outlet, clerk):
    scope = {"operator": own_operator} if role == Role.API_PARTNER else {}
    if role == Role.OUTLET_STAFF:
        scope = {"operator": own_operator, "outlets": [own_outlet]}
    user = user_create(username=f"someone_{role.value}", password=PASSWORD, role=role, **scope)
    client = Client()
    sign_in(client, user)
    url = _url(name, arg, outlet=own_outlet, staff=clerk)

    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arg"), PAGES)
def test_it_sends_anonymous_users_to_the_login_page(name, arg, own_outlet, clerk):
    url = _url(name, arg, outlet=own_outlet, staff=clerk)

    response = Client().get(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
