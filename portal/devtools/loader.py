"""Demo data: operators, outlets, accounts and a history of registrations.

``seed_demo`` is idempotent. Every row it writes is derived from a fixed seed and its own
position, so a re-run finds the rows it wrote before and adds nothing; a larger
``registrations`` adds only the missing ones. Existing rows are never changed.

Registrations are written directly with their final status and timestamps: demo data is
history, not a replay of the lifecycle services. Row generation is streamed in batches
(one transaction each): PostgreSQL loads them with COPY, other databases with bulk_create.
"""

from __future__ import annotations

import io
import random
import time as clock
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from django.core.management import call_command, get_commands
from django.db import connection, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.services import role_groups_sync, user_create
from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.devtools.batches import (
    _Batch,
    _ExistingRegistrations,
    _ExistingSubscribers,
    _write_batch,
)
from portal.devtools.bulk_load import indexes_set_aside
from portal.devtools.demo_devices import demo_devices_ensure
from portal.devtools.generators import Generators, batch_generators
from portal.devtools.history import (
    _REG_SUBSCRIBER,
    SUBSCRIBER_FIELDS,
    _build_world,
    _World,
    subscribers_referenced,
)
from portal.devtools.people import person_name
from portal.devtools.reference import (
    DEFAULT_PASSWORD,
    DEFAULT_REGISTRATIONS,
    GROUP_SIZE,
    OPERATORS,
    OTHER_BATCH,
    OUTLETS,
    PG_BATCH,
    staff_username,
)
from portal.devtools.supervision_demo import (
    DemoPlan,
    PlantedBatch,
    demo_plan,
    generate_planted_batch,
    planted_jobs_copy_text,
    planted_jobs_write,
)
from registrations.models import Operator, Outlet, Province, Registration, Subscriber
from registrations.services import registration_cap

# --- Results ------------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    kept: int = 0

    def line(self, label: str) -> str:
        return f"{label}: {self.created} created, {self.kept} kept"


@dataclass(frozen=True)
class Login:
    username: str
    description: str


@dataclass
class SeedSummary:
    operators: Counts = field(default_factory=Counts)
    outlets: Counts = field(default_factory=Counts)
    users: Counts = field(default_factory=Counts)
    subscribers: Counts = field(default_factory=Counts)
    registrations: Counts = field(default_factory=Counts)
    logins: list[Login] = field(default_factory=list)
    supervision: list[str] = field(default_factory=list)  # what its commands printed
    backup_codes: dict[str, list[str]] = field(default_factory=dict)  # by username
    elapsed: float = 0.0

    def lines(self) -> list[str]:
        return [
            self.operators.line("operators"),
            self.outlets.line("outlets"),
            self.users.line("users"),
            self.subscribers.line("subscribers"),
            self.registrations.line("registrations"),
            *self.supervision,
            f"elapsed: {self.elapsed:.1f} s",
        ]


# --- Operators, outlets and accounts ----------------------------------------------------------


def _ensure_operators(counts: Counts) -> dict[str, Operator]:
    operators = {}
    for spec in OPERATORS:
        operator, created = Operator.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name, "kind": spec.kind}
        )
        counts.created += created
        counts.kept += not created
        operators[spec.code] = operator
    return operators


def _ensure_outlets(operators: dict[str, Operator], counts: Counts) -> list[Outlet]:
    outlets = []
    for spec in OUTLETS:
        outlet, created = Outlet.objects.get_or_create(
            operator=operators[spec.operator],
            code=spec.code,
            defaults={
                "name": spec.name,
                "address": spec.address,
                "province_id": spec.province,
                "opening_hours": spec.hours,
                "status": spec.status,
            },
        )
        counts.created += created
        counts.kept += not created
        outlets.append(outlet)
    return outlets


def _ensure_user(username: str, counts: Counts, **details) -> User:
    """Create the account, or leave an existing one exactly as it is (password included)."""
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        counts.kept += 1
        return existing
    counts.created += 1
    # A demo password may be weaker than the rules ask, outside production only.
    return user_create(username=username, demo_password=True, **details)


