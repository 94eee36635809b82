"""The overview's tile grid of China: every province once, in its place, coloured by the
chosen rate, linked to its drill-down, in the user's scope, drawn without inline style."""

import re

import pytest

from portal.supervision import provinces_grid
from portal.supervision.provinces_grid import BINS, COLUMNS, ROWS, TILES, province_grid
from registrations.models import Province
from registrations.provinces import PROVINCES
from tests.factories import create_registration, sign_in


def rates(approval=None, rejection=None, review=None, retake=None):
    return {"approval": approval, "rejection": rejection, "review": review, "retake": retake,
            "manual_overrides": None}  # fmt: skip


def by_province(code, registrations=1, **rate_values):
    return {
        "code": code,
        "name": code,
        "registrations": registrations,
        "rates": rates(**rate_values),
    }


# The layout


def test_every_province_of_the_list_has_one_tile_and_no_two_share_a_square():
    assert set(TILES) == {code for code, _zh, _en in PROVINCES}
    squares = [(place.row, place.column) for place in TILES.values()]
    assert len(set(squares)) == len(squares)
    assert all(0 <= row < ROWS and 0 <= column < COLUMNS for row, column in squares)


def test_the_grid_reads_like_the_map():
    def place(code):
        return TILES[code].row, TILES[code].column

    assert place("650000")[1] < place("620000")[1] < place("610000")[1], "west to east"
    assert place("230000")[0] < place("220000")[0], "Heilongjiang north of Jilin"
    assert place("210000")[1] < place("220000")[1], "Liaoning west of Jilin"
    assert place("440000")[0] > place("430000")[0] > place("420000")[0], "north to south"
    assert place("460000")[0] == ROWS - 1, "Hainan at the bottom"


# Colour bins


def test_rates_fall_into_five_equal_bins_between_the_lowest_and_the_highest():
    rows = [
        by_province("440000", approval=0.5),
        by_province("110000", approval=0.6),
        by_province("310000", approval=0.75),
        by_province("510000", approval=1.0),
    ]
    tiles, legend = province_grid(rows, rate="approval", names={}, chinese=False)
    bins = {tile.code: tile.bin for tile in tiles if tile.bin is not None}
    assert bins == {"440000": 0, "110000": 1, "310000": 2, "510000": BINS - 1}
    assert [(b.low, b.high) for b in legend][0] == (0.5, 0.6)
    assert legend[-1].high == 1.0 and len(legend) == BINS


def test_the_chosen_rate_colours_the_grid():
    rows = [
        by_province("440000", approval=0.9, rejection=0.1),
        by_province("110000", approval=0.7, rejection=0.3),
    ]
    by_approval, _legend = province_grid(rows, rate="approval", names={}, chinese=False)
    by_rejection, _legend = province_grid(rows, rate="rejection", names={}, chinese=False)
    guangdong = (
        [t.bin for t in by_approval if t.code == "440000"],
        [t.bin for t in by_rejection if t.code == "440000"],
    )
    assert guangdong == ([BINS - 1], [0])


def test_a_province_without_figures_or_without_a_decision_is_empty():
    rows = [by_province("440000", approval=0.8), by_province("110000", registrations=2)]
    tiles, legend = province_grid(rows, rate="approval", names={}, chinese=False)
    tile = {t.code: t for t in tiles}
    assert tile["110000"].has_figures and tile["110000"].value is None
    assert tile["110000"].bin is None and tile["540000"].bin is None
    assert not tile["540000"].has_figures and tile["540000"].registrations == 0
    assert [(b.bin, b.low, b.high) for b in legend] == [(2, 0.8, 0.8)], "one value: one bin"


def test_no_figures_at_all_is_an_empty_grid_with_no_legend():
    tiles, legend = province_grid([], rate="review", names={"440000": "Guangdong"}, chinese=True)
    assert len(tiles) == len(TILES) and all(t.bin is None for t in tiles)
    assert legend == []
    assert next(t for t in tiles if t.code == "440000").name == "Guangdong"
    assert next(t for t in tiles if t.code == "440000").label == "广东"


def test_an_unknown_rate_is_refused():
    with pytest.raises(ValueError):
        province_grid([], rate="happiness", names={}, chinese=False)


# The page


