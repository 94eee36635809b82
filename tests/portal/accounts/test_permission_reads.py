"""How a page reads what a person may do. The model backend reads their groups and
permissions in one query, with the same answers as Django's own ModelBackend (every role, a
permission of the account's own, an inactive account, a superuser); the navigation's links,
kept per set of permissions and language, are each reader's own."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.backends import ModelBackendInOneQuery
from portal.accounts.permissions import Perm, can
from portal.accounts.roles import role_of
from tests.factories import sign_in

User = get_user_model()


def _fresh(user):
    return User.objects.get(pk=user.pk)  # no permission or role kept from an earlier read


def _djangos(user) -> set[str]:
    return ModelBackend().get_all_permissions(_fresh(user))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["ministry_admin", "inspector", "carrier_admin", "staff", "partner"]
)
def test_each_role_holds_what_djangos_backend_says(users, name):
    user = _fresh(users[name])
    held = ModelBackendInOneQuery().get_all_permissions(user)
    assert held == _djangos(users[name])
    assert held  # every role holds some


@pytest.mark.django_db
def test_the_role_and_the_permissions_cost_one_query(users):
    user = _fresh(users["inspector"])
    with CaptureQueriesContext(connection) as queries:
        assert role_of(user) is not None
        assert can(user, Perm.VIEW_REGISTRATION)
        assert not can(user, Perm.ADD_REGISTRATION)
    assert len(queries) == 1


@pytest.mark.django_db
def test_a_permission_of_the_accounts_own_counts(users):
    own = Permission.objects.get(codename="manage_outlets")
    users["inspector"].user_permissions.add(own)
    user = _fresh(users["inspector"])
    assert can(user, Perm.MANAGE_OUTLETS)
    assert ModelBackendInOneQuery().get_all_permissions(user) == _djangos(users["inspector"])


@pytest.mark.django_db
def test_a_role_taken_away_shows_on_the_next_request(users):
    assert can(_fresh(users["staff"]), Perm.ADD_REGISTRATION)
    users["staff"].groups.clear()
    user = _fresh(users["staff"])
    assert role_of(user) is None
    assert not can(user, Perm.ADD_REGISTRATION)


@pytest.mark.django_db
def test_an_inactive_account_holds_nothing_and_a_superuser_everything(users):
    inactive = _fresh(users["carrier_admin"])
    inactive.is_active = False
    assert ModelBackendInOneQuery().get_all_permissions(inactive) == set()
    root = _fresh(users["ministry_admin"])
    root.is_superuser = True
    assert role_of(root) is not None  # reading the role first keeps no partial set
    assert ModelBackendInOneQuery().get_all_permissions(root) == ModelBackend().get_all_permissions(
        root
    )
    assert len(ModelBackendInOneQuery().get_all_permissions(root)) == Permission.objects.count()


@pytest.mark.django_db
def test_the_navigation_follows_the_role_and_the_language(client, users):
    """Its links are kept per set of permissions and language: each reader still gets their
    own, in their own language."""

    def links(user, language):
        sign_in(client, user)
        response = client.get("/registrations/", headers={"accept-language": language})
        return response.context["nav_links"]

    inspector_en = links(users["inspector"], "en")
    staff_en = links(users["staff"], "en")
    assert ("Spot checks", "/supervision/spot-checks/") in inspector_en
    assert ("New registration", "/registrations/new/") in staff_en
    assert "New registration" not in dict(inspector_en)
    assert "Spot checks" not in dict(staff_en)
    inspector_zh = links(users["inspector"], "zh-hans")
    assert [url for _, url in inspector_zh] == [url for _, url in inspector_en]
    assert [label for label, _ in inspector_zh] != [label for label, _ in inspector_en]
