"""Encrypted storage for biometric evidence.

Every file is encrypted with Fernet (AES-128-CBC with HMAC-SHA256, a random IV per file)
before it touches the disk, so a copied disk, backup or directory listing reveals neither
faces nor file types. Keys come from ``settings.EVIDENCE_KEYS``, newest first: files are
written with the first key and read with any of them, so a key is rotated by putting a new
one in front and running ``manage.py evidence_rotate_keys`` before the old one is removed.

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
    """A stored file that none of the configured keys can decrypt (or that was altered)."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("EVIDENCE_KEYS must hold at least one Fernet key")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"EVIDENCE_KEYS holds an invalid Fernet key: {error}") from None


@deconstructible
class EncryptedEvidenceStorage(FileSystemStorage):
    def __init__(self, location=None, keys: tuple[str, ...] | None = None):
        self._keys = keys
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

    def _cipher(self) -> MultiFernet:
        return _fernet(tuple(self._keys or settings.EVIDENCE_KEYS))

    def _save(self, name, content):
        content.seek(0)
        token = self._cipher().encrypt(content.read())
        return super()._save(name, ContentFile(token))

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode:
            raise ValueError("evidence is written through save() only")
        with super()._open(name, "rb") as handle:
            token = handle.read()
        try:
            data = self._cipher().decrypt(token)
        except InvalidToken:
            raise EvidenceUnreadable(
                f"{name} cannot be decrypted with the configured keys"
            ) from None
        return ContentFile(data, name=name)

    def read(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()

    def rotate(self, name: str) -> bool:
        """Re-encrypt one file with the newest key; False when it already was."""
        path = Path(self.path(name))
        token = path.read_bytes()
        if _decrypts_with(self._primary_key(), token):
            return False
        try:
            rotated = self._cipher().rotate(token)
        except InvalidToken:
            raise EvidenceUnreadable(
                f"{name} cannot be decrypted with the configured keys"
            ) from None
        temporary = path.with_name(path.name + ".rotating")
        temporary.write_bytes(rotated)
        temporary.chmod(0o600)
        # Atomic on POSIX: a reader sees the old file or the new one, never half of one.
        os.replace(temporary, path)
        return True

    def _primary_key(self) -> str:
        return tuple(self._keys or settings.EVIDENCE_KEYS)[0]

    def url(self, name):
        raise ValueError("Biometric evidence has no URL; use the evidence view")


def _decrypts_with(key: str, token: bytes) -> bool:
    try:
        Fernet(key).decrypt(token)
    except InvalidToken:
        return False
    return True


evidence_storage = EncryptedEvidenceStorage()
