"""evidence_rotate_keys: every file re-encrypted with the newest key, none lost."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from tests.factories import create_registration
from tests.verification.test_evidence_view import store_evidence
from verification.storage import EvidenceUnreadable, evidence_storage

pytestmark = pytest.mark.django_db

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))


@pytest.fixture
def stored_under_a(settings, users, outlet_gd, portrait_bytes, clip_bytes):
    settings.EVIDENCE_KEYS = [KEY_A]
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    return {
        store_evidence(registration, data=portrait_bytes): portrait_bytes,
        store_evidence(registration, data=b"a second, different file"): b"a second, different file",
    }


def rotate(capsys) -> str:
    call_command("evidence_rotate_keys")
    return capsys.readouterr().out


def test_rotated_files_decrypt_with_the_new_key_alone(settings, stored_under_a, capsys):
    settings.EVIDENCE_KEYS = [KEY_B, KEY_A]
    assert "2 file(s) rotated, 0 already on the newest key." in rotate(capsys)

    settings.EVIDENCE_KEYS = [KEY_B]
    for evidence, original in stored_under_a.items():
        assert evidence_storage.read(evidence.file.name) == original
        assert evidence.file.read() == original

    settings.EVIDENCE_KEYS = [KEY_A]
    for evidence in stored_under_a:
        with pytest.raises(EvidenceUnreadable):
            evidence_storage.read(evidence.file.name)


def test_a_second_run_finds_everything_current(settings, stored_under_a, capsys):
    settings.EVIDENCE_KEYS = [KEY_B, KEY_A]
    rotate(capsys)
    assert "0 file(s) rotated, 2 already on the newest key." in rotate(capsys)


def test_a_file_no_key_decrypts_is_named_and_the_command_fails(
    settings, stored_under_a, users, outlet_gd, capsys
):
    settings.EVIDENCE_KEYS = [KEY_C]
    orphan = store_evidence(create_registration(actor=users["staff"], outlet=outlet_gd), data=b"x")
    settings.EVIDENCE_KEYS = [KEY_B, KEY_A]
    with pytest.raises(CommandError) as failed:
        call_command("evidence_rotate_keys")
    assert orphan.file.name in str(failed.value)
    assert "2 file(s) rotated" in capsys.readouterr().out, "the others are still rotated"
    settings.EVIDENCE_KEYS = [KEY_B]
    assert all(evidence_storage.read(e.file.name) == data for e, data in stored_under_a.items())
