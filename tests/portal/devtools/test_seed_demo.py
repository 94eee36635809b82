"""seed_demo: idempotent demo data that keeps every rule the real lifecycle keeps."""

import hashlib
import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count
from django.http import HttpRequest  # axes needs a request to authenticate
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.roles import Role, role_of
from portal.devtools.loader import DEFAULT_PASSWORD, seed_demo
from portal.devtools.people import msisdn_for, registration_uuid, subscriber_identity
from portal.devtools.reference import staff_username
from registrations import rules, scoping
from registrations.models import (
    Operator,
    Outlet,
    Registration,
    RegistrationPolicy,
    Subscriber,
)

N = 300
DEMO_PASSWORD = "demo-password-under-test"
Status = Registration.Status


def seed(registrations: int = N) -> str:
    out = io.StringIO()
    call_command("seed_demo", registrations=registrations, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    return DEMO_PASSWORD


@pytest.fixture
def seeded(demo_password) -> str:
    return seed()


def _digest(rows) -> str:
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def snapshot() -> dict:
    """Row counts of every table, and a hash of every row of the tables the seed writes."""
    tables = [m for m in apps.get_models() if m._meta.managed]  # unmanaged ones have no table
    state = {m._meta.label: m._default_manager.count() for m in tables}
    state["registrations"] = _digest(
        Registration.objects.order_by("id").values_list(
            "id", "status", "msisdn", "iccid", "subscriber_id", "outlet_id", "created_by_id",
            "decided_by_id", "created_at", "updated_at", "submitted_at", "decided_at",
            "cancelled_at",
        )
    )  # fmt: skip
    state["subscribers"] = _digest(
        Subscriber.objects.order_by("id").values_list(
            "id", "id_number", "full_name", "birth_date", "id_expiry", "created_at"
        )
    )
    state["users"] = _digest(
        User.objects.order_by("id").values_list(
            "id", "username", "password", "operator_id", "is_active", "full_name"
        )
    )
    state["outlets"] = _digest(Outlet.objects.order_by("id").values_list())
    state["operators"] = _digest(Operator.objects.order_by("id").values_list())
    return state


@pytest.mark.django_db
def test_it_changes_nothing_when_run_twice(seeded):
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert f"registrations: 0 created, {N} kept" in output
    assert "users: 0 created" in output


@pytest.mark.django_db
def test_it_adds_only_the_missing_registrations_for_a_larger_number(seeded):
    first = {
        r.pk: (r.status, r.msisdn, r.created_at, r.updated_at) for r in Registration.objects.all()
    }

    output = seed(N + 170)

    assert f"registrations: 170 created, {N} kept" in output
    after = {
        r.pk: (r.status, r.msisdn, r.created_at, r.updated_at) for r in Registration.objects.all()
    }
    assert len(after) == N + 170
    assert {pk: after[pk] for pk in first} == first
    before_third_run = snapshot()
    seed(N + 170)
    assert snapshot() == before_third_run


@pytest.mark.django_db
def test_it_creates_three_network_operators_and_one_virtual_operator(seeded):
    kinds = dict(Operator.objects.values_list("code", "kind"))

    assert kinds == {"CMCC": "MNO", "CUCC": "MNO", "CTCC": "MNO", "SNAIL": "MVNO"}


@pytest.mark.django_db
def test_it_spreads_about_forty_outlets_over_at_least_ten_provinces(seeded):
    outlets = list(Outlet.objects.select_related("operator"))

    assert 35 <= len(outlets) <= 45
    assert len({o.province_id for o in outlets}) >= 10
    assert Outlet.objects.filter(operator__code="CMCC", province_id="440000", status="active")
    assert 1 <= sum(o.status == Outlet.Status.SUSPENDED for o in outlets) <= 3
    assert {o.operator.code for o in outlets} == {"CMCC", "CUCC", "CTCC", "SNAIL"}
    for outlet in outlets:
        assert re.fullmatch(r"[A-Z]{2}-[A-Z]{2}-\d{3}", outlet.code)
        assert re.fullmatch(r"\d\d:\d\d-\d\d:\d\d", outlet.opening_hours)
        assert outlet.name and outlet.address


@pytest.mark.django_db
def test_it_gives_each_demo_account_its_role(seeded):
    expected = {
        "ministry_admin": Role.MINISTRY_ADMIN,
        "inspector": Role.MINISTRY_INSPECTOR,
        "inspector_gd": Role.MINISTRY_INSPECTOR,
        "carrier_admin_cmcc": Role.CARRIER_ADMIN,
        "carrier_admin_cucc": Role.CARRIER_ADMIN,
        "carrier_admin_ctcc": Role.CARRIER_ADMIN,
        "carrier_admin_snail": Role.CARRIER_ADMIN,
        "partner_cmcc": Role.API_PARTNER,
        "staff_gd_sz_001": Role.OUTLET_STAFF,
    }
    for username, role in expected.items():
        assert role_of(User.objects.get(username=username)) == role, username
    assert User.objects.get(username="partner_cmcc").operator.code == "CMCC"
    staff = User.objects.filter(username__startswith="staff_")
    assert staff.count() == Outlet.objects.count()


def _scoped_ids(username: str) -> set:
    user = User.objects.get(username=username)
    return set(scoping.registrations_in_scope(user).values_list("pk", flat=True))


def _ids(**lookup) -> set:
    return set(Registration.objects.filter(**lookup).values_list("pk", flat=True))


@pytest.mark.django_db
def test_it_scopes_each_demo_account_to_its_own_registrations(seeded):
    assert _scoped_ids("inspector") == _ids()
    assert _scoped_ids("inspector_gd") == _ids(province_id="440000") != set()
    assert _scoped_ids("carrier_admin_cmcc") == _ids(operator__code="CMCC") != set()
    assert _scoped_ids("carrier_admin_snail") == _ids(operator__code="SNAIL") != set()
    assert (
        _scoped_ids("partner_cmcc")
        == _ids(operator__code="CMCC", channel="online", created_by__username="partner_cmcc")
        != set()
    )
    for username in ("staff_gd_sz_001", "staff_bj_xc_001", "staff_sh_xh_001"):
        outlet = Outlet.objects.get(code=username.removeprefix("staff_").upper().replace("_", "-"))
        assert _scoped_ids(username) == _ids(outlet=outlet) != set(), username


@pytest.mark.django_db
def test_it_lets_the_printed_logins_sign_in_with_the_demo_password(seeded, client):
    logins = re.findall(r"^  (\S+) ", seeded, flags=re.MULTILINE)

    assert {"ministry_admin", "inspector", "inspector_gd", "carrier_admin_cmcc"} <= set(logins)
    assert len([u for u in logins if u.startswith("staff_")]) >= 4
    assert DEMO_PASSWORD in seeded
    for username in logins:
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), (
            username
        )
        client.logout()
    # Staff that are not listed are record owners only: they cannot sign in.
    assert not client.login(
        request=HttpRequest(), username="staff_gd_dg_001", password=DEMO_PASSWORD
    )


