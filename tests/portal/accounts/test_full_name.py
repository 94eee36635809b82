"""A person's name is one field, in its own order (姓名), for staff as for subscribers."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from portal.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0003_use_pages_and_admin_site_permissions")]
AFTER = [("accounts", "0004_user_full_name_and_language")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_two_name_fields_are_joined_in_each_name_s_own_order():
    old = migrate(BEFORE).get_model("accounts", "User")
    old.objects.create(username="zhang", first_name="伟", last_name="张")
    old.objects.create(username="anna", first_name="Anna", last_name="Li")
    old.objects.create(username="service", first_name="", last_name="")
    try:
        new = migrate(AFTER).get_model("accounts", "User")
        names = dict(new.objects.values_list("username", "full_name"))
        assert names == {"zhang": "张伟", "anna": "Anna Li", "service": ""}
        assert not new.objects.exclude(first_name="", last_name="").exists()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_name_shown_is_the_one_field():
    user = User(username="li", full_name=" 李娜 ", first_name="ignored")
    assert user.get_full_name() == "李娜"
    assert user.get_short_name() == "李娜"
