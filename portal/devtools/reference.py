"""Reference data of the demo: operators, outlets, the status mix, reasons and notes.

Fixed constants and seeds; everything else in ``portal.devtools`` derives from them.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from registrations.models import Operator, Outlet, Registration

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


def _pick(rng: random.Random, cum_weights: Sequence[float]) -> int:
    """Index drawn with the given cumulative weights (what random.choices does, minus overhead)."""
    return bisect(cum_weights, rng.random() * cum_weights[-1], 0, len(cum_weights) - 1)


# --- Operators, outlets and accounts ----------------------------------------------------------


def staff_username(outlet_code: str) -> str:
    return "staff_" + outlet_code.lower().replace("-", "_")


def _outlet_codes(operator_code: str) -> list[str]:
    return [o.code for o in OUTLETS if o.operator == operator_code]
