"""seed_demo's large load: generated in processes, written with the indexes set aside.

The thresholds are lowered so that a few thousand rows take the path ten million take.
"""

import pytest
from django.db import connection
from django.utils import timezone

from portal.accounts.models import User
from portal.devtools import generators, loader
from portal.devtools.history import _build_world
from portal.devtools.loader import seed_demo
from portal.devtools.supervision_demo import demo_plan, generate_planted_batch
from registrations.models import Operator, Registration
from registrations.services import registration_cap
from tests.factories import is_postgres
from verification.models import VerificationJob

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not is_postgres(), reason="COPY, processes and set-aside indexes"),
]

TOTAL = 2_400
BATCH = 512  # a multiple of the demo's group size (16)
NOW = timezone.make_aware(timezone.datetime(2026, 11, 20, 15, 30))
TABLE = Registration._meta.db_table


def catalogue() -> tuple[set, set]:
    """The registrations table's index and foreign-key definitions, as the database has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass",
            [TABLE],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass",
            [TABLE],
        )
        return indexes, set(cursor.fetchall())


@pytest.fixture
def large_load(monkeypatch):
    """Every load counts as large; records which generators each seed used (whether
    processes, how many)."""
    monkeypatch.setattr(loader, "PG_BATCH", BATCH)
    monkeypatch.setattr(loader, "BULK_LOAD_MIN", 1)
    monkeypatch.setattr(generators, "PARALLEL_MIN", 1)
    monkeypatch.setattr(generators.os, "cpu_count", lambda: 2)
    used = []
    set_aside = []
    original_generators = loader.batch_generators
    original_set_aside = loader.indexes_set_aside

    def recording_generators(*args, **kwargs):
        chosen = original_generators(*args, **kwargs)
        used.append((chosen.in_processes, chosen.workers))
        return chosen

    def recording_set_aside(*args, **kwargs):
        set_aside.append(args[0])
        return original_set_aside(*args, **kwargs)

    monkeypatch.setattr(loader, "batch_generators", recording_generators)
    monkeypatch.setattr(loader, "indexes_set_aside", recording_set_aside)
    return used, set_aside


def expected_rows(total: int) -> tuple[dict, int]:
    """What the generator makes of registrations 0..total-1, by id; and the planted jobs."""
    operators = {operator.code: operator for operator in Operator.objects.all()}
    users = {user.username: user for user in User.objects.all()}
    world = _build_world(operators=operators, users=users, now=NOW, cap=registration_cap())
    plan = demo_plan(total=total, world=world)
    rows, jobs = {}, 0
    for lo in range(0, total, BATCH):
        batch = generate_planted_batch(lo, min(total, lo + BATCH), world, plan, copy_text=False)
        rows.update((row[0], row) for row in batch.registrations)
        jobs += len(batch.jobs)
    return rows, jobs


def test_a_large_load_writes_in_processes_exactly_what_the_generator_makes(large_load):
    used, set_aside = large_load
    before = catalogue()

    summary = seed_demo(registrations=TOTAL, password="demo-pass-under-test", now=NOW)

    assert used == [(True, 2)], "the batches were generated in a process per core"
    assert set_aside == [Registration], "the registrations' indexes were set aside"
    assert catalogue() == before, "every index and foreign key is back, as it was"
    assert summary.registrations.created == TOTAL
    expected, planted_jobs = expected_rows(TOTAL)
    written = Registration.objects.select_related("subscriber")
    assert written.count() == TOTAL
    for registration in written:
        row = expected[registration.pk]
        assert registration.subscriber.id_number == row[1]  # sealed by a child, opened here
        assert (registration.status, registration.msisdn, registration.iccid) == (
            row[8],
            row[6],
            row[7],
        )
        assert (registration.created_at, registration.decided_at) == (row[13], row[16])
    assert VerificationJob.objects.count() == planted_jobs


def test_a_small_addition_to_a_large_table_keeps_the_indexes(large_load):
    used, set_aside = large_load
    seed_demo(registrations=TOTAL, password="demo-pass-under-test", now=NOW)

    seed_demo(registrations=TOTAL + 100, password="demo-pass-under-test", now=NOW)

    assert set_aside == [Registration], "only the first load (into an empty table) set them aside"
    assert Registration.objects.count() == TOTAL + 100


def test_a_load_asked_for_one_process_generates_in_one(large_load):
    used, _set_aside = large_load

    seed_demo(registrations=TOTAL, password="demo-pass-under-test", now=NOW, processes=1)

    assert used == [(True, 1)]
    assert Registration.objects.count() == TOTAL


def test_the_command_refuses_no_process_at_all():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--processes must be at least 1"):
        call_command("seed_demo", registrations=10, processes=0)
    assert not Registration.objects.exists()


def test_a_load_that_fails_leaves_the_indexes_and_no_row(large_load, monkeypatch):
    before = catalogue()
    calls = []

    def failing_write(batch, existing):
        calls.append(batch.lo)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return 0

    monkeypatch.setattr(loader, "planted_jobs_write", failing_write)

    with pytest.raises(RuntimeError, match="the disk is full"):
        seed_demo(registrations=TOTAL, password="demo-pass-under-test", now=NOW)

    assert calls == [0, BATCH, 2 * BATCH]
    assert catalogue() == before
    assert not Registration.objects.exists(), "the load is one transaction"