@pytest.fixture
def registrations(users, outlet_gd, outlet_bj):
    return [
        create_registration(actor=users["staff"], outlet=outlet_gd, status="approved"),
        create_registration(actor=users["staff"], outlet=outlet_gd, status="approved"),
        create_registration(actor=users["staff_bj"], outlet=outlet_bj, status="rejected"),
    ]


def grid_of(client, user, query=""):
    sign_in(client, user)
    response = client.get(f"/supervision/{query}")
    assert response.status_code == 200
    return response, {tile["code"]: tile for tile in response.context["grid"]["tiles"]}


@pytest.mark.django_db
def test_the_page_draws_every_province_once_with_its_bin_and_link(client, users, registrations):
    response, tiles = grid_of(client, users["inspector"])
    html = response.content.decode()
    assert len(tiles) == Province.objects.count() == len(TILES)
    for code in TILES:
        assert html.count(f'data-code="{code}"') == 1, code
    guangdong, beijing = tiles["440000"], tiles["110000"]
    assert (guangdong["value"], beijing["value"]) == ("100.0%", "0.0%")
    assert "tile-bin-4" in guangdong["classes"] and "tile-bin-0" in beijing["classes"]
    assert "tile-r6" in guangdong["classes"] and "tile-c3" in guangdong["classes"]
    assert guangdong["link"].startswith("/supervision/?") and "province=440000" in guangdong["link"]
    assert f'href="{guangdong["link"]}"'.replace("&", "&amp;") in html
    assert "tile-empty" in tiles["540000"]["classes"] and tiles["540000"]["link"] == ""

    drilled = client.get(guangdong["link"])
    assert drilled.context["filters"].province.code == "440000"
    assert drilled.context["figures"]["registrations"] == 2


@pytest.mark.django_db
def test_the_rate_selector_recolours_the_grid_and_keeps_the_choice_down_the_drill(
    client, users, registrations
):
    response, tiles = grid_of(client, users["inspector"], "?period=7d&rate=rejection")
    assert response.context["grid"]["rate"] == "rejection"
    assert "tile-bin-4" in tiles["110000"]["classes"] and "tile-bin-0" in tiles["440000"]["classes"]
    assert "rate=rejection" in tiles["440000"]["link"]
    links = {choice["key"]: choice["link"] for choice in response.context["grid"]["rates"]}
    assert set(links) == {"approval", "rejection", "review", "retake"}
    assert "period=7d" not in links["retake"] and "from=" in links["retake"], "same days"
    assert links["retake"].endswith("rate=retake#province-grid")


@pytest.mark.django_db
def test_an_unknown_rate_is_a_400_with_the_reason(client, users):
    sign_in(client, users["inspector"])
    response = client.get("/supervision/?rate=%3Cscript%3E")
    assert response.status_code == 400
    assert "Colour the province grid by one of" in response.content.decode()


@pytest.mark.django_db
def test_a_provincial_inspector_sees_only_guangdongs_figures_on_the_grid(
    client, users, registrations
):
    _response, tiles = grid_of(client, users["inspector_gd"])
    with_figures = {code for code, tile in tiles.items() if tile["link"]}
    assert with_figures == {"440000"}
    assert tiles["440000"]["value"] == "100.0%" and tiles["440000"]["registrations"] == 2
    beijing = tiles["110000"]
    assert (beijing["value"], beijing["registrations"], beijing["bin"]) == ("–", 0, None)
    assert "tile-empty" in beijing["classes"]


@pytest.mark.django_db
def test_a_carrier_admin_sees_their_operators_provinces_only(client, users, registrations):
    _response, tiles = grid_of(client, users["carrier_admin_cucc"], "")
    assert not any(tile["link"] for tile in tiles.values()), "CUCC registered nothing"


@pytest.mark.django_db
def test_the_grid_has_no_inline_style_and_an_accessible_table(client, users, registrations):
    response, _tiles = grid_of(client, users["inspector"])
    html = response.content.decode()
    section = html[
        html.index('id="province-grid"') : html.index('aria-labelledby="by_province-title"')
    ]
    assert "style=" not in section
    assert re.search(r"<table class=\"data\">.*Guangdong.*100\.0%.*</table>", section, re.S)
    assert "/supervision/export/by_province.xlsx?" in section
    assert len(response.context["grid"]["legend"]) == provinces_grid.BINS
