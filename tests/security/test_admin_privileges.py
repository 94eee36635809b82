"""Issue 10, hole 3: the ministry admin must not grant anybody, themselves included, a
privilege through Django's admin; nor take over an account by setting its password.

Every POST here carries the privilege fields forged into the body: Django's admin ignores a
field its form does not have, and these tests make sure the form has none of them.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core import mail

from portal.accounts.permissions import Perm
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from tests.factories import PASSWORD, create_registration, sign_in, store_stand_in_portrait

pytestmark = pytest.mark.django_db

FORGED_PASSWORD = "Forged-password-1234"


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _change_url(user) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def _forged_post(user) -> dict:
    """The change form's POST for ``user`` (its current values), with every privilege forged."""
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "is_active": "on",
        "operator": user.operator_id or "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        # The forgery:
        "is_staff": "on",
        "is_superuser": "on",
        "user_permissions": [_permission(Perm.VIEW_EVIDENCE).pk],
        "groups": [Group.objects.get(name=Role.CARRIER_ADMIN.value).pk],
        "password": FORGED_PASSWORD,
        "password1": FORGED_PASSWORD,
        "password2": FORGED_PASSWORD,
        "usable_password": "true",
    }
    return data


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@pytest.fixture
def evidence(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    return store_stand_in_portrait(registration)


def test_the_ministry_admin_cannot_make_themselves_superuser(client, users, evidence):
    me = users["ministry_admin"]
    sign_in(client, me)
    assert client.get(_change_url(me)).status_code == 200
    response = client.post(_change_url(me), _forged_post(me))
    assert response.status_code in (302, 403), response.content[:2000]

    me.refresh_from_db()
    assert not me.is_superuser
    assert not me.user_permissions.exists()
    assert _groups(me) == {Role.MINISTRY_ADMIN.value}
    assert me.check_password(PASSWORD)
    me = type(me).objects.get(pk=me.pk)  # no cached permissions
    assert not me.has_perm(Perm.VIEW_EVIDENCE)
    assert not me.has_perm(Perm.REVIEW_REGISTRATION)

    sign_in(client, me)
    assert client.get("/review/").status_code == 403
    grant_open = f"/registrations/{evidence.registration_id}/evidence/"
    assert client.post(grant_open, {"reason": "checking a case"}).status_code == 403


def test_the_ministry_admin_cannot_grant_another_account_privileges_or_set_its_password(
    client, users
):
    staff = users["staff"]
    sign_in(client, users["ministry_admin"])
    response = client.post(_change_url(staff), _forged_post(staff))
    assert response.status_code in (302, 403), response.content[:2000]

    staff = type(staff).objects.get(pk=staff.pk)
    assert not staff.is_superuser
    assert not staff.is_staff
    assert not staff.user_permissions.exists()
    assert _groups(staff) == {Role.OUTLET_STAFF.value}
    assert staff.check_password(PASSWORD)
    assert not staff.check_password(FORGED_PASSWORD)
    assert not staff.has_perm(Perm.VIEW_EVIDENCE)


def test_the_change_form_offers_no_privilege_or_password_field(client, users):
    sign_in(client, users["ministry_admin"])
    for user in (users["ministry_admin"], users["staff"], users["inspector"]):
        content = client.get(_change_url(user)).content.decode()
        for field in ("is_superuser", "is_staff", "user_permissions", "groups", "password"):
            assert not re.search(rf'name="{field}"', content), (user.username, field)


def test_the_admin_password_change_page_of_an_account_is_closed(client, users):
    staff = users["staff"]
    sign_in(client, users["ministry_admin"])
    url = f"/admin/accounts/user/{staff.pk}/password/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": FORGED_PASSWORD, "password2": FORGED_PASSWORD})
    assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_the_admin_cannot_add_an_account_with_privileges_or_a_password(client, users):
    sign_in(client, users["ministry_admin"])
    assert client.get("/admin/accounts/user/add/").status_code == 403
    data = _forged_post(users["staff"]) | {"username": "sneaky_superuser"}
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 403
    assert not type(users["staff"]).objects.filter(username="sneaky_superuser").exists()


