"""Who is acting and from where, for the audit events written during one request or task."""

import contextvars
import dataclasses
import uuid
from dataclasses import dataclass

from celery import current_task


@dataclass(frozen=True)
class RequestMeta:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""
    # Set by the partner API's authentication: the key the request came with, and the
    # service account it acts for (events by that account are the key's).
    api_key_id: str = ""
    api_key_account_id: int | None = None


_NO_REQUEST = RequestMeta()  # a task, a command: no request behind the event
_current: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar(
    "audit_request_meta", default=None
)


def current_request_meta() -> RequestMeta:
    return _current.get() or _NO_REQUEST


def set_request_meta(meta: RequestMeta) -> contextvars.Token:
    return _current.set(meta)


def reset_request_meta(token: contextvars.Token) -> None:
    _current.reset(token)


def act_with_api_key(*, public_id: str, account_id: int, ip_address: str | None) -> None:
    """The rest of this request acts with an API key, from ``ip_address`` (the client's
    address as the key's allow-list saw it). The request's middleware resets it at the end."""
    meta = dataclasses.replace(
        current_request_meta(),
        api_key_id=public_id,
        api_key_account_id=account_id,
        ip_address=ip_address,
    )
    _current.set(meta)


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a trusted proxy
    # sets it, and an audit trail must not record what an attacker chose.
    return request.META.get("REMOTE_ADDR") or None


def _request_id(request) -> str:
    given = request.headers.get("X-Request-ID", "")
    if given and len(given) <= 64 and given.replace("-", "").isalnum():
        return given
    return uuid.uuid4().hex


class AuditRequestMiddleware:
    """Remember the request's IP, user agent and id for every event it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = RequestMeta(
            ip_address=_client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
            request_id=_request_id(request),
        )
        request.audit_meta = meta
        token = set_request_meta(meta)
        try:
            response = self.get_response(request)
        finally:
            reset_request_meta(token)
        response["X-Request-ID"] = meta.request_id
        return response


class RequestIdLogFilter:
    """Puts the current request's id (or else the Celery task's) on every log record."""

    def filter(self, record) -> bool:
        record.request_id = current_request_meta().request_id or _task_id()
        return True


def _task_id() -> str:
    request = getattr(current_task, "request", None)
    return f"task-{request.id}" if request is not None and request.id else ""