def _ensure_users(
    *, operators: dict[str, Operator], outlets: list[Outlet], password: str, summary: SeedSummary
) -> dict[str, User]:
    counts = summary.users
    users: dict[str, User] = {}

    def add(username: str, description: str | None, **details) -> None:
        users[username] = _ensure_user(username, counts, **details)
        if description is not None:
            summary.logins.append(Login(username, description))

    add("ministry_admin", "ministry admin", role=Role.MINISTRY_ADMIN, password=password)
    add(
        "inspector",
        "ministry inspector, whole country",
        role=Role.MINISTRY_INSPECTOR,
        password=password,
        provinces=None,
    )
    add(
        "inspector_gd",
        "ministry inspector, Guangdong only",
        role=Role.MINISTRY_INSPECTOR,
        password=password,
        provinces=[Province.objects.get(code="440000")],
    )
    for spec in OPERATORS:
        add(
            f"carrier_admin_{spec.code.lower()}",
            f"carrier admin, {spec.name}",
            role=Role.CARRIER_ADMIN,
            password=password,
            operator=operators[spec.code],
        )
    add(
        "partner_cmcc",
        "API partner, China Mobile",
        role=Role.API_PARTNER,
        password=password,
        operator=operators["CMCC"],
    )
    # One member of staff per outlet records its registrations; a few of them can log in.
    specs = {(o.operator, o.code): o for o in OUTLETS}
    for outlet in outlets:
        spec = specs[(outlet.operator.code, outlet.code)]
        rng = random.Random(f"staff {outlet.code}")
        surname, given = person_name(rng, male=rng.random() < 0.5)
        add(
            staff_username(outlet.code),
            f"outlet staff, {outlet.operator.code} {outlet.code}" if spec.staff_login else None,
            role=Role.OUTLET_STAFF,
            password=password if spec.staff_login else None,
            operator=outlet.operator,
            outlets=[outlet],
            full_name=surname + given,
        )
    return users


# --- Writing rows -----------------------------------------------------------------------------

# A load of at least this many rows, into a table it at least doubles, sets the indexes
# aside (bulk_load.py): below it, rebuilding them costs more than keeping them up to date.
BULK_LOAD_MIN = 500_000


def _seed_registrations(
    *,
    total: int,
    world: _World,
    plan: DemoPlan | None,
    summary: SeedSummary,
    progress: Callable[[str], None] | None,
    processes: int | None,
) -> None:
    """Registrations 0..total-1 in batches.

    While one batch is written, the next ones are generated (see ``generators``): the
    database works while Python computes. Each batch is a transaction of its own, except in
    a bulk load (below), which is one transaction.
    """
    postgres = connection.vendor == "postgresql"
    existing_registrations = _ExistingRegistrations()
    to_write = max(0, total - existing_registrations.count)
    bulk = postgres and to_write >= BULK_LOAD_MIN and to_write >= existing_registrations.count
    generators = batch_generators(to_write, postgres=postgres, processes=processes)
    with (
        generators.executor,
        transaction.atomic() if bulk else nullcontext(),
        indexes_set_aside(Registration, progress=progress) if bulk else nullcontext(),
    ):
        _write_batches(
            total=total,
            world=world,
            plan=plan,
            summary=summary,
            progress=progress,
            generators=generators,
            existing_registrations=existing_registrations,
            postgres=postgres,
        )
    # Until now "kept" counted every subscriber the rows refer to.
    summary.subscribers.kept -= summary.subscribers.created


