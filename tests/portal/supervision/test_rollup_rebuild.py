"""The rebuild recounts every rollup from the rows, and agrees with the incremental counts."""

import io
import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.supervision.models.rollups import HISTOGRAM_FIELDS, ROLLUP_MODELS, StatusRollup
from portal.supervision.services.rollups import rollups_rebuild
from registrations import rules
from registrations import services as registration_services
from tests.factories import (
    create_registration,
    is_postgres,
    next_iccid,
    next_msisdn,
    subscriber_details,
)
from tests.portal.supervision.test_rollups import capture, clock, prepare_capture, run_job
from verification import services as verification_services

pytestmark = pytest.mark.django_db

COUNTS = {"id", "n", "seconds", "reviewed", "retaken", "overrides", *HISTOGRAM_FIELDS}


def snapshot() -> dict:
    """Every rollup's non-empty rows, as {(rollup, key): counts}."""
    rows = {}
    for model in ROLLUP_MODELS:
        for row in model.objects.values():
            counts = tuple(sorted((k, v) for k, v in row.items() if k in COUNTS - {"id"}))
            if any(value for _, value in counts):
                key = tuple(sorted((k, v) for k, v in row.items() if k not in COUNTS))
                rows[(model.__name__, key)] = counts
    return rows


class World:
    """Registrations of two operators, at outlets and online, pushed through the real
    services by a seeded random walk, over several days."""

    def __init__(self, users, outlets, seed: int):
        self.random = random.Random(seed)
        self.users = users
        self.outlets = outlets
        self.now = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)

    def tick(self):
        self.now += timedelta(seconds=self.random.choice([5, 40, 300, 3600, 5 * 3600]))
        return clock(self.now)

    def create(self, number: int):
        outlet, staff = self.random.choice(self.outlets)
        online = self.random.random() < 0.25
        with self.tick():
            registration = registration_services.registration_create(
                actor=self.users["partner"] if online else staff,
                subscriber=subscriber_details(
                    id_number=rules.make_resident_id(
                        area_code="440103",
                        birth_date=datetime(1940 + number * 3 % 70, 1, 1).date(),
                        sequence=number,
                    ),
                    birth_date=datetime(1940 + number * 3 % 70, 1, 1).date(),
                ),
                operator=self.users["partner"].operator if online else outlet.operator,
                outlet=None if online else outlet,
                msisdn=next_msisdn(),
                iccid=next_iccid(),
                province=outlet.province if online else None,
            )
        if not online:
            prepare_capture(registration, staff)
        return registration, (self.users["partner"] if online else staff)

    def reviewer_for(self, registration):
        if registration.operator.code == "CUCC":
            return self.users["carrier_admin_cucc"]
        return self.users["carrier_admin"]

    def walk(self, registration, actor):
        """Random steps until the registration rests (or the walk stops early)."""
        choose = self.random.random
        for _ in range(8):
            registration.refresh_from_db()
            status = registration.status
            if choose() < 0.1:
                return  # left where it is: a draft, submitted, verifying or in review
            with self.tick():
                if status == "draft" and registration.channel == "online":
                    registration_services.registration_submit(
                        registration=registration, actor=actor
                    )
                elif status in ("draft", "verifying") and registration.channel == "outlet":
                    source = "camera" if choose() < 0.7 else "upload"
                    job = capture(registration, actor, source=source)
                    decision = self.random.choice(["pass", "pass", "fail", "fail", "review"])
                    reasons = []
                    if decision == "fail":
                        reasons = [self.random.choice(["no_blink", "no_match", "no_face"])]
                    with self.tick():
                        run_job(job, decision, reasons)
                elif status == "submitted":
                    verifying = registration_services.registration_start_verification(
                        registration=registration
                    )
                    outcome = self.random.choice(["approved", "rejected", "review"])
                    with self.tick():
                        registration_services.registration_decide(
                            registration=verifying, decision=outcome, reasons=["no_match"]
                        )
                elif status == "review":
                    verification_services.review_decide(
                        registration=registration,
                        reviewer=self.reviewer_for(registration),
                        approve=choose() < 0.5,
                        note="Checked against the portrait",
                    )
                elif status == "approved":
                    if choose() < 0.3:
                        registration_services.registration_cancel(
                            registration=registration, actor=self.reviewer_for(registration)
                        )
                    elif choose() < 0.5:
                        verification_services.viewing_grant_open(
                            registration=registration,
                            viewer=self.users["inspector"],
                            reason="Routine inspection of approvals",
                        )
                    else:
                        return
                else:
                    return


