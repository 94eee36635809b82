"""Keyset pages over a time and an id: cursors that round-trip, pages that neither skip nor
repeat a row when rows share a time, bad cursors that read as the first page."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from portal.lib.listing import keyset_page
from registrations.models import Registration
from tests.factories import create_registration

pytestmark = pytest.mark.django_db

KEYS = ("created_at", "id")


@pytest.fixture
def registrations(users, outlet_gd):
    """7 registrations, the first four at the very same instant (only the id tells them apart)."""
    made = [create_registration(actor=users["staff"], outlet=outlet_gd) for _ in range(7)]
    same = timezone.now() - timedelta(hours=1)
    Registration.objects.filter(pk__in=[r.pk for r in made[:4]]).update(created_at=same)
    return Registration.objects.all()


def page(rows, **query):
    request = RequestFactory().get("/", query)
    return keyset_page(request, rows, keys=KEYS, per_page=3, count_cap=5)["page"]


def newest_first(rows) -> list:
    return list(rows.order_by("-created_at", "-id"))


def test_walking_older_then_newer_visits_every_row_once(registrations):
    expected = newest_first(registrations)
    first = page(registrations)
    second = page(registrations, before=first.older_than)
    third = page(registrations, before=second.older_than)
    assert list(first) + list(second) + list(third) == expected
    assert third.older_than is None
    assert list(page(registrations, after=third.newer_than)) == expected[3:6]
    assert list(page(registrations, after=second.newer_than)) == expected[:3]


def test_the_count_stops_at_the_cap(registrations):
    first = page(registrations)
    assert (first.count, first.capped, first.cap) == (5, True, 5)
    narrow = page(registrations.filter(pk__in=[r.pk for r in newest_first(registrations)[:2]]))
    assert (narrow.count, narrow.capped) == (2, False)


@pytest.mark.parametrize("cursor", ["", "x", "!!!", "bm90fGEgdGltZQ", "MjAyNi0wMS0wMQ"])
def test_a_bad_cursor_gives_the_newest_page(registrations, cursor):
    assert list(page(registrations, before=cursor)) == newest_first(registrations)[:3]


def test_a_cursor_holds_no_more_than_a_time_and_an_id(registrations):
    import base64

    cursor = page(registrations).older_than
    text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    created_at, registration_id = text.split("|")
    row = newest_first(registrations)[2]
    assert (created_at, registration_id) == (row.created_at.isoformat(), str(row.pk))


def test_oldest_first_the_next_pages_are_the_newer_ones(registrations):
    request = lambda **query: RequestFactory().get("/", query)  # noqa: E731
    oldest = newest_first(registrations)[::-1]

    def read(**query):
        return keyset_page(request(**query), registrations, keys=KEYS, per_page=3, count_cap=9,
                           newest_first=False)["page"]  # fmt: skip

    first = read()
    assert list(first) == oldest[:3] and first.older_than is None
    second = read(after=first.newer_than)
    third = read(after=second.newer_than)
    assert list(second) + list(third) == oldest[3:7]
    assert third.newer_than is None
    assert list(read(before=second.older_than)) == oldest[:3]
