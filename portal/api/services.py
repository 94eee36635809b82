"""Writes of API keys: create (the plaintext returned once), revoke, note a use."""

import enum
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
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

    Called inside the request's transaction (IdempotencyMiddleware), which the claim, the
    view's work and the response kept for replay commit together. So a key is taken only by
    a request that finished: one whose process died took nothing with it, and its retry runs
    at once. A second request with the key while the first runs waits on the first's
    uncommitted row for at most API_IDEMPOTENCY_WAIT_S, then is told it is in flight.
    """
    try:
        with transaction.atomic(), _lock_wait_at_most(settings.API_IDEMPOTENCY_WAIT_S):
            record = IdempotentRequest.objects.create(
                api_key=api_key, key=key, fingerprint=fingerprint
            )
        return IdempotencyOutcome.RUN, record
    except IntegrityError:
        pass
    except OperationalError as error:
        if not _is_lock_timeout(error):
            raise
        return IdempotencyOutcome.IN_FLIGHT, None
    record = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
    if record is None:  # the first ended in a 5xx just now and let the key go: run again
        return idempotent_request_begin(api_key=api_key, key=key, fingerprint=fingerprint)
    if record.fingerprint != fingerprint:
        return IdempotencyOutcome.CONFLICT, record
    if record.response_status is None:
        # Kept unanswered by an earlier release, which claimed keys in a transaction of
        # their own: nobody answers it any more.
        IdempotentRequest.objects.filter(pk=record.pk, response_status=None).delete()
        return idempotent_request_begin(api_key=api_key, key=key, fingerprint=fingerprint)
    return IdempotencyOutcome.REPLAY, record


@contextmanager
def _lock_wait_at_most(seconds: float):
    """PostgreSQL: wait at most ``seconds`` for a lock in this block (SQLite serialises
    writers by itself)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(seconds * 1000)}ms"])
    yield  # an error leaves the setting to the rollback of the block's savepoint
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")


def _is_lock_timeout(error: OperationalError) -> bool:
    """PostgreSQL's lock_not_available (55P03); psycopg 2 calls the code pgcode, 3 sqlstate."""
    cause = error.__cause__
    return "55P03" in (getattr(cause, "pgcode", None), getattr(cause, "sqlstate", None))


def idempotent_request_finish(*, record, response) -> bool:
    """Keep the response to replay it, or let the key go if retrying it may succeed; whether
    it was kept (the middleware rolls the work of a 5xx back)."""
    status = response.status_code if response is not None else 500
    if status >= 500 or status in _NOT_KEPT or getattr(response, "streaming", False):
        IdempotentRequest.objects.filter(pk=record.pk).delete()
        return False
    headers = {name: response[name] for name in _REPLAYED_HEADERS if name in response}
    IdempotentRequest.objects.filter(pk=record.pk).update(
        response_status=status, response_headers=headers, response_body=response.content
    )
    return True


# A conflict or a rate limit says "try again later", not what the request did.
_NOT_KEPT = frozenset({409, 429})


def idempotent_requests_purge(*, now=None) -> int:
    """Forget requests older than API_IDEMPOTENCY_TTL_S; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.API_IDEMPOTENCY_TTL_S)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
