"""evidence_rotate_keys: the data keys rewrapped with the newest master key, the files left
as they are; files from before data keys moved under one; none lost."""

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.management import CommandError, call_command

from tests.factories import create_registration
from tests.verification.test_evidence_view import store_evidence
from verification.models import BiometricEvidence, EvidenceKey
from verification.selectors import evidence_read
from verification.storage import SealedContent, evidence_storage

pytestmark = pytest.mark.django_db

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))


@pytest.fixture
def stored_under_a(settings, users, outlet_gd, portrait_bytes):
    settings.EVIDENCE_KEYS = [KEY_A]
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    return {
        store_evidence(registration, data=portrait_bytes): portrait_bytes,
        store_evidence(registration, data=b"a second, different file"): b"a second, different file",
    }


def rotate(capsys) -> str:
    call_command("evidence_rotate_keys")
    return capsys.readouterr().out


def file_bytes(evidence) -> bytes:
    return open(evidence_storage.path(evidence.file.name), "rb").read()


def test_rotation_rewraps_the_key_and_leaves_the_files_alone(settings, stored_under_a, capsys):
    before = {evidence.pk: file_bytes(evidence) for evidence in stored_under_a}
    settings.EVIDENCE_KEYS = [KEY_B, KEY_A]
    assert "1 data key(s) rewrapped, 0 already on the newest key" in rotate(capsys)

    settings.EVIDENCE_KEYS = [KEY_B]
    for evidence, original in stored_under_a.items():
        assert file_bytes(evidence) == before[evidence.pk], "the file was not rewritten"
        assert evidence_read(evidence) == original

    settings.EVIDENCE_KEYS = [KEY_A]
    key = EvidenceKey.objects.get()
    with pytest.raises(Exception, match="cannot be unwrapped"):
        evidence_read(next(iter(stored_under_a)))
    assert key.wrapped is not None


def test_a_file_is_not_readable_with_a_master_key_alone(settings, stored_under_a):
    evidence = next(iter(stored_under_a))
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidToken
        MultiFernet([Fernet(KEY_A)]).decrypt(file_bytes(evidence))


def test_a_second_run_finds_everything_current(settings, stored_under_a, capsys):
    settings.EVIDENCE_KEYS = [KEY_B, KEY_A]
    rotate(capsys)
    assert "0 data key(s) rewrapped, 1 already on the newest key" in rotate(capsys)


def test_a_file_from_before_data_keys_moves_under_its_registrations_key(
    settings, users, outlet_gd, capsys
):
    settings.EVIDENCE_KEYS = [KEY_A]
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    old = store_evidence(registration, data=b"written under the master key")
    # As the storage wrote files before data keys: the master key directly, and no key row.
    with open(evidence_storage.path(old.file.name), "wb") as handle:
        handle.write(Fernet(KEY_A).encrypt(b"written under the master key"))
    EvidenceKey.objects.all().delete()
    assert evidence_read(old) == b"written under the master key", "still read"

    settings.EVIDENCE_KEYS = [KEY_B, KEY_A]
    assert "1 file(s) moved under their registration's data key" in rotate(capsys)
    settings.EVIDENCE_KEYS = [KEY_B]
    moved = BiometricEvidence.objects.get(pk=old.pk)
    assert evidence_read(moved) == b"written under the master key"


def test_a_key_no_master_key_opens_is_named_and_the_command_fails(
    settings, stored_under_a, users, outlet_gd, capsys
):
    settings.EVIDENCE_KEYS = [KEY_C]
    orphan = create_registration(actor=users["staff"], outlet=outlet_gd)
    store_evidence(orphan, data=b"x")
    settings.EVIDENCE_KEYS = [KEY_B, KEY_A]
    with pytest.raises(CommandError) as failed:
        call_command("evidence_rotate_keys")
    assert f"registration {orphan.pk}" in str(failed.value)
    assert "1 data key(s) rewrapped" in capsys.readouterr().out, "the others are still rotated"
    settings.EVIDENCE_KEYS = [KEY_B]
    assert all(evidence_read(e) == data for e, data in stored_under_a.items())


def test_the_storage_refuses_to_write_in_the_clear(stored_under_a):
    from django.core.files.base import ContentFile

    with pytest.raises(ValueError, match="sealed"):
        evidence_storage.save("x", ContentFile(b"a face"))
    assert isinstance(SealedContent.seal(b"a", Fernet.generate_key()), SealedContent)
