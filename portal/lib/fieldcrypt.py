"""Personal values encrypted in the database, and a keyed blind index to find them.

A dump of the database without the keys shows no identity: each value is sealed with
AES-256-GCM under the newest of ``settings.SUBSCRIBER_DATA_KEYS`` (older keys still open what
they sealed, so keys can be rotated), bound to its column so that a ciphertext moved to
another column does not open. Exact lookups use ``blind_index``: an HMAC-SHA256 of the
normalised value under ``settings.SUBSCRIBER_INDEX_KEY``, a separate key, so that the index
alone cannot be reversed by trying every ID number without it.

A sealed value reads ``g1.<key id>.<nonce + ciphertext, URL-safe base64>``.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models

_VERSION = "g1"
_NONCE_BYTES = 12


class FieldDecryptionError(ValueError):
    """A stored value that no configured key opens (a lost key, or a tampered value)."""


def _decoded_key(key: str) -> bytes:
    raw = base64.urlsafe_b64decode(key.encode())
    if len(raw) != 32:
        raise ValueError("a field key is 32 random bytes in URL-safe base64")
    return raw


def _key_id(raw: bytes) -> str:
    # Names the key without revealing it: which key to try first, not a secret.
    return hashlib.sha256(b"fieldcrypt key id" + raw).hexdigest()[:8]


@cache
def _ciphers(keys: tuple[str, ...]) -> tuple[tuple[str, AESGCM], ...]:
    return tuple((_key_id(raw), AESGCM(raw)) for raw in map(_decoded_key, keys))


def _configured_ciphers() -> tuple[tuple[str, AESGCM], ...]:
    return _ciphers(tuple(settings.SUBSCRIBER_DATA_KEYS))


def encrypt(value: str, *, context: str) -> str:
    """Seal ``value`` under the newest key; ``context`` (the column) must match to open it."""
    key_id, cipher = _configured_ciphers()[0]
    nonce = os.urandom(_NONCE_BYTES)
    sealed = cipher.encrypt(nonce, value.encode(), context.encode())
    return f"{_VERSION}.{key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: str) -> str:
    """Open a value sealed by ``encrypt`` with whichever configured key sealed it."""
    version, _, rest = token.partition(".")
    key_id, _, payload = rest.partition(".")
    if version != _VERSION or not payload:
        raise FieldDecryptionError("not a sealed value")
    try:
        blob = base64.urlsafe_b64decode(payload.encode())
    except ValueError:
        raise FieldDecryptionError("not a sealed value") from None
    nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    # The named key first; the others too, in case two keys share an id (8 hex digits).
    ciphers = sorted(_configured_ciphers(), key=lambda pair: pair[0] != key_id)
    for _, cipher in ciphers:
        try:
            return cipher.decrypt(nonce, sealed, context.encode()).decode()
        except InvalidTag:
            continue
    raise FieldDecryptionError("no configured key opens this value")


def blind_index(value: str, *, purpose: str) -> str:
    """The keyed HMAC-SHA256 of a value, hex: equal values, equal indexes.

    The value is normalised first (surrounding spaces dropped, upper case), as identifiers
    are typed; ``purpose`` (the column) keeps two columns' indexes of one value apart.
    """
    key = settings.SUBSCRIBER_INDEX_KEY.encode()
    message = f"{purpose}\x00{value.strip().upper()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored sealed (see ``encrypt``): plain text in Python, never in SQL.

    It cannot be filtered on: a lookup would compare against a fresh ciphertext and never
    match. Find rows through a blind index column instead.
    """

    def __init__(self, *args, context: str = "", **kwargs):
        self.context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.name} is encrypted and cannot be filtered with {lookup_name!r}: "
            f"use its blind index"
        )

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(value, context=self.context)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value, context=self.context)


class BlindIndexField(models.CharField):
    """The blind index of another field of the row, kept current on every save (and by
    bulk_create, which also calls ``pre_save``)."""

    def __init__(self, *args, source: str = "", purpose: str = "", **kwargs):
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        index = None if value is None else blind_index(value, purpose=self.purpose)
        setattr(model_instance, self.attname, index)
        return index
