"""Demo data: operators, outlets, accounts and a history of registrations.

``seed_demo`` is idempotent. Every row it writes is derived from a fixed seed and its own
position, so a re-run finds the rows it wrote before and adds nothing; a larger
``registrations`` adds only the missing ones. Existing rows are never changed.

Registrations are written directly with their final status and timestamps: demo data is
history, not a replay of the lifecycle services. Row generation is streamed in batches
(one transaction each): PostgreSQL loads them with COPY, other databases with bulk_create.

Registrations come in groups of ``GROUP_SIZE`` consecutive indices, each group generated
from its own random seed, so any batch can be generated without the ones before it. A
subscriber's registrations all lie in one group, which is how the cap is kept.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import random
import time as clock
import uuid
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.services import role_groups_sync, user_create
from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations import rules
from registrations.models import Operator, Outlet, Province, Registration, Subscriber
from registrations.services import registration_cap

DEFAULT_PASSWORD = "demo-portal-2026"  # noqa: S105 (printed by the command, demo only)
DEFAULT_REGISTRATIONS = 2000
HISTORY_DAYS = 90
GROUP_SIZE = 16
PG_BATCH = 20_000  # multiples of GROUP_SIZE, so a batch is made of whole groups
OTHER_BATCH = 2_000
COPY_READ_SIZE = 64 * 1024 * 1024
SEED = 20191201  # portrait matching became mandatory on 1 December 2019

# Registration ids are uuid5(NAMESPACE, "registration-<index>").
NAMESPACE = uuid.UUID("6f1c2b8e-3d4a-5e6f-8a9b-0c1d2e3f4a5b")
_NAMESPACE_BYTES = NAMESPACE.bytes

Status = Registration.Status
HOLDING = frozenset(Registration.HOLDING_STATUSES)


# --- Reference data ---------------------------------------------------------------------


@dataclass(frozen=True)
class OperatorSpec:
    code: str
    name: str
    kind: str
    share: float  # of registrations
    online_share: float
    msisdn_prefixes: tuple[str, ...]
    iccid_issuer: str  # 89 86 + issuer digits: the first 6 digits of the ICCID


OPERATORS: tuple[OperatorSpec, ...] = (
    OperatorSpec(
        "CMCC", "China Mobile", Operator.Kind.MNO, 0.55, 0.14,
        ("134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158",
         "159", "178", "182", "183", "184", "187", "188", "198"),
        "898600",
    ),
    OperatorSpec(
        "CUCC", "China Unicom", Operator.Kind.MNO, 0.22, 0.14,
        ("130", "131", "132", "145", "155", "156", "166", "175", "176", "185", "186"),
        "898601",
    ),
    OperatorSpec(
        "CTCC", "China Telecom", Operator.Kind.MNO, 0.20, 0.14,
        ("133", "149", "153", "173", "177", "180", "181", "189", "191", "199"),
        "898603",
    ),
    OperatorSpec(
        "SNAIL", "Snail Mobile", Operator.Kind.MVNO, 0.03, 0.45, ("170", "171"), "898601"
    ),
)  # fmt: skip


@dataclass(frozen=True)
class OutletSpec:
    operator: str
    code: str
    province: str
    name: str
    address: str
    hours: str = "09:00-21:00"
    status: str = Outlet.Status.ACTIVE
    weight: float = 1.0
    staff_login: bool = False  # its staff account gets the demo password


SUSPENDED = Outlet.Status.SUSPENDED

OUTLETS: tuple[OutletSpec, ...] = (
    # China Mobile
    OutletSpec("CMCC", "GD-SZ-001", "440000", weight=3, staff_login=True,
               name="中国移动深圳福田营业厅", address="深圳市福田区深南中路3018号"),
    OutletSpec("CMCC", "GD-SZ-004", "440000", hours="09:30-21:30", weight=2,
               name="中国移动深圳南山科技园营业厅", address="深圳市南山区科苑路15号"),
    OutletSpec("CMCC", "GD-GZ-001", "440000", weight=2, staff_login=True,
               name="中国移动广州天河营业厅", address="广州市天河区天河路228号"),
    OutletSpec("CMCC", "GD-DG-001", "440000", hours="09:00-20:30", status=SUSPENDED,
               name="中国移动东莞南城营业厅", address="东莞市南城区鸿福路88号"),
    OutletSpec("CMCC", "BJ-CY-001", "110000", hours="08:30-20:00", weight=2,
               name="中国移动北京朝阳门营业厅", address="北京市朝阳区朝阳门外大街16号"),
    OutletSpec("CMCC", "BJ-HD-001", "110000",
               name="中国移动北京中关村营业厅", address="北京市海淀区中关村大街27号"),
    OutletSpec("CMCC", "SH-PD-001", "310000", weight=2,
               name="中国移动上海陆家嘴营业厅", address="上海市浦东新区陆家嘴环路1000号"),
    OutletSpec("CMCC", "ZJ-HZ-001", "330000",
               name="中国移动杭州武林营业厅", address="杭州市拱墅区延安路530号"),
    OutletSpec("CMCC", "JS-NJ-001", "320000",
               name="中国移动南京新街口营业厅", address="南京市秦淮区中山南路1号"),
    OutletSpec("CMCC", "SC-CD-001", "510000", hours="10:00-22:00",
               name="中国移动成都春熙路营业厅", address="成都市锦江区春熙路南段8号"),
    OutletSpec("CMCC", "HB-WH-001", "420000",
               name="中国移动武汉江汉路营业厅", address="武汉市江汉区江汉路118号"),
    OutletSpec("CMCC", "SD-QD-001", "370000",
               name="中国移动青岛香港中路营业厅", address="青岛市市南区香港中路76号"),
    OutletSpec("CMCC", "HA-ZZ-001", "410000",
               name="中国移动郑州二七广场营业厅", address="郑州市二七区解放路2号"),
    OutletSpec("CMCC", "SN-XA-001", "610000",
               name="中国移动西安钟楼营业厅", address="西安市碑林区东大街1号"),
    OutletSpec("CMCC", "XJ-UQ-001", "650000", hours="10:00-20:30", weight=0.5,
               name="中国移动乌鲁木齐友好路营业厅", address="乌鲁木齐市沙依巴克区友好南路668号"),
    OutletSpec("CMCC", "HI-HK-001", "460000", weight=0.5,
               name="中国移动海口国贸营业厅", address="海口市龙华区国贸大道48号"),
    # China Unicom
    OutletSpec("CUCC", "GD-SZ-002", "440000", hours="10:00-22:00", weight=2,
               name="中国联通深圳华强北营业厅", address="深圳市福田区华强北路1019号"),
    OutletSpec("CUCC", "GD-GZ-002", "440000",
               name="中国联通广州北京路营业厅", address="广州市越秀区北京路326号"),
    OutletSpec("CUCC", "BJ-XC-001", "110000", weight=2, staff_login=True,
               name="中国联通北京西单营业厅", address="北京市西城区西单北大街131号"),
    OutletSpec("CUCC", "SH-HP-001", "310000",
               name="中国联通上海南京东路营业厅", address="上海市黄浦区南京东路800号"),
    OutletSpec("CUCC", "LN-SY-001", "210000", hours="08:30-20:30",
               name="中国联通沈阳中街营业厅", address="沈阳市沈河区中街路128号"),
    OutletSpec("CUCC", "SD-JN-001", "370000",
               name="中国联通济南泉城路营业厅", address="济南市历下区泉城路180号"),
    OutletSpec("CUCC", "HA-ZZ-002", "410000",
               name="中国联通郑州花园路营业厅", address="郑州市金水区花园路39号"),
    OutletSpec("CUCC", "ZJ-NB-001", "330000", status=SUSPENDED,
               name="中国联通宁波天一广场营业厅", address="宁波市海曙区中山东路188号"),
    OutletSpec("CUCC", "CQ-YZ-001", "500000", hours="09:30-21:30",
               name="中国联通重庆解放碑营业厅", address="重庆市渝中区邹容路68号"),
    OutletSpec("CUCC", "FJ-FZ-001", "350000",
               name="中国联通福州东街口营业厅", address="福州市鼓楼区八一七北路88号"),
    # China Telecom
    OutletSpec("CTCC", "GD-SZ-003", "440000", weight=2,
               name="中国电信深圳宝安营业厅", address="深圳市宝安区宝安大道4018号"),
    OutletSpec("CTCC", "GD-FS-001", "440000",
               name="中国电信佛山禅城营业厅", address="佛山市禅城区祖庙路33号"),
    OutletSpec("CTCC", "SH-XH-001", "310000", weight=2, staff_login=True,
               name="中国电信上海徐家汇营业厅", address="上海市徐汇区肇嘉浜路1111号"),
    OutletSpec("CTCC", "JS-SZ-001", "320000",
               name="中国电信苏州观前街营业厅", address="苏州市姑苏区观前街168号"),
    OutletSpec("CTCC", "ZJ-HZ-002", "330000",
               name="中国电信杭州钱江新城营业厅", address="杭州市上城区富春路290号"),
    OutletSpec("CTCC", "SC-CD-002", "510000",
               name="中国电信成都天府广场营业厅", address="成都市青羊区人民南路一段86号"),
    OutletSpec("CTCC", "HN-CS-001", "430000",
               name="中国电信长沙五一广场营业厅", address="长沙市芙蓉区五一大道368号"),
    OutletSpec("CTCC", "FJ-XM-001", "350000", hours="09:30-21:30",
               name="中国电信厦门中山路营业厅", address="厦门市思明区中山路220号"),
    OutletSpec("CTCC", "YN-KM-001", "530000", hours="09:30-21:00",
               name="中国电信昆明南屏街营业厅", address="昆明市五华区南屏街55号"),
    OutletSpec("CTCC", "GX-NN-001", "450000",
               name="中国电信南宁朝阳广场营业厅", address="南宁市兴宁区朝阳路58号"),
    # Snail Mobile (an MVNO based in Suzhou)
    OutletSpec("SNAIL", "JS-SZ-002", "320000", weight=3, staff_login=True,
               name="蜗牛移动苏州工业园区营业厅", address="苏州市工业园区星海街200号"),
    OutletSpec("SNAIL", "GD-GZ-003", "440000", hours="10:00-22:00",
               name="蜗牛移动广州体育西营业厅", address="广州市天河区体育西路191号"),
    OutletSpec("SNAIL", "BJ-CY-002", "110000", hours="10:00-22:00",
               name="蜗牛移动北京三里屯营业厅", address="北京市朝阳区三里屯路19号"),
    OutletSpec("SNAIL", "SH-PD-002", "310000",
               name="蜗牛移动上海张江营业厅", address="上海市浦东新区张江路665号"),
)  # fmt: skip

# County-level codes (GB/T 2260) that resident ID numbers start with; populous provinces
# have more of them. Every code is distinct, which keeps generated ID numbers unique.
AREA_CODES: tuple[str, ...] = (
    "110101", "110105", "110108", "120101", "120104", "130102", "130203", "140105", "150102",
    "150203", "210102", "210202", "220102", "220202", "230102", "230202", "310101", "310104",
    "310115", "320102", "320211", "320506", "330102", "330203", "330302", "340102", "340202",
    "350102", "350203", "360102", "360702", "370102", "370202", "370602", "410102", "410302",
    "411302", "420102", "420502", "430102", "430202", "440103", "440106", "440304", "440306",
    "440604", "441900", "450102", "450302", "460105", "460202", "500103", "500112", "510104",
    "510107", "510703", "520102", "520302", "530102", "530402", "540102", "610102", "610113",
    "620102", "630102", "640104", "650102",
)  # fmt: skip

_BIRTH_START = date(1950, 1, 1)
_BIRTH_DAYS = (date(2007, 1, 1) - _BIRTH_START).days  # up to 31 December 2006
_ID_SPACE = len(AREA_CODES) * _BIRTH_DAYS * 1000  # (area, birth date, sequence) triples
_ID_OFFSET = 318_309_886
_ID_STEP = 1_000_000_007  # coprime with _ID_SPACE: subscriber index -> triple is a bijection
assert math.gcd(_ID_STEP, _ID_SPACE) == 1

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
    "苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方")
MALE_CHARS = (
    "伟强磊军洋勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林东峰亮成"
    "建国志文博毅豪轩然哲睿泽晨阳"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀燕玲桂丹萍红婷雪琳晶妍茜倩颖佳欣怡慧莉梅琴云璐瑶婧薇洁蕾月悦涵萱诗雨思梦"
)
SHARED_CHARS = "子一文晓小嘉佳海春秋立新永金天安清家明雅"

_SURNAME_POOL = list(SURNAMES) + list(COMPOUND_SURNAMES)
# The most common surnames are far more common (王, 李, 张, 刘, 陈 cover about 30%).
_SURNAME_CUM = list(
    accumulate(
        [8.0] * 5 + [3.0] * 15 + [1.0] * (len(SURNAMES) - 20) + [0.05] * len(COMPOUND_SURNAMES)
    )
)

# Status mix per thousand; in-flight statuses are placed in the last days of the history.
_STATUSES = (
    Status.APPROVED, Status.REJECTED, Status.REVIEW, Status.CANCELLED, Status.DRAFT,
    Status.SUBMITTED, Status.VERIFYING,
)  # fmt: skip
_STATUS_CUM = list(accumulate((790, 80, 35, 45, 25, 12, 13)))

# Engine reasons, from the fixed vocabulary of DESIGN.md.
REJECT_REASONS = (
    ("no_match",), ("no_blink",), ("turn_missing",), ("challenge_order",), ("identity_changed",),
    ("multiple_faces",), ("no_face",), ("unreadable_media",), ("no_blink", "turn_missing"),
)  # fmt: skip
REVIEW_REASONS = (("too_blurry",), ("face_too_small",), ("no_match",), ("too_blurry", "no_blink"))
APPROVE_NOTES = (
    "Second capture is clear; face matches the ID portrait.",
    "Poor lighting, but the identity is clear from the full video.",
    "Glasses caused the low score; matches on review.",
)
REJECT_NOTES = (
    "Live face does not match the ID portrait.",
    "The capture shows a photo held to the camera, not a live person.",
    "Different person in the second half of the video.",
)

# Online sign-ups by hour of day (local time): quiet at night, busiest in the evening.
_ONLINE_HOUR_CUM = list(
    accumulate((2, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 8, 8, 7, 7, 7, 8, 9, 11, 12, 12, 9, 5))
)
OFF_HOURS_SHARE = 0.04  # outlet registrations outside opening hours (a risk signal)


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
    elapsed: float = 0.0

    def lines(self) -> list[str]:
        return [
            self.operators.line("operators"),
            self.outlets.line("outlets"),
            self.users.line("users"),
            self.subscribers.line("subscribers"),
            self.registrations.line("registrations"),
            f"elapsed: {self.elapsed:.1f} s",
        ]


# --- Deterministic building blocks --------------------------------------------------------


def registration_uuid(index: int) -> uuid.UUID:
    """The id of the index-th demo registration (uuid5, computed without uuid.uuid5's overhead)."""
    digest = hashlib.sha1(_NAMESPACE_BYTES + b"registration-%d" % index).digest()  # noqa: S324
    return uuid.UUID(bytes=digest[:16], version=5)


def subscriber_identity(index: int) -> tuple[str, date, bool]:
    """Resident ID number, birth date and sex (True = male) of the index-th demo subscriber.

    Distinct indices give distinct ID numbers: the index is mapped one-to-one onto
    (area, birth date, sequence) triples.
    """
    if not 0 <= index < _ID_SPACE:
        raise ValueError("subscriber index out of range")
    t = (index * _ID_STEP + _ID_OFFSET) % _ID_SPACE
    sequence = t % 1000
    rest = t // 1000
    area = AREA_CODES[rest % len(AREA_CODES)]
    birth_date = _BIRTH_START + timedelta(days=rest // len(AREA_CODES))
    id_number = rules.make_resident_id(area_code=area, birth_date=birth_date, sequence=sequence)
    return id_number, birth_date, sequence % 2 == 1  # GB 11643: an odd sequence is a man


def msisdn_for(index: int, prefix: str) -> str:
    """A mobile number unique to the index: the 8 digits after the prefix are a bijection of it."""
    return f"+86{prefix}{(index * 61_803_399 + 40_271_593) % 100_000_000:08d}"


def iccid_for(index: int, issuer: str) -> str:
    body = f"{issuer}{(index * 3_141_592_653_589 + 5_772_156_649_015) % 10**13:013d}"
    return rules.make_iccid(body=body)


def person_name(rng: random.Random, *, male: bool) -> tuple[str, str]:
    """A realistic Chinese (surname, given name)."""
    surname = _SURNAME_POOL[_pick(rng, _SURNAME_CUM)]
    chars = MALE_CHARS if male else FEMALE_CHARS
    if rng.random() < 0.3:
        return surname, rng.choice(chars)
    return surname, rng.choice(SHARED_CHARS + chars) + rng.choice(chars)


_SIZE_CUM = (45, 70, 83, 91, 96, 99, 100)  # 1 to 7 registrations; mean about 2.1


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

SUBSCRIBER_FIELDS = ("id_type", "id_number", "full_name", "birth_date", "id_expiry", "created_at")
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
        first_created = None
        operator = None
        for _ in range(size):
            if operator is None or rng.random() < 0.4:
                operator = world.operators[_pick(rng, world.operator_cum)]
            row = _registration(rng, index, id_number, operator, home, holding, world)
            registrations.append(row)
            created = row[_REG_CREATED]
            first_created = created if first_created is None else min(first_created, created)
            index += 1
        subscribers.append(
            (_RESIDENT_ID, id_number, surname + given, birth_date, expiry, first_created)
        )
    return subscribers, registrations


def _registration(
    rng: random.Random,
    index: int,
    id_number: str,
    op: _Operator,
    home: str,
    holding: dict[int, int],
    world: _World,
) -> tuple:
    spec = op.spec
    status = _STATUSES[_pick(rng, _STATUS_CUM)]
    online = rng.random() < spec.online_share or not op.outlets
    outlet = None
    if not online:
        local = op.local.get(home)
        if local and rng.random() < 0.6:
            outlet = local[0][_pick(rng, local[1])]
        else:
            outlet = op.outlets[_pick(rng, op.outlet_cum)]

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


def _pick(rng: random.Random, cum_weights: Sequence[float]) -> int:
    """Index drawn with the given cumulative weights (what random.choices does, minus overhead)."""
    return bisect(cum_weights, rng.random() * cum_weights[-1], 0, len(cum_weights) - 1)


# --- Operators, outlets and accounts ----------------------------------------------------------


def staff_username(outlet_code: str) -> str:
    return "staff_" + outlet_code.lower().replace("-", "_")


def _outlet_codes(operator_code: str) -> list[str]:
    return [o.code for o in OUTLETS if o.operator == operator_code]


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
    return user_create(username=username, **details)


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
            first_name=given,
            last_name=surname,
        )
    return users


# --- Writing rows -----------------------------------------------------------------------------


@dataclass
class _Batch:
    """Registrations lo..hi-1 and the subscribers they belong to, generated, not yet written.

    On PostgreSQL the rows also come as COPY text, all but the keys that the database
    hands out while writing: a subscriber's text follows its id; a registration's text
    is split around its subscriber_id.
    """

    lo: int
    hi: int
    subscribers: list[tuple]
    registrations: list[tuple]
    subscriber_text: list[str] | None = None
    registration_text: list[tuple[str, str]] | None = None


_NULL = "\\N"  # COPY text format; the text columns hold only the generated values above, so
# there is no tab, newline or backslash to escape (checked at the end of this module).
_JSON = {reasons: json.dumps(list(reasons)) for reasons in ((), *REJECT_REASONS, *REVIEW_REASONS)}


def _subscriber_copy_text(row: tuple) -> str:
    """A subscriber's COPY line after its id (SUBSCRIBER_FIELDS order)."""
    id_type, id_number, full_name, birth_date, id_expiry, created_at = row
    expiry = _NULL if id_expiry is None else id_expiry
    return f"{id_type}\t{id_number}\t{full_name}\t{birth_date}\t{expiry}\t{created_at}\n"


def _registration_copy_text(row: tuple) -> tuple[str, str]:
    """A registration's COPY line (REGISTRATION_FIELDS order), around its subscriber_id."""
    (
        id_, _, operator, outlet, channel, province, msisdn, iccid, status, created_by,
        decided_by, reasons, note, created, updated, submitted, decided, cancelled,
    ) = row  # fmt: skip
    return f"{id_}\t", (
        f"\t{operator}\t{_NULL if outlet is None else outlet}\t{channel}\t{province}\t{msisdn}"
        f"\t{iccid}\t{status}\t{created_by}\t{_NULL if decided_by is None else decided_by}"
        f"\t{_JSON[reasons]}\t{note}\t{created}\t{updated}"
        f"\t{_NULL if submitted is None else submitted}\t{_NULL if decided is None else decided}"
        f"\t{_NULL if cancelled is None else cancelled}\n"
    )


def _generate_batch(lo: int, hi: int, world: _World, *, copy_text: bool) -> _Batch:
    """Pure computation (no database), so it can run in a thread while the last batch loads."""
    subscribers: list[tuple] = []
    registrations: list[tuple] = []
    for group in range(lo // GROUP_SIZE, (hi - 1) // GROUP_SIZE + 1):
        group_subscribers, group_registrations = generate_group(group, world)
        start = group * GROUP_SIZE
        # A group cut by hi keeps only the subscribers of its rows below hi.
        kept = {row[_REG_SUBSCRIBER] for row in group_registrations[: hi - start]}
        subscribers += [row for row in group_subscribers if row[1] in kept]
        registrations += group_registrations[: hi - start]
    batch = _Batch(lo, hi, subscribers, registrations)
    if copy_text:
        batch.subscriber_text = [_subscriber_copy_text(row) for row in subscribers]
        batch.registration_text = [_registration_copy_text(row) for row in registrations]
    return batch


def _columns(model, fields: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(model._meta.get_field(name).column) for name in fields)


def _copy(model, fields: Sequence[str], lines: Iterable[str]) -> None:
    """Load rows with PostgreSQL's COPY (text format), far faster than INSERT."""
    buffer = io.StringIO()
    buffer.writelines(lines)
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        # One large read per batch: each read needs the GIL, which the generating thread holds.
        sql = f"COPY {table} ({_columns(model, fields)}) FROM STDIN"
        cursor.cursor.copy_expert(sql, buffer, size=COPY_READ_SIZE)


def _reserve_ids(model, count: int) -> list[int]:
    """Take ``count`` values from the primary key's sequence (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _bulk_create(model, fields: Sequence[str], rows: list[tuple]) -> list:
    """bulk_create, then put back the timestamps that auto_now(_add) overwrote in pre_save."""
    meta = model._meta
    attnames = [meta.get_field(name).attname for name in fields]
    objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects)
    stamped = [
        (f, attnames.index(f.attname))
        for f in meta.concrete_fields
        if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        and f.attname in attnames
    ]
    if stamped and objects:
        # A plain UPDATE per row: QuerySet.bulk_update builds a CASE per column, which is slow.
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(f.column)} = %s" for f, _ in stamped)
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (names from the model)
        params = [
            [f.get_db_prep_value(row[position], connection) for f, position in stamped]
            + [meta.pk.get_db_prep_value(obj.pk, connection)]
            for obj, row in zip(objects, rows, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
    return objects


# Lookups by key go in chunks this small so that the planner probes the index even while
# the table grows faster than its statistics (a long IN list would make it scan the table).
LOOKUP_CHUNK = 1000
PRELOAD_LIMIT = 200_000


class _ExistingRegistrations:
    """Which registration ids already exist, asked one batch at a time.

    A table of at most PRELOAD_LIMIT rows (the usual case: empty, or a small demo being
    extended) is read once; rows inserted later are the seed's own, in other batches.
    A larger table is asked batch by batch.
    """

    def __init__(self) -> None:
        rows = Registration.objects.order_by()
        self.preloaded: set[uuid.UUID] | None = None
        if rows.count() <= PRELOAD_LIMIT:
            self.preloaded = set(rows.values_list("pk", flat=True))

    def among(self, lo: int, hi: int) -> set[uuid.UUID]:
        """The ids of registrations lo..hi-1 that exist."""
        if self.preloaded is not None and not self.preloaded:
            return set()
        ids = [registration_uuid(i) for i in range(lo, hi)]
        if self.preloaded is not None:
            return {pk for pk in ids if pk in self.preloaded}
        found: set[uuid.UUID] = set()
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = Registration.objects.order_by().filter(pk__in=ids[start : start + LOOKUP_CHUNK])
            found.update(chunk.values_list("pk", flat=True))
        return found


class _ExistingSubscribers:
    """Keys of the resident-ID subscribers that already exist, by ID number (as above)."""

    def __init__(self) -> None:
        rows = Subscriber.objects.order_by().filter(id_type=_RESIDENT_ID)
        self.preloaded: dict[str, int] | None = None
        if rows.count() <= PRELOAD_LIMIT:
            self.preloaded = dict(rows.values_list("id_number", "pk"))

    def keys(self, id_numbers: Iterable[str]) -> dict[str, int]:
        if self.preloaded is not None:
            return {n: self.preloaded[n] for n in id_numbers if n in self.preloaded}
        wanted = list(id_numbers)
        keys: dict[str, int] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            rows = Subscriber.objects.order_by().filter(id_type=_RESIDENT_ID, id_number__in=chunk)
            keys.update(rows.values_list("id_number", "pk"))
        return keys


def _write_batch(
    batch: _Batch, existing: set[uuid.UUID], subscribers: _ExistingSubscribers
) -> tuple[int, int]:
    """Insert the batch's registrations that do not exist yet, and their new subscribers.

    Returns how many subscribers and registrations were created.
    """
    missing = [k for k, row in enumerate(batch.registrations) if row[0] not in existing]
    needed = {batch.registrations[k][_REG_SUBSCRIBER] for k in missing}
    keys = subscribers.keys(needed)
    new = [k for k, row in enumerate(batch.subscribers) if row[1] in needed and row[1] not in keys]
    if connection.vendor == "postgresql":
        pairs = list(zip(new, _reserve_ids(Subscriber, len(new)), strict=True))
        keys.update((batch.subscribers[k][1], pk) for k, pk in pairs)
        texts = batch.subscriber_text
        _copy(Subscriber, ("id", *SUBSCRIBER_FIELDS), (f"{pk}\t{texts[k]}" for k, pk in pairs))
        parts, rows = batch.registration_text, batch.registrations
        _copy(
            Registration,
            REGISTRATION_FIELDS,
            (parts[k][0] + str(keys[rows[k][_REG_SUBSCRIBER]]) + parts[k][1] for k in missing),
        )
    else:
        created = _bulk_create(Subscriber, SUBSCRIBER_FIELDS, [batch.subscribers[k] for k in new])
        keys.update((s.id_number, s.pk) for s in created)
        rows = [batch.registrations[k] for k in missing]
        _bulk_create(
            Registration,
            REGISTRATION_FIELDS,
            [(row[0], keys[row[_REG_SUBSCRIBER]], *row[2:]) for row in rows],
        )
    return len(new), len(missing)


def _seed_registrations(
    *, total: int, world: _World, summary: SeedSummary, progress: Callable[[str], None] | None
) -> None:
    """Registrations 0..total-1 in batches, one transaction each.

    While one batch is written, a thread generates the next: the database works while
    Python computes (the GIL is released while psycopg2 waits on the server).
    """
    postgres = connection.vendor == "postgresql"
    size = PG_BATCH if postgres else OTHER_BATCH
    existing_registrations = _ExistingRegistrations()
    existing_subscribers = _ExistingSubscribers()
    pending: deque[tuple[set[uuid.UUID], Future[_Batch]]] = deque()

    def write_oldest() -> None:
        existing, generated = pending.popleft()
        batch = generated.result()
        with transaction.atomic():
            subscribers, registrations = _write_batch(batch, existing, existing_subscribers)
        summary.subscribers.created += subscribers
        summary.registrations.created += registrations
        if progress is not None:
            progress(f"registrations: {batch.hi} of {total}")

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed_demo") as pool:
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
            batch = pool.submit(_generate_batch, lo, hi, world, copy_text=postgres)
            pending.append((existing, batch))
            if len(pending) > 1:
                write_oldest()
        while pending:
            write_oldest()
    # Until now "kept" counted every subscriber the rows refer to.
    summary.subscribers.kept -= summary.subscribers.created


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


def seed_demo(
    *,
    registrations: int = DEFAULT_REGISTRATIONS,
    password: str = DEFAULT_PASSWORD,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedSummary:
    """Create (or complete) the demo: 4 operators, 40 outlets, accounts, registrations."""
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
    world = _build_world(operators=operators, users=users, now=now, cap=registration_cap())
    _seed_registrations(total=registrations, world=world, summary=summary, progress=progress)
    _audit_demo_data(summary)
    if summary.registrations.created and connection.vendor == "postgresql":
        # Fresh statistics, so that the first pages over the new rows get good plans.
        with connection.cursor() as cursor:
            for model in (Subscriber, Registration):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    summary.elapsed = clock.monotonic() - started
    return summary


for _text in (*APPROVE_NOTES, *REJECT_NOTES, SURNAMES, MALE_CHARS, FEMALE_CHARS, SHARED_CHARS):
    assert not {"\t", "\n", "\\"} & set(_text), "COPY text format would need escaping"
