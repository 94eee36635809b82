"""The subscriber's session: a key of its own in the session, short (``SELFSERVICE_SESSION_S``
from sign-in, however active), apart from any staff sign-in in the same browser."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.selfservice.services.sign_in import PendingSignIn
from registrations.models import Subscriber

SIGNED_IN_KEY = "selfservice.subscriber"
PENDING_KEY = "selfservice.pending"


def pending_get(request) -> PendingSignIn | None:
    data = request.session.get(PENDING_KEY)
    return PendingSignIn.from_session(data) if data else None


def pending_keep(request, pending: PendingSignIn) -> None:
    request.session[PENDING_KEY] = pending.as_session()


def subscriber_session_start(request, subscriber_id: int) -> None:
    request.session.pop(PENDING_KEY, None)
    request.session.cycle_key()  # a new session id: one fixed before sign-in is worth nothing
    request.session[SIGNED_IN_KEY] = {"subscriber": subscriber_id, "since": time.time()}


def subscriber_session_end(request) -> int | None:
    data = request.session.pop(SIGNED_IN_KEY, None)
    return data["subscriber"] if data else None


def signed_in_subscriber(request) -> Subscriber | None:
    data = request.session.get(SIGNED_IN_KEY)
    if not data:
        return None
    if time.time() - data["since"] > settings.SELFSERVICE_SESSION_S:
        request.session.pop(SIGNED_IN_KEY, None)
        return None
    return Subscriber.objects.filter(pk=data["subscriber"]).first()


def subscriber_required(view):
    """The view, for a signed-in subscriber (``request.subscriber``); else back to sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        had_session = SIGNED_IN_KEY in request.session
        subscriber = signed_in_subscriber(request)
        if subscriber is None:
            messages.info(
                request,
                _("Your session has ended: sign in again.")
                if had_session
                else _("Sign in with your ID details to see your numbers."),
            )
            return redirect("selfservice:start")
        request.subscriber = subscriber
        return view(request, *args, **kwargs)

    return wrapper