@pytest.fixture
def outlets(users, outlet_gd, outlet_bj, outlet_cucc_gd):
    staff_cucc = user_create(
        username="staff_cucc",
        password="x-pass-1234-5678",
        role=Role.OUTLET_STAFF,
        operator=outlet_cucc_gd.operator,
        outlets=[outlet_cucc_gd],
    )
    return [(outlet_gd, users["staff"]), (outlet_bj, users["staff_bj"]),
            (outlet_cucc_gd, staff_cucc)]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
def test_after_a_random_mix_of_transitions_the_incremental_rollups_equal_a_rebuild(
    users, outlets, seed
):
    world = World(users, outlets, seed)
    for number in range(30):
        world.walk(*world.create(number))
    incremental = snapshot()
    statuses = {key for (model, key) in incremental if model == "StatusRollup"}
    assert len(statuses) > 5, "the walk reached several statuses, days and places"
    assert any(model == "DecisionRollup" for model, _ in incremental)

    rollups_rebuild(actor=None)
    assert snapshot() == incremental


def test_the_place_rollups_are_the_finer_ones_summed_and_the_migration_fills_them(users, outlets):
    import importlib

    from django.apps import apps as django_apps

    from portal.supervision.models.rollups import PLACE_ROLLUPS

    world = World(users, outlets, 4)
    for number in range(12):
        world.walk(*world.create(number))
    for place, finer, columns in PLACE_ROLLUPS:
        keys = list(place._meta.constraints[0].fields)
        summed = {
            tuple(row[k] for k in keys): tuple(row[c] for c in columns)
            for row in finer.objects.values(*keys)
            .annotate(**{c: Sum(c) for c in columns})
            .order_by()
        }
        assert summed, f"{finer.__name__} has rows"
        kept = {tuple(r[k] for k in keys): tuple(r[c] for c in columns)
                for r in place.objects.values(*keys, *columns)}  # fmt: skip
        assert {k: v for k, v in kept.items() if any(v)} == {
            k: v for k, v in summed.items() if any(v)
        }, place.__name__

    incremental = snapshot()
    for place, _, _ in PLACE_ROLLUPS:
        place.objects.all().delete()
    migration = importlib.import_module("portal.supervision.migrations.0010_place_rollups")
    with connection.schema_editor() as editor:
        migration.fill(django_apps, editor)
    assert snapshot() == incremental, "a database with the finer rollups only gets the same"


def test_the_rebuild_replaces_wrong_counts_and_is_audited(users, outlet_gd, outlets):
    world = World(users, outlets, 3)
    world.walk(*world.create(1))
    expected = snapshot()
    StatusRollup.objects.update(n=99)
    StatusRollup.objects.create(
        day="2020-01-01", operator_id=1, province_code="110000", outlet_id=0, staff_id=1,
        channel="online", status="approved", n=5,
    )  # fmt: skip

    call_command("supervision_rollup_rebuild", stdout=io.StringIO())

    assert snapshot() == expected
    event = AuditEvent.objects.filter(action=Action.ROLLUPS_REBUILT).get()
    assert event.object_type == "rollups"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_changes_and_a_rebuild_lose_no_count_on_postgresql(users, outlet_gd):
    """Parallel transactions, one connection each, all moving the same rollup rows, while a
    rebuild replaces them: the counts end as a recount says."""
    if not is_postgres():
        pytest.skip("needs PostgreSQL: SQLite has one writer, so nothing runs in parallel")
    drafts = [create_registration(actor=users["staff"], outlet=outlet_gd) for _ in range(8)]
    start = threading.Barrier(len(drafts) + 1)
    failures = []

    def submit(draft):
        try:
            start.wait()
            registration_services.registration_submit(
                registration=draft, actor=users["staff"], with_capture=True
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    def rebuild():
        try:
            start.wait()
            rollups_rebuild(actor=None)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    threads.append(threading.Thread(target=rebuild))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    counts = {row.status: row.n for row in StatusRollup.objects.exclude(n=0)}
    assert counts == {"submitted": 8}
    incremental = snapshot()
    rollups_rebuild(actor=None)
    assert snapshot() == incremental
