"""Writes of API keys: create (the plaintext returned once), revoke, note a use."""

import enum
import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.services import user_create
from portal.api import keys
from portal.api.models import ApiKey, IdempotentRequest
from portal.api.networks import normalized_networks
from portal.api.selectors import api_key_forget
from portal.audit.actions import Action
from portal.audit.services import audit_record


def partner_account_of(operator, *, actor):
    """The operator's partner service account (role api_partner), made the first time."""
    existing = (
        User.objects.filter(operator=operator, groups__name=Role.API_PARTNER.value, is_active=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    return user_create(
        actor=actor,
        username=f"api-{operator.code.lower()}",
        password=None,
        role=Role.API_PARTNER,
        operator=operator,
    )


@transaction.atomic
def api_key_create(*, operator, name: str, actor, expires_at=None, allowed_networks=()):
    """A new key for the operator's partner account: (ApiKey, the key in plain, shown once).

    ``allowed_networks``: addresses or CIDRs; a wrong one is an ApiError on that field.
    """
    networks = normalized_networks(allowed_networks)
    public_id = keys.new_public_id()
    plaintext = keys.new_key(public_id)
    api_key = ApiKey.objects.create(
        operator=operator,
        account=partner_account_of(operator, actor=actor),
        name=name.strip(),
        public_id=public_id,
        secret_hash=keys.key_hash(plaintext),
        allowed_networks=networks,
        expires_at=expires_at,
        created_by=actor,
    )
    audit_record(
        action=Action.API_KEY_CREATED,
        actor=actor,
        obj=api_key,
        changes={
            "name": (None, api_key.name),
            "public_id": (None, public_id),
            "expires_at": (None, expires_at.isoformat() if expires_at else None),
            "allowed_networks": (None, ",".join(networks)),
        },
    )
    return api_key, plaintext


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor) -> ApiKey:
    """Revoke at once: the cached row is dropped after the commit, so the next request fails."""
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is not None:
        return api_key
    api_key.revoked_at = timezone.now()
    api_key.revoked_by = actor
    api_key.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.API_KEY_REVOKED,
        actor=actor,
        obj=api_key,
        changes={"revoked_at": (None, api_key.revoked_at.isoformat())},
    )
    # Dropped now and again after the commit: a request between the two would cache the row
    # as it was before the revocation.
    public_id = api_key.public_id
    api_key_forget(public_id)
    transaction.on_commit(lambda: api_key_forget(public_id))
    return api_key


def api_key_mark_used(*, api_key: ApiKey, address: str | None) -> None:
    """Note when and from where the key was last used (the caller limits how often)."""
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now, last_used_ip=address)
    api_key.last_used_at, api_key.last_used_ip = now, address


# -- idempotency ------------------------------------------------------------------------------


class IdempotencyOutcome(enum.Enum):
    RUN = "run"  # the first request with this key: run it
    REPLAY = "replay"  # done before: answer what it answered
    CONFLICT = "conflict"  # the key was used for another request
    IN_FLIGHT = "in_flight"  # the first is still running


# Headers of the first response worth replaying; the rest (dates, CSP) are the new response's.
_REPLAYED_HEADERS = ("Content-Type", "Location")


def idempotent_request_begin(*, api_key, key: str, fingerprint: str):
    """Claim ``key`` for this request, or say why it may not run: (outcome, record).

    The claim is a row committed at once (the unique constraint decides between two arriving
    together) and, on PostgreSQL, a session lock on the key, taken first and held until
    ``idempotent_request_finish``. A process that dies mid-request loses its connection and
    so the lock: the retry finds the row unanswered and the lock free, and runs at once.
    """
    if not _key_lock_taken(api_key.pk, key):
        return IdempotencyOutcome.IN_FLIGHT, None
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                api_key=api_key, key=key, fingerprint=fingerprint
            )
        return IdempotencyOutcome.RUN, record
    except IntegrityError:
        pass
    record = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
    if record is not None and record.response_status is None and _locks_keys():
        # Unanswered, and nobody else held the key's lock: its request died. Run this one.
        IdempotentRequest.objects.filter(pk=record.pk, response_status=None).delete()
        record = None
    _key_lock_release(api_key.pk, key)
    if record is None:  # the first let the key go (a 5xx, or it died): run again
        return idempotent_request_begin(api_key=api_key, key=key, fingerprint=fingerprint)
    if record.fingerprint != fingerprint:
        return IdempotencyOutcome.CONFLICT, record
    if record.response_status is None:
        return IdempotencyOutcome.IN_FLIGHT, record  # SQLite (the demo): no lock to ask
    return IdempotencyOutcome.REPLAY, record


def _locks_keys() -> bool:
    return connection.vendor == "postgresql"


def _key_lock_id(api_key_id: int, key: str) -> int:
    digest = hashlib.sha256(f"idempotency:{api_key_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _key_lock_taken(api_key_id: int, key: str) -> bool:
    """PostgreSQL: this connection now holds the key's session lock (False: a request with
    the key is running). SQLite serialises writers by itself."""
    if not _locks_keys():
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key_lock_id(api_key_id, key)])
        return cursor.fetchone()[0]


def _key_lock_release(api_key_id: int, key: str) -> None:
    if _locks_keys():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_key_lock_id(api_key_id, key)])


def idempotent_request_finish(*, record, response) -> None:
    """Keep the response to replay it, or let the key go if retrying it may succeed; then
    release the key's lock."""
    status = response.status_code if response is not None else 500
    try:
        if status >= 500 or status in _NOT_KEPT or getattr(response, "streaming", False):
            IdempotentRequest.objects.filter(pk=record.pk).delete()
            return
        headers = {name: response[name] for name in _REPLAYED_HEADERS if name in response}
        IdempotentRequest.objects.filter(pk=record.pk).update(
            response_status=status, response_headers=headers, response_body=response.content
        )
    finally:
        _key_lock_release(record.api_key_id, record.key)


# A conflict or a rate limit says "try again later", not what the request did.
_NOT_KEPT = frozenset({409, 429})


def idempotent_requests_purge(*, now=None) -> int:
    """Forget requests older than API_IDEMPOTENCY_TTL_S; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.API_IDEMPOTENCY_TTL_S)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
