"""The demo's history of registrations, generated as rows, without touching the database.

Registrations come in groups of ``GROUP_SIZE`` consecutive indices, each group generated
from its own random seed, so any batch can be generated without the ones before it. A
subscriber's registrations all lie in one group, which is how the cap is kept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from django.utils import timezone

from portal.accounts.models import User
from portal.devtools.people import (
    iccid_for,
    msisdn_for,
    person_name,
    registration_uuid,
    subscriber_identity,
)
from portal.devtools.reference import (
    _ONLINE_HOUR_CUM,
    _STATUS_CUM,
    _STATUSES,
    APPROVE_NOTES,
    GROUP_SIZE,
    HISTORY_DAYS,
    HOLDING,
    OFF_HOURS_SHARE,
    OPERATORS,
    OUTLETS,
    REJECT_NOTES,
    REJECT_REASONS,
    REVIEW_REASONS,
    SEED,
    OperatorSpec,
    Status,
    _outlet_codes,
    _pick,
    staff_username,
)
from registrations.models import Operator, Outlet, Registration, Subscriber

# --- Deterministic building blocks --------------------------------------------------------


_SIZE_CUM = (45, 70, 83, 91, 96, 99, 100)  # 1 to 7 registrations; mean about 2.1
# A person's next number mostly comes from the operator and the shop of the last one: an ID
# seen at three outlets or with three operators within weeks is what the risk signal
# id_spread looks for, and in the demo it should be the exception it is (about 1 person in
# 3,000), not a hundredth of everybody.
OPERATOR_SWITCH = 0.05
SAME_SHOP = 0.95


def _group_rng(group: int) -> random.Random:
    return random.Random(SEED * 100_000_000 + group)


def _subscriber_sizes(rng: random.Random) -> list[int]:
    """How many of the group's registrations each of its subscribers has (summing to 16).

    Drawn first from the group's generator, so counting subscribers needs nothing else.
    A few subscribers have more registrations than the cap, spread over operators.
    """
    sizes: list[int] = []
    left = GROUP_SIZE
    while left:
        size = min(left, 1 + _pick(rng, _SIZE_CUM))
        sizes.append(size)
        left -= size
    return sizes


def subscribers_referenced(group: int, limit: int) -> int:
    """Subscribers of a group that own at least one of its first ``limit`` registrations."""
    count = start = 0
    for size in _subscriber_sizes(_group_rng(group)):
        if start >= limit:
            break
        count += 1
        start += size
    return count


def _parse_hours(text: str) -> tuple[int, int]:
    """Opening and closing time in seconds after midnight, from "09:00-21:00"."""
    try:
        opens, closes = (
            int(part[:2]) * 3600 + int(part[3:5]) * 60 for part in text.strip()[:11].split("-")
        )
    except ValueError:
        return 9 * 3600, 21 * 3600
    if not 0 <= opens < closes <= 24 * 3600:
        return 9 * 3600, 21 * 3600
    return opens, closes


# --- The world the rows refer to ------------------------------------------------------------


@dataclass
class _Outlet:
    id: int
    province_id: str
    opens: int
    closes: int
    suspended: bool
    staff_id: int


@dataclass
class _Operator:
    spec: OperatorSpec
    id: int
    admin_id: int
    online_creator_id: int
    outlets: list[_Outlet]
    outlet_cum: list[float]
    local: dict[str, tuple[list[_Outlet], list[float]]]


@dataclass
class _World:
    operators: list[_Operator]
    operator_cum: list[float]
    now: datetime
    today: date
    midnights: list[datetime]  # UTC instant of local midnight, by days ago
    day_cum: list[float]  # weights of days 1..HISTORY_DAYS-1 ago
    cap: int


def _day_weights(today: date) -> list[float]:
    """Days 1..89 ago: slowly growing volume, busier weekends."""
    weights = []
    for days_ago in range(1, HISTORY_DAYS):
        day = today - timedelta(days=days_ago)
        weights.append((1.0 + (HISTORY_DAYS - days_ago) / 150) * (1.3 if day.weekday() >= 5 else 1))
    return list(accumulate(weights))


def _build_world(
    *, operators: dict[str, Operator], users: dict[str, User], now: datetime, cap: int
) -> _World:
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now)
    by_operator: list[_Operator] = []
    outlet_weights = {(o.operator, o.code): o.weight for o in OUTLETS}
    for spec in OPERATORS:
        operator = operators[spec.code]
        admin = users[f"carrier_admin_{spec.code.lower()}"]
        partner = users.get(f"partner_{spec.code.lower()}")
        outlets, weights = [], []
        for outlet in Outlet.objects.filter(operator=operator, code__in=_outlet_codes(spec.code)):
            opens, closes = _parse_hours(outlet.opening_hours)
            outlets.append(
                _Outlet(
                    id=outlet.pk,
                    province_id=outlet.province_id,
                    opens=opens,
                    closes=closes,
                    suspended=outlet.status == Outlet.Status.SUSPENDED,
                    staff_id=users[staff_username(outlet.code)].pk,
                )
            )
            weights.append(outlet_weights[(spec.code, outlet.code)])
        local: dict[str, tuple[list[_Outlet], list[float]]] = {}
        for outlet, weight in zip(outlets, weights, strict=True):
            entry = local.setdefault(outlet.province_id, ([], []))
            entry[0].append(outlet)
            entry[1].append(weight)
        by_operator.append(
            _Operator(
                spec=spec,
                id=operator.pk,
                admin_id=admin.pk,
                online_creator_id=(partner or admin).pk,
                outlets=outlets,
                outlet_cum=list(accumulate(weights)),
                local={p: (o, list(accumulate(w))) for p, (o, w) in local.items()},
            )
        )
    midnights = [
        datetime.combine(today - timedelta(days=d), time(0), tzinfo=zone).astimezone(UTC)
        for d in range(HISTORY_DAYS)
    ]
    return _World(
        operators=by_operator,
        operator_cum=list(accumulate(o.share for o in OPERATORS)),
        now=now,
        today=today,
        midnights=midnights,
        day_cum=_day_weights(today),
        cap=cap,
    )


# --- Row generation ---------------------------------------------------------------------------

SUBSCRIBER_FIELDS = (
    "id_type", "id_number", "full_name", "birth_date", "id_expiry", "created_at", "sex",
)  # fmt: skip
REGISTRATION_FIELDS = (
    "id", "subscriber", "operator", "outlet", "channel", "province", "msisdn", "iccid", "status",
    "created_by", "decided_by", "decision_reasons", "decision_note", "created_at", "updated_at",
    "submitted_at", "decided_at", "cancelled_at",
)  # fmt: skip
_REG_SUBSCRIBER = REGISTRATION_FIELDS.index("subscriber")
_REG_CREATED = REGISTRATION_FIELDS.index("created_at")

_RESIDENT_ID = Subscriber.IdType.RESIDENT_ID
_OUTLET = Registration.Channel.OUTLET
_ONLINE = Registration.Channel.ONLINE
_SECOND = timedelta(seconds=1)
_RECENT = timedelta(hours=3)  # the newest registration is at least this old


def _seconds(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=low + rng.random() * (high - low))


def _id_expiry(rng: random.Random, birth_date: date, today: date) -> date | None:
    """Most cards issued at 46 or older are long-term; others expire within 20 years."""
    age = (today - birth_date).days // 365
    if age >= 46 and rng.random() < 0.7:
        return None
    return today + timedelta(days=rng.randint(30, 20 * 365))


def generate_group(group: int, world: _World) -> tuple[list[tuple], list[tuple]]:
    """All subscribers and registrations of one group, as tuples in *_FIELDS order.

    The registrations' subscriber is given by ID number; the writer swaps in the key.
    Everything depends only on the group number and the world (ids, today), never on
    what was generated before, so any group can be generated on its own.
    """
    rng = _group_rng(group)
    sizes = _subscriber_sizes(rng)
    subscribers: list[tuple] = []
    registrations: list[tuple] = []
    index = group * GROUP_SIZE
    for position, size in enumerate(sizes):
        id_number, birth_date, male = subscriber_identity(group * GROUP_SIZE + position)
        surname, given = person_name(rng, male=male)
        expiry = _id_expiry(rng, birth_date, world.today)
        home = id_number[:2] + "0000"
        holding: dict[int, int] = {}
        shops: dict[int, _Outlet] = {}  # the outlet of their last registration, by operator
        first_created = None
        operator = None
        for _ in range(size):
            if operator is None or rng.random() < OPERATOR_SWITCH:
                operator = world.operators[_pick(rng, world.operator_cum)]
            row = _registration(rng, index, id_number, operator, home, holding, shops, world)
            registrations.append(row)
            created = row[_REG_CREATED]
            first_created = created if first_created is None else min(first_created, created)
            index += 1
        subscribers.append(
            (
                _RESIDENT_ID,
                id_number,
                surname + given,
                birth_date,
                expiry,
                first_created,
                "male" if male else "female",
            )  # fmt: skip
        )
    return subscribers, registrations


def _registration(
    rng: random.Random,
    index: int,
    id_number: str,
    op: _Operator,
    home: str,
    holding: dict[int, int],
    shops: dict[int, _Outlet],
    world: _World,
) -> tuple:
    spec = op.spec
    status = _STATUSES[_pick(rng, _STATUS_CUM)]
    online = rng.random() < spec.online_share or not op.outlets
    outlet = None
    if not online:
        local = op.local.get(home)
        if op.id in shops and rng.random() < SAME_SHOP:
            outlet = shops[op.id]
        elif local and rng.random() < 0.6:
            outlet = local[0][_pick(rng, local[1])]
        else:
            outlet = op.outlets[_pick(rng, op.outlet_cum)]
        shops[op.id] = outlet

    # When it happened: in-flight work is recent; a suspended outlet stopped a month ago.
    if outlet is not None and outlet.suspended:
        days_ago = rng.randint(30, HISTORY_DAYS - 1)
        if status in (Status.SUBMITTED, Status.VERIFYING, Status.REVIEW):
            status = Status.APPROVED
    elif status in (Status.SUBMITTED, Status.VERIFYING):
        days_ago = rng.randint(1, 2)
    elif status == Status.REVIEW:
        days_ago = rng.randint(1, 10)
    else:
        days_ago = 1 + _pick(rng, world.day_cum)
    if outlet is None:
        second = (_pick(rng, _ONLINE_HOUR_CUM) + rng.random()) * 3600
    elif rng.random() < OFF_HOURS_SHARE:
        if rng.random() < 0.5:
            second = outlet.closes + rng.random() * min(3 * 3600, 86_399 - outlet.closes)
        else:
            second = max(0, outlet.opens - 2 * 3600) + rng.random() * min(2 * 3600, outlet.opens)
    else:
        second = outlet.opens + rng.random() * (outlet.closes - outlet.opens - 600)
    created = world.midnights[days_ago] + timedelta(seconds=second)
    if created > world.now - _RECENT:
        # Just after midnight, yesterday's late hours have barely passed: use the day before.
        created -= timedelta(days=1)

    # The cap: a registration beyond it must have given up its number by now.
    if status in HOLDING:
        if holding.get(op.id, 0) >= world.cap:
            status = Status.CANCELLED
        else:
            holding[op.id] = holding.get(op.id, 0) + 1

    latest = world.now - _SECOND  # every later step happens strictly before now
    creator = op.online_creator_id if outlet is None else outlet.staff_id
    submitted = decided = cancelled = decided_by = None
    reasons: tuple[str, ...] = ()
    note = ""
    if status == Status.DRAFT:
        updated = created + _seconds(rng, 30, 600)
    else:
        submitted = created + _seconds(rng, 60, 900)
        updated = submitted
        if status not in (Status.SUBMITTED, Status.VERIFYING):
            decided = submitted + _seconds(rng, 8, 90)
            if status == Status.REVIEW:
                reasons = rng.choice(REVIEW_REASONS)
            elif status == Status.REJECTED:
                reasons = rng.choice(REJECT_REASONS)
            # Some decisions were made by a carrier reviewer, never on their own submission.
            reviewed = rng.random() < (0.25 if status == Status.REJECTED else 0.04)
            if reviewed and status != Status.REVIEW and creator != op.admin_id:
                reasons = rng.choice(REVIEW_REASONS)
                delay = _seconds(rng, 1200, 30 * 3600)
                decided += min(delay, (latest - decided) / 2)
                decided_by = op.admin_id
                note = rng.choice(REJECT_NOTES if status == Status.REJECTED else APPROVE_NOTES)
            updated = decided
            if status == Status.CANCELLED:
                cancelled = decided + (latest - decided) * (0.02 + 0.96 * rng.random())
                updated = cancelled
    return (
        registration_uuid(index),
        id_number,
        op.id,
        None if outlet is None else outlet.id,
        _ONLINE if outlet is None else _OUTLET,
        home if outlet is None else outlet.province_id,
        msisdn_for(index, rng.choice(spec.msisdn_prefixes)),
        iccid_for(index, spec.iccid_issuer),
        status,
        creator,
        decided_by,
        reasons,
        note,
        created,
        updated,
        submitted,
        decided,
        cancelled,
    )
