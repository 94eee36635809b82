"""The API key format, with no database: make a key, read one, check its checksum.

A key is ``simk_<public id>_<secret><checksum>``, all base62:

- the public id (12 chars) names the key in lists, logs and the audit trail;
- the secret (32 chars, about 190 bits) is never stored: only the SHA-256 of the whole key;
- the checksum (6 chars) is CRC32 of everything before it, so a scanner can tell a real key
  from a look-alike without asking us (the pattern is ``KEY_PATTERN``).
"""

import hashlib
import re
import secrets
import zlib
from dataclasses import dataclass

PREFIX = "simk_"
PUBLIC_ID_LENGTH = 12
SECRET_LENGTH = 32
CHECKSUM_LENGTH = 6
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# What a leaked-secret scanner looks for: simk_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}
KEY_PATTERN = re.compile(
    rf"{PREFIX}(?P<public_id>[0-9A-Za-z]{{{PUBLIC_ID_LENGTH}}})_"
    rf"(?P<secret>[0-9A-Za-z]{{{SECRET_LENGTH}}})(?P<checksum>[0-9A-Za-z]{{{CHECKSUM_LENGTH}}})"
)


@dataclass(frozen=True)
class ParsedKey:
    public_id: str
    full_key: str


def _random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(BASE62[digit])
    return "".join(reversed(digits))


def checksum(body: str) -> str:
    """Six base62 chars of CRC32 (62**6 > 2**32: no two CRCs share a checksum)."""
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def new_public_id() -> str:
    return _random_base62(PUBLIC_ID_LENGTH)


def new_key(public_id: str) -> str:
    body = f"{PREFIX}{public_id}_{_random_base62(SECRET_LENGTH)}"
    return body + checksum(body)


def parse(key: str) -> ParsedKey | None:
    """The key's public id if it has our shape and a right checksum, else None."""
    match = KEY_PATTERN.fullmatch(key)
    if match is None:
        return None
    body = key[:-CHECKSUM_LENGTH]
    if not secrets.compare_digest(checksum(body), match["checksum"]):
        return None
    return ParsedKey(public_id=match["public_id"], full_key=key)


def key_hash(key: str) -> str:
    """What the database keeps: SHA-256 hex of the whole key (the secret has enough entropy
    that a slow hash would add nothing but cost per request)."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()
