"""Demo subscribers: resident ID numbers and names, and the ids, numbers and cards of an index.

Every value is derived from an index (or a seeded generator), never from what came before.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from datetime import date, timedelta
from itertools import accumulate

from portal.devtools.reference import _NAMESPACE_BYTES, _pick
from registrations import rules

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
