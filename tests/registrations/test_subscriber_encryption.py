"""Subscribers' ID numbers and names are sealed in the database and found by a blind index."""

import base64
import os
from datetime import date

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from portal.lib.fieldcrypt import FieldDecryptionError
from registrations.errors import RegistrationCode, RegistrationError
from registrations.models import Subscriber
from registrations.services import subscribers as subscriber_services
from tests.factories import create_registration, subscriber_details

pytestmark = pytest.mark.django_db

NAME = "王小明"


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def raw_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registrations_subscriber")
        return cursor.fetchall()


def stored_subscriber(**overrides) -> Subscriber:
    details = subscriber_details(name=NAME, **overrides)
    number, violations = subscriber_services.validated_subscriber(details, today=date(2026, 1, 1))
    assert not violations
    with transaction.atomic():
        return subscriber_services.subscriber_for(details, number)


def test_a_raw_read_of_the_table_shows_neither_the_id_number_nor_the_name(users, outlet_gd):
    registration = create_registration(
        actor=users["staff"], outlet=outlet_gd, subscriber=subscriber_details(name=NAME)
    )
    number = registration.subscriber.id_number

    dump = " ".join(str(cell) for row in raw_rows() for cell in row)

    assert number not in dump and number[6:14] not in dump  # not even the birth date digits
    assert NAME not in dump and NAME[1:] not in dump
    # The portal itself reads them back as they were typed.
    assert Subscriber.objects.get().id_number == number
    assert Subscriber.objects.values_list("full_name", flat=True).get() == NAME


def test_the_blind_index_finds_exact_matches_only():
    kept = stored_subscriber(number=11)
    other = stored_subscriber(number=12)

    found = Subscriber.objects.with_id(id_type="resident_id", id_number=kept.id_number)
    assert list(found) == [kept]
    typed_loosely = f" {kept.id_number.lower()} "  # spaces and case do not matter
    assert list(Subscriber.objects.with_id(id_type="resident_id", id_number=typed_loosely)) == [
        kept
    ]
    assert not Subscriber.objects.with_id(id_type="passport", id_number=kept.id_number).exists()
    near_miss = kept.id_number[:-1] + ("0" if kept.id_number[-1] != "0" else "1")
    assert not Subscriber.objects.with_id(id_type="resident_id", id_number=near_miss).exists()
    assert other.id_number_index != kept.id_number_index


def test_the_same_person_twice_is_one_subscriber_and_the_database_refuses_a_copy():
    first = stored_subscriber(number=21)
    again = stored_subscriber(number=21)
    assert again.pk == first.pk
    assert Subscriber.objects.count() == 1

    copy = Subscriber(
        id_type=first.id_type,
        id_number=first.id_number,
        full_name=NAME,
        birth_date=first.birth_date,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_an_older_key_still_opens_older_rows_after_rotation(settings):
    old_key, new_key_ = new_key(), new_key()
    settings.SUBSCRIBER_DATA_KEYS = [old_key]
    older = stored_subscriber(number=31)

    settings.SUBSCRIBER_DATA_KEYS = [new_key_, old_key]
    newer = stored_subscriber(number=32)
    assert Subscriber.objects.get(pk=older.pk).full_name == NAME
    assert Subscriber.objects.get(pk=newer.pk).id_number == newer.id_number

    # The new row is sealed with the new key alone: without the old key only it opens.
    settings.SUBSCRIBER_DATA_KEYS = [new_key_]
    assert Subscriber.objects.get(pk=newer.pk).full_name == NAME
    with pytest.raises(FieldDecryptionError):
        Subscriber.objects.get(pk=older.pk)


def test_a_sealed_value_moved_to_another_column_does_not_open():
    stored_subscriber(number=41)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registrations_subscriber SET full_name = id_number")
    with pytest.raises(FieldDecryptionError):
        Subscriber.objects.get()


def test_a_query_on_the_sealed_number_itself_is_refused_rather_than_silently_empty():
    with pytest.raises(FieldError, match="blind index"):
        Subscriber.objects.filter(id_number="440103199001010011").exists()


def test_a_malformed_resident_id_is_still_refused_without_the_database_check():
    subscriber = Subscriber(
        id_type="resident_id", id_number="12345", full_name=NAME, birth_date=date(1990, 1, 1)
    )
    with pytest.raises(RegistrationError) as refused:
        subscriber.save()
    assert refused.value.code == RegistrationCode.INVALID_ID_NUMBER
    assert refused.value.field == "id_number"
    # Other documents have their own formats.
    subscriber.id_type = "passport"
    subscriber.save()


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_rows_and_going_back_opens_them():
    before, after = (
        [("registrations", "0004_allow_uploaded_captures")],
        [("registrations", "0005_subscriber_data_encrypted")],
    )
    number = subscriber_details(number=51).id_number
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO registrations_subscriber "
                "(id_type, id_number, full_name, birth_date, created_at) "
                "VALUES ('resident_id', %s, %s, '1990-01-01', '2026-01-01 00:00:00+00:00')",
                [number, NAME],
            )
        executor = MigrationExecutor(connection)
        executor.migrate(after)

        dump = " ".join(str(cell) for row in raw_rows() for cell in row)
        assert number not in dump and NAME not in dump
        # The model as that migration left it (later ones add columns).
        at_0005 = executor.loader.project_state(after).apps.get_model("registrations", "Subscriber")
        found = at_0005.objects.get(id_number_index=Subscriber.id_number_index_for(number))
        assert (found.id_number, found.full_name) == (number, NAME)

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, full_name FROM registrations_subscriber")
            assert cursor.fetchall() == [(number, NAME)]
    finally:
        # Every app's latest migration, not just this one: going back to 0004 also unapplied
        # the migrations of other apps that depend on 0005 (the supervision's, say), and a
        # later test (or a worker process) would find their tables gone.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_sex_of_existing_rows_is_read_from_their_sealed_numbers():
    before, after = (
        [("registrations", "0008_verbose_names")],
        [("registrations", "0009_subscriber_sex_and_anonymisation")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("registrations", "Subscriber")
        numbers = {"male": subscriber_details(number=53).id_number,
                   "female": subscriber_details(number=54).id_number}  # fmt: skip
        for number in numbers.values():
            old.objects.create(id_type="resident_id", id_number=number, full_name=NAME,
                               birth_date="1990-01-01")  # fmt: skip
        old.objects.create(id_type="passport", id_number="E12345678", full_name=NAME,
                           birth_date="1990-01-01")  # fmt: skip
        executor = MigrationExecutor(connection)
        executor.migrate(after)

        new = executor.loader.project_state(after).apps.get_model("registrations", "Subscriber")
        stored = {row.id_number: row.sex for row in new.objects.all()}
        assert stored == {numbers["male"]: "male", numbers["female"]: "female", "E12345678": ""}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
