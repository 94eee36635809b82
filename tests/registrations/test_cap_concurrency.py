"""The cap under real concurrency: parallel transactions on PostgreSQL, one connection each."""

import threading

import pytest
from django.db import connection

from registrations import services
from registrations.errors import RegistrationError
from registrations.models import Registration, Subscriber
from tests.factories import create_registration, is_postgres, subscriber_details

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if not is_postgres():
        pytest.skip("needs PostgreSQL: SQLite has one writer, so nothing runs in parallel")


def submit_in_parallel(drafts, actor) -> list[str]:
    """Submit each draft from its own thread and connection, all released at once."""
    start = threading.Barrier(len(drafts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit(draft):
        try:
            start.wait()
            services.registration_submit(registration=draft, actor=actor, with_capture=True)
            result = "won"
        except RegistrationError as error:
            result = ",".join(error.reasons)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("attempt", range(5))
def test_exactly_one_of_two_simultaneous_submissions_takes_the_last_slot(
    users, outlet_gd, settings, attempt
):
    settings.REGISTRATION_CAP_PER_OPERATOR = 5
    person = subscriber_details(number=500 + attempt)
    for _ in range(4):
        create_registration(
            actor=users["staff"], outlet=outlet_gd, subscriber=person, status="approved"
        )
    drafts = [
        create_registration(actor=users["staff"], outlet=outlet_gd, subscriber=person)
        for _ in range(2)
    ]

    outcomes = submit_in_parallel(drafts, users["staff"])

    assert sorted(outcomes) == ["cap_reached", "won"]
    held = Registration.objects.filter(
        subscriber__id_number_index=Subscriber.id_number_index_for(drafts[0].subscriber.id_number),
        status__in=Registration.HOLDING_STATUSES,
    )
    assert held.count() == 5


def test_a_burst_of_submissions_fills_the_cap_and_no_more(users, outlet_gd, settings):
    settings.REGISTRATION_CAP_PER_OPERATOR = 3
    person = subscriber_details(number=600)
    drafts = [
        create_registration(actor=users["staff"], outlet=outlet_gd, subscriber=person)
        for _ in range(8)
    ]

    outcomes = submit_in_parallel(drafts, users["staff"])

    assert outcomes.count("won") == 3
    assert outcomes.count("cap_reached") == 5


def test_two_people_racing_for_one_number_leave_one_holder(users, outlet_gd):
    drafts = [
        create_registration(actor=users["staff"], outlet=outlet_gd, msisdn="13700007777")
        for _ in range(2)
    ]

    outcomes = submit_in_parallel(drafts, users["staff"])

    assert sorted(outcomes) == ["msisdn_in_use", "won"]
