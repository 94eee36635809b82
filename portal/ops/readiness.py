"""What the portal needs to serve a request, each part checked the way a request would use it.

A check returns nothing when its part answers and raises ``NotReady`` (with what an operator
reads in the detail) when not. None of them writes a row or reveals a secret.
"""

import os
import tempfile
from collections.abc import Callable

from django.conf import settings
from django.db import connection

from verification import storage

# A load balancer asks every few seconds: a part that does not answer within this is down.
CHECK_TIMEOUT_S = 2


class NotReady(Exception):
    pass


def database_answers() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any driver error means the same here: no database
        raise NotReady(f"the database does not answer ({type(error).__name__})") from None


def broker_answers() -> None:
    from portal.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=CHECK_TIMEOUT_S)
    except Exception as error:
        raise NotReady(f"the task broker does not answer ({type(error).__name__})") from None


def evidence_storage_writable() -> None:
    """The evidence folder takes a file: a temporary one, empty, removed at once."""
    root = settings.EVIDENCE_ROOT
    try:
        root.mkdir(parents=True, exist_ok=True)  # as the storage's first save would
        with tempfile.NamedTemporaryFile(dir=root, prefix=".ready-", delete=True):
            pass
    except OSError as error:
        raise NotReady(f"the evidence storage is not writable ({error.strerror})") from None


def keys_usable() -> None:
    """The evidence master keys wrap and unwrap a data key, and the subscriber keys load."""
    try:
        key, wrapped = storage.data_key_new()
        if storage.data_key_unwrap(wrapped) != key:
            raise NotReady("the evidence keys do not unwrap what they wrapped")
    except NotReady:
        raise
    except Exception as error:
        raise NotReady(f"the evidence keys are unusable ({type(error).__name__})") from None
    if not settings.SUBSCRIBER_DATA_KEYS or not settings.SUBSCRIBER_INDEX_KEY:
        raise NotReady("the subscriber data keys are missing")
    checkpoint_folder = settings.AUDIT_CHECKPOINT_FILE.parent
    checkpoint_folder.mkdir(parents=True, exist_ok=True)  # as the first checkpoint would
    if not os.access(checkpoint_folder, os.W_OK):
        raise NotReady("the audit checkpoint folder is not writable")


CHECKS: dict[str, Callable[[], None]] = {
    "database": database_answers,
    "broker": broker_answers,
    "evidence_storage": evidence_storage_writable,
    "keys": keys_usable,
}


def readiness() -> dict[str, str]:
    """Each part's state: "ok", or what is wrong with it."""
    states = {}
    for name, check in CHECKS.items():
        try:
            check()
        except NotReady as problem:
            states[name] = str(problem)
        else:
            states[name] = "ok"
    return states
