"""Guessing passwords: five failures for one account from one address lock that pair.

Attacks are replayed on the real sign-in page, as a script would send them.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ATTACKER = "203.0.113.5"
PROXY = "10.9.9.9"


def sign_in(client, password, *, username="staff_gd", **meta):
    meta.setdefault("REMOTE_ADDR", ATTACKER)
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(times, *, username="staff_gd", **meta) -> list[int]:
    return [
        sign_in(Client(), "wrong-guess", username=username, **meta).status_code
        for _ in range(times)
    ]


def test_the_fifth_failure_locks_with_a_clear_page_and_429(users):
    assert fail(4) == [200] * 4  # the form again, with its error

    locked = sign_in(Client(), "wrong-guess")

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in locked for a while" in page
    assert "Minutes left at most: 15." in page
    assert "accounts/lockout.html" in [template.name for template in locked.templates]


def test_the_right_password_is_refused_while_locked(users):
    fail(5)
    client = Client()

    response = sign_in(client, PASSWORD)

    assert response.status_code == 429
    assert not signed_in(client)


def test_another_address_or_another_account_is_not_locked(users):
    assert fail(5)[-1] == 429

    elsewhere = Client()
    assert sign_in(elsewhere, PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    assert signed_in(elsewhere)
    colleague = Client()
    assert sign_in(colleague, PASSWORD, username="staff_bj").status_code == 302
    assert signed_in(colleague)


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [(1, ATTACKER), (2, f"{ATTACKER}, 10.0.0.1")],  # the nearest proxy's entry is the last
)
def test_behind_trusted_proxies_the_client_address_is_locked(users, settings, proxies, forwarded):
    settings.TRUSTED_PROXY_COUNT = proxies
    fail(5, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    # A forged left-most entry does not make the attacker someone else...
    dodge = Client()
    response = sign_in(
        dodge, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.77, {forwarded}"
    )
    assert response.status_code == 429
    assert not signed_in(dodge)
    # ...while another customer behind the same proxy signs in.
    neighbour = Client()
    other = forwarded.replace(ATTACKER, "203.0.113.6")
    sign_in(neighbour, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=other)
    assert signed_in(neighbour)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(users, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"):
        sign_in(Client(), "wrong-guess", HTTP_X_FORWARDED_FOR=forged)

    assert sign_in(Client(), PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.6").status_code == 429


def test_the_lock_ends_after_the_cool_off(users):
    assert fail(5)[-1] == 429
    # Move the clock: the failures happened sixteen minutes ago.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    client = Client()
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_fourteen_minutes_later_it_is_still_locked(users):
    assert fail(5)[-1] == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))

    assert sign_in(Client(), PASSWORD).status_code == 429


def test_an_administrator_can_lift_the_lock(users):
    assert fail(5)[-1] == 429

    reset(username="staff_gd", ip=ATTACKER)

    client = Client()
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


def failed_sign_in_events(label):
    return list(
        AuditEvent.objects.filter(
            action__in=["auth.login_failed", "auth.locked_out"], actor_label=label
        )
        .order_by("sequence")
        .values_list("action", "ip_address")
    )


def test_one_audit_event_per_window_however_many_tries(users):
    statuses = fail(40)

    assert statuses == [200] * 4 + [429] * 36
    assert failed_sign_in_events("staff_gd") == [
        ("auth.login_failed", ATTACKER),
        ("auth.locked_out", ATTACKER),
    ]
    # Another address is another pair, with its own event.
    fail(3, REMOTE_ADDR="198.51.100.7")
    assert [e[1] for e in failed_sign_in_events("staff_gd")] == [
        ATTACKER,
        ATTACKER,
        "198.51.100.7",
    ]


def test_guessed_usernames_stay_masked_and_bounded_too(users):
    for typed in ("13800138000", "13800138001", "13912345678"):
        fail(8, username=typed)

    assert failed_sign_in_events("1**") == [
        ("auth.login_failed", ATTACKER),
        ("auth.locked_out", ATTACKER),
    ]
    assert not AuditEvent.objects.filter(actor_label__startswith="138").exists()
