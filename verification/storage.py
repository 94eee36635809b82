"""Encrypted storage for biometric evidence, one data key per registration.

Every file is encrypted with Fernet (AES-128-CBC with HMAC-SHA256, a random IV per file)
before it touches the disk, under its registration's own data key. That key is kept only
wrapped (encrypted) by the master keys of ``settings.EVIDENCE_KEYS``, newest first:

- a master key is rotated by putting a new one in front and running
  ``manage.py evidence_rotate_keys``, which rewraps the data keys, not the files;
- destroying a registration's data key (crypto-shredding, ``evidence_purge``) leaves every
  copy of its files, in a backup or elsewhere, unreadable.

Files written before data keys existed were encrypted with a master key directly; they are
still read, and ``evidence_rotate_keys`` moves them under their registration's key.

The storage has no URL: evidence reaches people only through the audited evidence view.
"""

import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


class EvidenceUnreadable(Exception):
    """A stored file that its key cannot decrypt (altered, or its key destroyed)."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("EVIDENCE_KEYS must hold at least one Fernet key")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"EVIDENCE_KEYS holds an invalid Fernet key: {error}") from None


def _master_keys() -> tuple[str, ...]:
    return tuple(settings.EVIDENCE_KEYS)


def _master() -> MultiFernet:
    return _fernet(_master_keys())


def data_key_new() -> tuple[bytes, bytes]:
    """A fresh data key, and the same key wrapped by the newest master key (what is kept)."""
    key = Fernet.generate_key()
    return key, _master().encrypt(key)


def data_key_unwrap(wrapped: bytes) -> bytes:
    try:
        return _master().decrypt(bytes(wrapped))
    except InvalidToken:
        raise EvidenceUnreadable("the data key cannot be unwrapped with EVIDENCE_KEYS") from None


def data_key_rewrap(wrapped: bytes) -> bytes | None:
    """The data key wrapped by the newest master key; None when it already is."""
    wrapped = bytes(wrapped)
    if _decrypts_with(_master_keys()[0], wrapped):
        return None
    try:
        return _master().rotate(wrapped)
    except InvalidToken:
        raise EvidenceUnreadable("the data key cannot be unwrapped with EVIDENCE_KEYS") from None


class SealedContent(ContentFile):
    """Evidence already encrypted with its registration's data key: the only content the
    storage writes, so that nothing reaches the disk in the clear by mistake."""

    @classmethod
    def seal(cls, data: bytes, data_key: bytes) -> "SealedContent":
        return cls(Fernet(data_key).encrypt(data))


@deconstructible
class EncryptedEvidenceStorage(FileSystemStorage):
    def __init__(self, location=None):
        super().__init__(
            location=location,
            base_url=None,
            file_permissions_mode=0o600,
            directory_permissions_mode=0o700,
        )

    # Read from settings at each use (not cached as FileSystemStorage does for MEDIA_ROOT),
    # so a test or a command can point the evidence elsewhere.
    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.EVIDENCE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def _save(self, name, content):
        if not isinstance(content, SealedContent):
            raise ValueError("evidence is written sealed with its registration's data key")
        return super()._save(name, content)

    def _open(self, name, mode="rb"):
        raise ValueError("evidence is read with read_sealed(), under its data key")

    def read_sealed(self, name: str, data_key: bytes | None) -> bytes:
        """The decrypted bytes of ``name``: under ``data_key``, or for a file written
        before data keys, under a master key. EvidenceUnreadable when neither opens it."""
        token = Path(self.path(name)).read_bytes()
        if data_key is not None:
            try:
                return Fernet(data_key).decrypt(token)
            except InvalidToken:
                pass
        if not self.under_master_key(name, token):
            raise EvidenceUnreadable(f"{name} cannot be decrypted with its key")
        return _master().decrypt(token)

    def under_master_key(self, name: str, token: bytes | None = None) -> bool:
        """Whether ``name`` is one of the files written before data keys."""
        token = Path(self.path(name)).read_bytes() if token is None else token
        try:
            _master().decrypt(token)
        except InvalidToken:
            return False
        return True

    def reseal(self, name: str, data_key: bytes) -> None:
        """Re-encrypt a file written under a master key with its registration's data key."""
        path = Path(self.path(name))
        data = _master().decrypt(path.read_bytes())
        temporary = path.with_name(path.name + ".sealing")
        temporary.write_bytes(Fernet(data_key).encrypt(data))
        temporary.chmod(0o600)
        # Atomic on POSIX: a reader sees the old file or the new one, never half of one.
        os.replace(temporary, path)

    def url(self, name):
        raise ValueError("Biometric evidence has no URL; use the evidence view")


def _decrypts_with(key: str, token: bytes) -> bool:
    try:
        Fernet(key).decrypt(token)
    except InvalidToken:
        return False
    return True


evidence_storage = EncryptedEvidenceStorage()
