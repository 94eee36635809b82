"""The list's rows, kept a few seconds in the process for the readers who change none (the
ministry): what they are shown, what the others are shown, and what the key tells apart."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from portal.lib.page_cache import CACHE_ALIAS
from tests.factories import create_registration, sign_in

LIST_URL = "/registrations/"


# Every number registered in a test, to tell which of them a list shows.
REGISTERED: set[str] = set()


def _numbers(response) -> set[str]:
    html = response.content.decode()
    return {number for number in REGISTERED if number in html}


def _registered(actor, outlet):
    registration = create_registration(actor=actor, outlet=outlet)
    REGISTERED.add(registration.msisdn_display)
    return registration


@pytest.fixture(autouse=True)
def _registered_afresh():
    REGISTERED.clear()


@pytest.fixture
def first(db, users, outlet_gd):
    return _registered(users["staff"], outlet_gd)


def test_an_inspector_is_shown_the_rows_of_a_moment_ago(client, users, outlet_gd, first):
    sign_in(client, users["inspector"])
    assert _numbers(client.get(LIST_URL)) == {first.msisdn_display}
    second = _registered(users["staff"], outlet_gd)
    assert second.msisdn_display not in _numbers(client.get(LIST_URL))
    caches[CACHE_ALIAS].clear()  # as LIST_PAGE_KEPT_S seconds passing does
    assert second.msisdn_display in _numbers(client.get(LIST_URL))


def test_nothing_is_kept_when_the_setting_is_zero(client, settings, users, outlet_gd, first):
    settings.LIST_PAGE_KEPT_S = 0
    sign_in(client, users["inspector"])
    client.get(LIST_URL)
    second = _registered(users["staff"], outlet_gd)
    assert second.msisdn_display in _numbers(client.get(LIST_URL))


@pytest.mark.parametrize("reader", ["carrier_admin", "staff"])
def test_who_changes_registrations_sees_the_list_as_it_is_now(
    client, users, outlet_gd, first, reader
):
    sign_in(client, users[reader])
    assert _numbers(client.get(LIST_URL)) == {first.msisdn_display}
    second = _registered(users["staff"], outlet_gd)
    assert second.msisdn_display in _numbers(client.get(LIST_URL))


def test_each_scope_has_rows_of_its_own(client, users, outlet_gd, outlet_bj, first):
    beijing = _registered(users["staff_bj"], outlet_bj)
    sign_in(client, users["inspector"])
    assert _numbers(client.get(LIST_URL)) == {first.msisdn_display, beijing.msisdn_display}
    sign_in(client, users["inspector_gd"])
    assert _numbers(client.get(LIST_URL)) == {first.msisdn_display}


def test_each_filter_and_language_has_rows_of_their_own(client, users, outlet_gd, first):
    _registered(users["staff"], outlet_gd)
    sign_in(client, users["inspector"])
    everything = client.get(LIST_URL)
    assert len(_numbers(everything)) == 2
    assert "2 registrations" in everything.content.decode()
    # The filter is in the key: the same reader's filtered list is not the whole one.
    assert _numbers(client.get(LIST_URL, {"status": "approved"})) == set()
    chinese = client.get(LIST_URL, headers={"accept-language": "zh-hans"}).content.decode()
    assert "2条登记" in chinese and "2 registrations" not in chinese


def test_the_kept_rows_stay_in_the_process(client, users, first):
    """Never in Redis, where they would outlive the process: the rows hold masked personal
    data."""
    assert isinstance(caches[CACHE_ALIAS], LocMemCache)
    sign_in(client, users["inspector"])
    client.get(LIST_URL)
    default = caches["default"]
    if hasattr(default, "_cache") and hasattr(default._cache, "get_client"):
        keys = default._cache.get_client().keys("*")
        assert not [key for key in keys if b"rows:" in key]


def test_a_search_is_never_kept(client, users, outlet_gd, first):
    sign_in(client, users["inspector"])
    found = client.post("/registrations/search/", {"term": first.msisdn}, follow=True)
    assert _numbers(found) == {first.msisdn_display}
    assert not caches[CACHE_ALIAS]._cache  # the search's list was rendered, not kept