@pytest.mark.django_db
def test_it_uses_the_default_password_when_none_is_set(monkeypatch, client):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    output = seed(0)

    assert DEFAULT_PASSWORD in output
    assert client.login(request=HttpRequest(), username="inspector_gd", password=DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_it_leaves_existing_accounts_alone(demo_password, client):
    from portal.accounts.services import user_create

    user_create(username="inspector", password="kept-password-77", role=Role.MINISTRY_INSPECTOR)

    output = seed(0)

    assert "users: 47 created, 1 kept" in output
    assert client.login(request=HttpRequest(), username="inspector", password="kept-password-77")


@pytest.mark.django_db
def test_it_writes_a_realistic_mix_of_statuses_and_channels(seeded):
    statuses = Counter(Registration.objects.values_list("status", flat=True))
    channels = Counter(Registration.objects.values_list("channel", flat=True))

    assert sum(statuses.values()) == N
    assert statuses[Status.APPROVED] > N * 0.6
    assert statuses[Status.REJECTED] > 0
    assert statuses[Status.REVIEW] > 0
    assert set(statuses) <= set(Status.values)
    assert 0.05 * N < channels["online"] < 0.3 * N
    assert channels["outlet"] + channels["online"] == N


@pytest.mark.django_db
def test_it_files_online_registrations_under_the_subscribers_province(seeded):
    online = Registration.objects.filter(channel="online").select_related(
        "subscriber", "operator", "created_by"
    )

    assert online
    for registration in online:
        assert registration.outlet_id is None
        home = rules.province_code_from_resident_id(registration.subscriber.id_number)
        assert registration.province_id == home
        operator = registration.operator.code.lower()
        expected = "partner_cmcc" if operator == "cmcc" else f"carrier_admin_{operator}"
        assert registration.created_by.username == expected


@pytest.mark.django_db
def test_it_records_outlet_registrations_by_the_outlets_own_staff(seeded):
    rows = Registration.objects.filter(channel="outlet").select_related("outlet", "created_by")

    for registration in rows:
        assert registration.province_id == registration.outlet.province_id
        assert registration.created_by.username == staff_username(registration.outlet.code)


@pytest.mark.django_db
def test_it_keeps_every_number_card_and_id_rule(seeded):
    today = timezone.localdate()
    for registration in Registration.objects.all():
        assert rules.normalize_msisdn(registration.msisdn) == registration.msisdn
        assert rules.validate_iccid(registration.iccid) == registration.iccid
    holding = Registration.objects.filter(status__in=Registration.HOLDING_STATUSES)
    assert holding.values("msisdn").distinct().count() == holding.count()
    for subscriber in Subscriber.objects.all():
        assert subscriber.id_type == Subscriber.IdType.RESIDENT_ID
        number = rules.validate_resident_id(
            subscriber.id_number, birth_date=subscriber.birth_date, today=today
        )
        assert number == subscriber.id_number
        assert 1950 <= subscriber.birth_date.year <= 2006
        rules.validate_id_not_expired(subscriber.id_expiry, today=today)


@pytest.mark.django_db
def test_it_gives_some_subscribers_long_term_ids_and_several_numbers(seeded):
    assert Subscriber.objects.filter(id_expiry__isnull=True).exists()
    assert Subscriber.objects.filter(id_expiry__isnull=False).exists()
    per_subscriber = Counter(Registration.objects.values_list("subscriber_id", flat=True))
    assert 1.5 < N / len(per_subscriber) < 2.8
    assert max(per_subscriber.values()) > 1


def _holding_per_subscriber_and_operator():
    return (
        Registration.objects.filter(status__in=Registration.HOLDING_STATUSES)
        .values("subscriber_id", "operator_id")
        .annotate(n=Count("id"))
        .order_by("-n")
    )


@pytest.mark.django_db
def test_it_keeps_every_subscriber_within_the_cap(seeded):
    assert _holding_per_subscriber_and_operator()[0]["n"] <= 5


@pytest.mark.django_db
def test_it_keeps_a_lower_cap_set_by_the_ministry(demo_password):
    RegistrationPolicy.objects.create(id=1, cap_per_operator=1)

    seed()

    assert _holding_per_subscriber_and_operator()[0]["n"] == 1


@pytest.mark.django_db
def test_it_spreads_registrations_over_the_last_ninety_days(seeded):
    now = timezone.now()
    rows = Registration.objects.all()

    for r in rows:
        assert now - timedelta(days=90) < r.created_at < now
        assert r.created_at <= r.updated_at <= now
        if r.submitted_at:
            assert r.created_at < r.submitted_at <= (r.decided_at or now)
        if r.cancelled_at:
            assert r.decided_at < r.cancelled_at <= now
        assert (r.submitted_at is None) == (r.status == Status.DRAFT)
        assert (r.decided_at is None) == (r.status in {"draft", "submitted", "verifying"})
        assert (r.cancelled_at is None) == (r.status != Status.CANCELLED)
    days = {timezone.localtime(r.created_at).date() for r in rows}
    assert (max(days) - min(days)).days > 60
    # Most outlet work happens while the outlet is open.
    outlet_rows = [r for r in rows.select_related("outlet") if r.outlet]
    open_hours = sum(
        r.outlet.opening_hours[:5]
        <= timezone.localtime(r.created_at).strftime("%H:%M")
        < r.outlet.opening_hours[6:]
        for r in outlet_rows
    )
    assert open_hours > 0.85 * len(outlet_rows)


@pytest.mark.django_db
def test_it_never_prints_names_or_id_numbers(seeded):
    for id_number, name in Subscriber.objects.values_list("id_number", "full_name"):
        assert id_number not in seeded
        assert name not in seeded
    for (name,) in User.objects.values_list("full_name"):
        if name:
            assert name not in seeded


def test_it_gives_distinct_subscribers_distinct_valid_id_numbers():
    today = timezone.localdate()
    numbers = [subscriber_identity(i)[0] for i in range(100_000)]

    assert len(set(numbers)) == len(numbers)
    for number in numbers[:2000]:
        rules.validate_resident_id(number, today=today)


def test_it_gives_distinct_registrations_distinct_ids_and_numbers():
    assert len({registration_uuid(i) for i in range(50_000)}) == 50_000
    assert len({msisdn_for(i, "138") for i in range(50_000)}) == 50_000
    assert registration_uuid(7) == registration_uuid(7)


@pytest.mark.django_db
def test_it_keeps_every_timestamp_in_the_past_when_run_just_after_midnight():
    midnight = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time())
    )
    now = midnight + timedelta(minutes=20)

    seed_demo(registrations=N, password=DEMO_PASSWORD, now=now)

    for r in Registration.objects.all():
        stamps = [r.created_at, r.submitted_at, r.decided_at, r.cancelled_at, r.updated_at]
        assert all(stamp < now for stamp in stamps if stamp), r.status
        assert now - timedelta(days=90) < r.created_at


@pytest.mark.django_db
def test_it_records_one_audit_event_for_the_demo_data_and_none_on_a_rerun():
    from portal.audit.models import AuditEvent

    call_command("seed_demo", registrations=40, stdout=io.StringIO())
    loaded = AuditEvent.objects.filter(action="system.demo_data_loaded")
    assert loaded.count() == 1
    assert loaded.get().changes["registrations"] == [None, 40]
    call_command("seed_demo", registrations=40, stdout=io.StringIO())
    assert loaded.count() == 1
