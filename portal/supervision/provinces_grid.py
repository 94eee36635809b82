"""The overview's tile grid of China: one square per provincial-level division, placed
roughly where the division lies (as news graphics draw it), coloured by a chosen rate.

Pure data and arithmetic, no Django: ``TILES`` places each division of
``registrations.provinces`` (keyed by its GB/T 2260 code) on a grid of ``COLUMNS`` x ``ROWS``
squares; ``province_grid`` turns the overview's ``by_province`` rows into the tiles to draw,
each in one of ``BINS`` colour bins (equal intervals between the lowest and the highest rate
shown), with the legend of those bins.
"""

from dataclasses import dataclass

COLUMNS = 8
ROWS = 8
BINS = 5
# The rates a grid may be coloured by: keys of a ``by_province`` row's ``rates``.
RATES = ("approval", "rejection", "review", "retake")
DEFAULT_RATE = "approval"


@dataclass(frozen=True)
class Place:
    row: int  # from the top, 0-based
    column: int  # from the left, 0-based
    short_zh: str  # the name on the tile in Chinese (简称 by name, not the one-character 简称)
    short_en: str  # in English: the ISO 3166-2:CN subdivision code


# West to east by column, north to south by row. Neighbours on the map are neighbours on the
# grid where eight columns allow it (Inner Mongolia, long and thin, sits north of Hebei).
TILES: dict[str, Place] = {
    "230000": Place(0, 7, "黑龙江", "HL"),
    "150000": Place(1, 4, "内蒙古", "NM"),
    "110000": Place(1, 5, "北京", "BJ"),
    "210000": Place(1, 6, "辽宁", "LN"),
    "220000": Place(1, 7, "吉林", "JL"),
    "650000": Place(2, 0, "新疆", "XJ"),
    "620000": Place(2, 1, "甘肃", "GS"),
    "640000": Place(2, 2, "宁夏", "NX"),
    "140000": Place(2, 3, "山西", "SX"),
    "130000": Place(2, 4, "河北", "HE"),
    "120000": Place(2, 5, "天津", "TJ"),
    "540000": Place(3, 0, "西藏", "XZ"),
    "630000": Place(3, 1, "青海", "QH"),
    "610000": Place(3, 2, "陕西", "SN"),
    "410000": Place(3, 3, "河南", "HA"),
    "370000": Place(3, 4, "山东", "SD"),
    "510000": Place(4, 1, "四川", "SC"),
    "500000": Place(4, 2, "重庆", "CQ"),
    "420000": Place(4, 3, "湖北", "HB"),
    "340000": Place(4, 4, "安徽", "AH"),
    "320000": Place(4, 5, "江苏", "JS"),
    "310000": Place(4, 6, "上海", "SH"),
    "530000": Place(5, 1, "云南", "YN"),
    "520000": Place(5, 2, "贵州", "GZ"),
    "430000": Place(5, 3, "湖南", "HN"),
    "360000": Place(5, 4, "江西", "JX"),
    "330000": Place(5, 5, "浙江", "ZJ"),
    "450000": Place(6, 2, "广西", "GX"),
    "440000": Place(6, 3, "广东", "GD"),
    "350000": Place(6, 4, "福建", "FJ"),
    "710000": Place(6, 5, "台湾", "TW"),
    "460000": Place(7, 2, "海南", "HI"),
    "820000": Place(7, 3, "澳门", "MO"),
    "810000": Place(7, 4, "香港", "HK"),
}


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    label: str  # the short name on the tile
    row: int
    column: int
    value: float | None  # the rate, None without a decision (or without figures)
    bin: int | None  # 0 (lowest) .. BINS - 1 (highest), None without a value
    registrations: int
    has_figures: bool  # a row of by_province: in scope and with registrations or decisions


@dataclass(frozen=True)
class LegendBin:
    bin: int
    low: float
    high: float


def bin_edges(values: list[float]) -> list[float]:
    """``BINS + 1`` edges at equal intervals from the lowest value to the highest."""
    low, high = min(values), max(values)
    return [low + (high - low) * i / BINS for i in range(BINS + 1)]


def bin_of(value: float, edges: list[float]) -> int:
    """The bin of ``value``: the highest value falls in the top bin; all equal, the middle."""
    low, high = edges[0], edges[-1]
    if high <= low:
        return BINS // 2
    # A value on an edge belongs to the bin above it (1e-9: rates carry four decimals).
    return max(0, min(int((value - low) / (high - low) * BINS + 1e-9), BINS - 1))


def province_grid(
    rows: list[dict], *, rate: str, names: dict[str, str], chinese: bool
) -> tuple[list[Tile], list[LegendBin]]:
    """The tiles of every division in ``TILES`` (ordered by row, then column) and the
    legend. ``rows`` are the overview's ``by_province`` (code, name, registrations,
    rates...); a division without a row is drawn empty. ``names`` give each code's full
    name in the reader's language (a row's own name wins)."""
    if rate not in RATES:
        raise ValueError(f"unknown rate {rate!r}")
    by_code = {row["code"]: row for row in rows}
    values = [
        row["rates"][rate]
        for code, row in by_code.items()
        if code in TILES and row["rates"].get(rate) is not None
    ]
    edges = bin_edges(values) if values else []
    tiles = []
    for code, place in sorted(TILES.items(), key=lambda item: (item[1].row, item[1].column)):
        row = by_code.get(code)
        value = row["rates"].get(rate) if row else None
        tiles.append(
            Tile(
                code=code,
                name=(row or {}).get("name") or names.get(code, code),
                label=place.short_zh if chinese else place.short_en,
                row=place.row,
                column=place.column,
                value=value,
                bin=bin_of(value, edges) if value is not None else None,
                registrations=row["registrations"] if row else 0,
                has_figures=row is not None,
            )
        )
    return tiles, legend(edges)


def legend(edges: list[float]) -> list[LegendBin]:
    """The bins in use: one when every value is the same, none without values."""
    if not edges:
        return []
    if edges[-1] <= edges[0]:
        return [LegendBin(bin=BINS // 2, low=edges[0], high=edges[0])]
    return [LegendBin(bin=i, low=edges[i], high=edges[i + 1]) for i in range(BINS)]
