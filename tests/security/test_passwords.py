"""Passwords: at least 12 characters, not a common one, not like the account's own details.

Every way a password is set obeys: the accounts service (staff pages, scripts) and the
one-time reset link. Only the demo accounts skip the rules, and never in production.
"""

import pytest
from django.contrib.auth.forms import SetPasswordForm

from portal.accounts.errors import AccountCode, AccountError
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.services import user_create

pytestmark = pytest.mark.django_db


def create(password, *, username="zhang.wei.gd", **extra):
    return user_create(
        username=username,
        password=password,
        role=Role.MINISTRY_INSPECTOR,
        full_name="Zhang Wei",
        **extra,
    )


@pytest.mark.parametrize(
    "weak",
    [
        "tide-9-lamp",  # 11 characters
        "q1w2e3r4t5y6",  # long enough, but on the list of common passwords
        "qwerty123456",
        "zhang.wei.gd1",  # the username, barely changed
        "482093715560",  # only digits
    ],
)
def test_a_weak_password_is_refused_and_no_account_is_made(weak):
    with pytest.raises(AccountError) as refused:
        create(weak)

    assert refused.value.code == AccountCode.WEAK_PASSWORD
    assert refused.value.field == "password"
    assert not User.objects.filter(username="zhang.wei.gd").exists()


def test_the_message_says_what_is_wrong():
    with pytest.raises(AccountError) as refused:
        create("tide-9-lamp")
    assert "at least 12 characters" in refused.value.message


def test_a_good_twelve_character_password_is_accepted():
    user = create("river-7-moon")
    assert user.check_password("river-7-moon")


def test_a_one_time_reset_link_refuses_a_short_password():
    user = create(None)
    form = SetPasswordForm(user, {"new_password1": "tide-9-lamp", "new_password2": "tide-9-lamp"})
    assert not form.is_valid()
    assert "at least 12 characters" in " ".join(form.errors["new_password2"])


def test_a_demo_password_is_exempt_outside_production(settings):
    settings.PRODUCTION = False
    user = create("demo", demo_password=True)
    assert user.check_password("demo")


def test_in_production_even_a_demo_password_must_pass(settings):
    settings.PRODUCTION = True
    with pytest.raises(AccountError) as refused:
        create("demo", demo_password=True)
    assert refused.value.code == AccountCode.WEAK_PASSWORD


def test_the_demo_seed_marks_its_passwords_as_demo_ones(settings):
    from portal.devtools import loader

    settings.PRODUCTION = True
    with pytest.raises(AccountError):
        loader._ensure_user(
            "demo_inspector",
            loader.Counts(),
            role=Role.MINISTRY_INSPECTOR,
            password="short",
        )
    settings.PRODUCTION = False
    made = loader._ensure_user(
        "demo_inspector", loader.Counts(), role=Role.MINISTRY_INSPECTOR, password="short"
    )
    assert made.check_password("short")