def _write_batches(
    *,
    total: int,
    world: _World,
    plan: DemoPlan | None,
    summary: SeedSummary,
    progress: Callable[[str], None] | None,
    generators: Generators,
    existing_registrations: _ExistingRegistrations,
    postgres: bool,
) -> None:
    size = PG_BATCH if postgres else OTHER_BATCH
    existing_subscribers = _ExistingSubscribers()
    pending: deque[tuple[set[uuid.UUID], Future[_Batch]]] = deque()

    def write_oldest() -> None:
        existing, generated = pending.popleft()
        batch = generated.result()
        with transaction.atomic():
            subscribers, registrations = _write_batch(batch, existing, existing_subscribers)
            planted_jobs_write(batch, existing)
        summary.subscribers.created += subscribers
        summary.registrations.created += registrations
        if progress is not None:
            progress(f"registrations: {batch.hi} of {total}")

    generate = _generate_for_copy if generators.in_processes else generate_planted_batch
    for lo in range(0, total, size):
        hi = min(total, lo + size)
        summary.subscribers.kept += sum(
            subscribers_referenced(g, hi - g * GROUP_SIZE)
            for g in range(lo // GROUP_SIZE, (hi - 1) // GROUP_SIZE + 1)
        )
        existing = existing_registrations.among(lo, hi)
        summary.registrations.kept += len(existing)
        if len(existing) == hi - lo:
            continue  # the whole batch is there: nothing to generate
        batch = generators.executor.submit(generate, lo, hi, world, plan, copy_text=postgres)
        pending.append((existing, batch))
        # One batch more than there are generators, so that none waits for the writer.
        if len(pending) > generators.workers:
            write_oldest()
    while pending:
        write_oldest()


def _generate_for_copy(
    lo: int, hi: int, world: _World, plan: DemoPlan | None, *, copy_text: bool
) -> _Batch:
    """A batch as a generating process hands it back: the COPY text, and of the rows only
    the keys the writer reads (unpickling whole rows would cost the writer a fifth as much
    as generating them)."""
    batch = generate_planted_batch(lo, hi, world, plan, copy_text=copy_text)
    if isinstance(batch, PlantedBatch):
        batch.job_text = planted_jobs_copy_text(batch)
        batch.jobs = []
    batch.subscribers = [row[:_SUBSCRIBER_KEYS] for row in batch.subscribers]
    batch.registrations = [row[:_REGISTRATION_KEYS] for row in batch.registrations]
    return batch


# What _write_batch reads of the rows on PostgreSQL: a subscriber's ID number (position 1),
# a registration's id and its subscriber's ID number (positions 0 and 1).
_SUBSCRIBER_KEYS = SUBSCRIBER_FIELDS.index("id_number") + 1
_REGISTRATION_KEYS = _REG_SUBSCRIBER + 1


def _audit_demo_data(summary: SeedSummary) -> None:
    """One event for what the demo added: its rows are history, not a replay of services."""
    added = {
        name: (None, getattr(summary, name).created)
        for name in ("operators", "outlets", "subscribers", "registrations")
        if getattr(summary, name).created
    }
    if added:
        with transaction.atomic():
            audit_record(action=Action.DEMO_DATA_LOADED, object_type="demo", changes=added)


# The supervision's commands, run by name (the devtools do not import the supervision): the
# rollups recounted (the rows above bypass the incremental counts), the risk signals
# evaluated, then its own demo records (a notice past its deadline, a finished spot check).
REBUILD_COMMAND = "supervision_rollup_rebuild"
SUPERVISION_COMMANDS = (
    REBUILD_COMMAND,
    "supervision_evaluate_risk",
    "supervision_demo",
)


def _run_supervision_commands(
    summary: SeedSummary, *, rebuild_rollups: bool, progress: Callable[[str], None] | None
) -> None:
    available = get_commands()
    for name in SUPERVISION_COMMANDS:
        if name not in available or (name == REBUILD_COMMAND and not rebuild_rollups):
            continue
        output = io.StringIO()
        started = clock.monotonic()
        call_command(name, stdout=output, stderr=io.StringIO())
        lines = [line.strip() for line in output.getvalue().splitlines() if line.strip()]
        summary.supervision.append(f"{name}: {'; '.join(lines) or 'done'}")
        if progress is not None:
            progress(f"{name}: {clock.monotonic() - started:.1f} s")


def seed_demo(
    *,
    registrations: int = DEFAULT_REGISTRATIONS,
    password: str = DEFAULT_PASSWORD,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    rebuild_rollups: bool = True,
    supervision: bool = True,
    processes: int | None = None,
) -> SeedSummary:
    """Create (or complete) the demo: 4 operators, 40 outlets, accounts, registrations.

    ``rebuild_rollups=False`` leaves the supervision rollups to the caller (the benchmark
    times the rebuild itself); the risk signals and the supervision demo read the rows.
    ``supervision=False`` leaves out all three (a database only its query plans are asked of).
    ``processes`` generating a large load on PostgreSQL: by default one per core.
    """
    if registrations < 0:
        raise ValueError("the number of registrations cannot be negative")
    started = clock.monotonic()
    now = now or timezone.now()
    summary = SeedSummary()
    with transaction.atomic():
        role_groups_sync()
        operators = _ensure_operators(summary.operators)
        outlets = _ensure_outlets(operators, summary.outlets)
        users = _ensure_users(
            operators=operators, outlets=outlets, password=password, summary=summary
        )
        login_names = {login.username for login in summary.logins}
        summary.backup_codes = demo_devices_ensure(
            user for name, user in users.items() if name in login_names
        )
    world = _build_world(operators=operators, users=users, now=now, cap=registration_cap())
    plan = demo_plan(total=registrations, world=world)
    _seed_registrations(
        total=registrations,
        world=world,
        plan=plan,
        summary=summary,
        progress=progress,
        processes=processes,
    )
    _audit_demo_data(summary)
    if summary.registrations.created and connection.vendor == "postgresql":
        # Fresh statistics, so that the first pages over the new rows get good plans.
        with connection.cursor() as cursor:
            for model in (Subscriber, Registration):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    if summary.registrations.created and supervision:
        # Only after new rows: a re-run that adds nothing changes nothing.
        _run_supervision_commands(summary, rebuild_rollups=rebuild_rollups, progress=progress)
    summary.elapsed = clock.monotonic() - started
    return summary
