"""The registration record's retention, with a moved clock: a subscriber's ID number and name
are deleted once the record of every registration under that ID is due (two years after its
number ended), never while a number is in use or a hold stands; the counts stay whole."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.verification import verify_chain
from portal.selfservice.services.disputes import dispute_open
from portal.supervision.models import DecisionRollup
from portal.supervision.services.rollups import rollups_rebuild
from registrations import services as registration_services
from registrations.models import Subscriber
from tests.factories import create_registration, sign_in, subscriber_details
from verification.services.purge import evidence_purge

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
PERSON = 417  # one ID number for every registration of a test


@pytest.fixture
def record_days(settings):
    return settings.RETENTION_REGISTRATION_RECORD_DAYS


def registration_of_the_person(users, outlet, status):
    return create_registration(
        actor=users["staff"], outlet=outlet, status=status,
        subscriber=subscriber_details(number=PERSON, name="Chen Jing"),
    )  # fmt: skip


def records_purged(days_from_now: int, *, dry_run: bool = False) -> int:
    now = timezone.now() + days_from_now * DAY
    return evidence_purge(now=now, dry_run=dry_run).counts["registration_record"]


def anonymised(registration) -> bool:
    return Subscriber.objects.get(pk=registration.subscriber_id).anonymised_at is not None


def test_nothing_is_deleted_while_another_number_under_the_id_is_in_use(
    users, outlet_gd, record_days
):
    rejected = registration_of_the_person(users, outlet_gd, "rejected")
    approved = registration_of_the_person(users, outlet_gd, "approved")
    assert rejected.subscriber_id == approved.subscriber_id

    later = timezone.now() + (record_days + 10) * DAY
    assert evidence_purge(now=later).counts["registration_record"] == 0
    assert not anonymised(rejected), "the approved number still needs the ID on record"

    registration_services.registration_cancel(registration=approved, actor=users["staff"])
    assert evidence_purge(now=later - 20 * DAY).counts["registration_record"] == 0, (
        "the cancelled one's record is not due yet"
    )
    report = evidence_purge(now=later)
    assert report.counts["registration_record"] == 2, "both records were this ID's details"
    subscriber = Subscriber.objects.get(pk=approved.subscriber_id)
    assert (subscriber.id_number, subscriber.full_name, subscriber.id_number_index) == (
        None, None, None,
    )  # fmt: skip
    assert subscriber.anonymised_at == later
    assert (subscriber.sex, subscriber.birth_date.year) == ("male", 1990), "the counts' facts stay"
    event = AuditEvent.objects.filter(action=Action.EVIDENCE_PURGED).latest("sequence")
    assert event.changes["registration_record"] == [None, 2]
    assert verify_chain().intact
    assert evidence_purge(now=later).counts["registration_record"] == 0, "done once"


def test_a_discarded_draft_ends_its_number_too(users, outlet_gd, record_days):
    draft = registration_of_the_person(users, outlet_gd, "discarded")
    assert records_purged(record_days - 1) == 0
    assert records_purged(record_days + 1) == 1
    assert anonymised(draft)


def test_an_open_dispute_on_one_registration_keeps_the_whole_record(users, outlet_gd, record_days):
    first = registration_of_the_person(users, outlet_gd, "rejected")
    disputed = registration_of_the_person(users, outlet_gd, "approved")
    dispute_open(subscriber=disputed.subscriber, registration=disputed, reason="not_mine",
                 detail="", contact="13900139000")  # fmt: skip
    # Cancelled while the dispute is still open (the number ends, the dispute stands).
    registration_services.registration_cancel(registration=disputed, actor=users["staff"])
    assert records_purged(record_days + 1, dry_run=True) == 0
    assert records_purged(record_days + 1) == 0
    assert not anonymised(first)


def test_a_dry_run_counts_the_records_and_deletes_nothing(users, outlet_gd, record_days):
    registration = registration_of_the_person(users, outlet_gd, "rejected")
    assert records_purged(record_days + 1, dry_run=True) == 1
    assert not anonymised(registration)


def test_the_rollups_count_the_same_after_the_id_is_deleted(users, outlet_gd, record_days):
    registration_of_the_person(users, outlet_gd, "rejected")
    registration_of_the_person(users, outlet_gd, "cancelled")
    columns = ("day", "outcome", "age_band", "sex", "n")
    before = sorted(DecisionRollup.objects.values_list(*columns))
    assert {row[3] for row in before} == {"male"}

    assert records_purged(record_days + 1) == 2
    rollups_rebuild()
    assert sorted(DecisionRollup.objects.values_list(*columns)) == before


def test_the_same_id_registers_again_as_a_new_person_on_record(users, outlet_gd, record_days):
    old = registration_of_the_person(users, outlet_gd, "rejected")
    records_purged(record_days + 1)

    new = registration_of_the_person(users, outlet_gd, "draft")
    assert new.subscriber_id != old.subscriber_id
    assert new.subscriber.masked_id_number and not new.subscriber.is_anonymised


def test_the_pages_say_when_and_under_which_rule_the_id_was_deleted(
    client, users, outlet_gd, record_days
):
    registration = registration_of_the_person(users, outlet_gd, "rejected")
    records_purged(record_days + 1)

    sign_in(client, users["inspector"])
    page = client.get(f"/registrations/{registration.pk}/").content.decode()
    assert "Chen Jing" not in page
    assert "Deleted on" in page and "Registration record" in page
    listing = client.get("/registrations/").content.decode()
    assert registration.msisdn_display in listing and "Deleted" in listing
