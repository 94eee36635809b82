"""The audit trail holds no raw personal value: emails, typed usernames, name lengths."""

import json

import pytest

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from portal.audit.models import AuditEvent
from portal.lib.masking import mask_name
from tests.factories import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def dump() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


def test_an_email_changed_in_the_admin_site_is_stored_masked(client, users):
    # Another ministry admin: an account holding no more than the acting one, whose e-mail
    # the admin site lets them change.
    colleague = user_create(
        username="ministry_admin_2", password=PASSWORD, role=Role.MINISTRY_ADMIN
    )
    sign_in(client, users["ministry_admin"])
    response = client.post(
        f"/admin/accounts/user/{colleague.pk}/change/",
        {"username": colleague.username, "email": "wang.fang@example.cn", "is_active": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    colleague.refresh_from_db()
    assert colleague.email == "wang.fang@example.cn"
    event = AuditEvent.objects.filter(action="user.changed").latest("sequence")
    assert event.changes["email"] == ["", "w*****@example.cn"]
    assert "wang.fang" not in dump()


@pytest.mark.parametrize("typed", ["13800138000", "Correct-Horse-Battery-9", "王芳"])
def test_a_failed_sign_in_with_an_unknown_username_stores_it_masked(client, users, typed):
    client.post("/accounts/login/", {"username": typed, "password": "wrong"})
    failed = AuditEvent.objects.filter(action="auth.login_failed").latest("sequence")
    assert failed.actor_type == "anonymous"
    assert failed.actor_label == typed[0] + "**"
    assert typed not in dump()


def test_a_failed_sign_in_with_an_existing_username_keeps_it(client, users):
    client.post("/accounts/login/", {"username": "staff_gd", "password": "wrong"})
    failed = AuditEvent.objects.filter(action="auth.login_failed").latest("sequence")
    assert failed.actor_type == "anonymous"
    assert failed.actor_label == "staff_gd"


def test_a_masked_name_does_not_tell_its_length():
    assert mask_name("王") == mask_name("王芳") == mask_name("王小芳") == "王**"
    assert mask_name("Wang Fang") == mask_name("Wang Xiaofang") == "W**"