def test_the_email_of_an_account_with_more_privileges_is_read_only(client, users):
    """The reset link goes to the account's address: changing it would be a takeover."""
    inspector = users["inspector"]
    inspector.email = "inspector@ministry.example"
    inspector.save()
    sign_in(client, users["ministry_admin"])
    content = client.get(_change_url(inspector)).content.decode()
    assert 'name="email"' not in content
    data = _forged_post(inspector) | {"email": "admin-owned@example.com"}
    assert client.post(_change_url(inspector), data).status_code == 302
    inspector.refresh_from_db()
    assert inspector.email == "inspector@ministry.example"


def test_the_ministry_admin_still_edits_names_and_deactivates_accounts(client, users):
    staff = users["staff"]
    sign_in(client, users["ministry_admin"])
    data = _forged_post(staff) | {"full_name": "Renamed"}
    del data["is_active"]
    assert client.post(_change_url(staff), data).status_code == 302
    staff.refresh_from_db()
    assert (staff.full_name, staff.is_active) == ("Renamed", False)
    event = AuditEvent.objects.filter(action="user.changed").latest("sequence")
    assert set(event.changes) == {"full_name", "is_active"}


def test_a_password_reset_link_is_mailed_audited_and_works_once(client, users):
    staff = users["staff"]
    staff.email = "staff@cmcc.example"
    staff.save()
    sign_in(client, users["ministry_admin"])
    response = client.post(
        "/admin/accounts/user/",
        {"action": "send_password_reset_link", "_selected_action": [staff.pk]},
    )
    assert response.status_code == 302, response.content[:2000]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["staff@cmcc.example"]
    link = re.search(r"https?://[^/\s]+(/\S+/)", mail.outbox[0].body).group(1)
    event = AuditEvent.objects.get(action="user.password_reset_issued")
    assert event.actor_label == "ministry_admin"
    assert event.object_id == str(staff.pk)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(event.changes)

    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0]
    new = "A-brand-new-password-5531"
    response = client.post(set_password_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(new)
    # Used once: the link no longer sets a password.
    again = client.get(link, follow=True)
    assert b"new_password1" not in again.content


def test_a_reset_link_is_not_issued_for_an_account_without_an_address(client, users):
    staff = users["staff"]
    sign_in(client, users["ministry_admin"])
    response = client.post(
        "/admin/accounts/user/",
        {"action": "send_password_reset_link", "_selected_action": [staff.pk]},
    )
    assert response.status_code == 302
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="user.password_reset_issued").exists()


def test_biometric_evidence_is_nowhere_in_the_admin(client, users):
    from verification.models import BiometricEvidence

    site = admin.site
    assert BiometricEvidence not in site._registry
    for model_admin in site._registry.values():
        assert all(inline.model is not BiometricEvidence for inline in model_admin.inlines)
    sign_in(client, users["ministry_admin"])
    assert client.get("/admin/verification/").status_code == 404
    assert client.get("/admin/verification/biometricevidence/").status_code == 404


def test_create_account_makes_an_inspector_through_user_create_and_mails_a_link(users, guangdong):
    from django.core.management import call_command

    call_command(
        "create_account", "inspector_new", "--role", "ministry_inspector",
        "--province", guangdong.code, "--email", "new@ministry.example",
        "--site-url", "https://portal.example",
    )  # fmt: skip
    user = type(users["staff"]).objects.get(username="inspector_new")
    assert user.role == Role.MINISTRY_INSPECTOR
    assert not user.has_usable_password()
    assert not user.is_staff
    created = AuditEvent.objects.get(action="user.created", object_id=str(user.pk))
    assert created.changes["scope"] == [None, guangdong.code]
    assert AuditEvent.objects.filter(action="user.password_reset_issued").count() == 1
    assert "https://portal.example/admin/accounts/user/password-reset/" in mail.outbox[0].body
