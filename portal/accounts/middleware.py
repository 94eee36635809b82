"""Sessions like a ministry system's: they end when idle or old, and a person who must (or
chose to) sign in with a second factor reaches no page before it is checked.

Both sit after ``MessageMiddleware`` (the sign-in page says why a session ended) and after
django-otp's ``OTPMiddleware`` (which says whether the session's second factor was checked).
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.accounts.languages import is_supported
from portal.accounts.permissions import Perm, second_factor_required
from portal.accounts.second_factor import has_second_factor
from portal.audit.actions import Action
from portal.audit.services import audit_in_transaction

SIGNED_IN_AT_SESSION_KEY = "signed_in_at"
LAST_SEEN_AT_SESSION_KEY = "last_seen_at"
# The last-seen time is written at most this often: a page polling every second does not
# save its session every second (an idle limit is that much less exact, nothing more).
_LAST_SEEN_RESOLUTION_S = 30


def _clock() -> float:
    """Now, in seconds since the epoch (tests move it)."""
    return time.time()


def session_clock_start(sender, request, user, **kwargs) -> None:
    """At each sign-in (a ``user_logged_in`` receiver): the session's clocks start now."""
    now = _clock()
    request.session[SIGNED_IN_AT_SESSION_KEY] = now
    request.session[LAST_SEEN_AT_SESSION_KEY] = now


def idle_timeout_s(user) -> int:
    """Counter staff who see no biometrics keep a longer idle time (a counter's pace);
    everyone else, ministry and carrier accounts first, the short one."""
    at_the_counter = user.has_perm(Perm.ADD_REGISTRATION) and not second_factor_required(user)
    return (
        settings.SESSION_IDLE_TIMEOUT_OUTLET_S
        if at_the_counter
        else settings.SESSION_IDLE_TIMEOUT_S
    )


class SessionTimeoutMiddleware:
    """Signs out a session idle longer than its user's idle timeout, or older than
    ``SESSION_ABSOLUTE_TIMEOUT_S``, audits it once, and says so on the sign-in page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired_by = self._expired_by(request, user)
            if expired_by:
                return self._expire(request, user, expired_by)
        return self.get_response(request)

    def _expired_by(self, request, user) -> str:
        session, now = request.session, _clock()
        signed_in_at = session.setdefault(SIGNED_IN_AT_SESSION_KEY, now)
        last_seen_at = session.get(LAST_SEEN_AT_SESSION_KEY, now)
        if now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT_S:
            return "absolute"
        if now - last_seen_at > idle_timeout_s(user):
            return "idle"
        if now - last_seen_at >= _LAST_SEEN_RESOLUTION_S or LAST_SEEN_AT_SESSION_KEY not in session:
            session[LAST_SEEN_AT_SESSION_KEY] = now
        return ""

    def _expire(self, request, user, expired_by: str):
        audit_in_transaction(
            action=Action.SESSION_EXPIRED,
            actor=user,
            obj=user,
            operator_id=user.operator_id,
            changes={"expired_by": (None, expired_by)},
        )
        # A sign-out without Django's logout(): one event (this one), not a second "signed out".
        request.session.flush()
        request.user = AnonymousUser()
        if expired_by == "idle":
            messages.info(request, _("You were signed out after a while without activity."))
        else:
            messages.info(request, _("You were signed out: a session lasts a working day at most."))
        return redirect_to_login(request.get_full_path())


def second_factor_exempt(view):
    """Mark a view that a session whose second factor is not yet checked may open: signing
    in and out, the second-factor pages themselves and their passkey endpoints."""
    view.second_factor_exempt = True
    return view


class SecondFactorMiddleware:
    """Sends a signed-in person whose second factor is required or enrolled, and not yet
    checked in this session, to the page that checks it (or enrols one), for every view
    (the admin site included) but the exempt ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "second_factor_exempt", False):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if has_second_factor(user):
            page = "second_factor_verify"
        elif second_factor_required(user):
            page = "second_factor_enrol"
        else:
            return None
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")


class UserLanguageMiddleware:
    """Pages in the signed-in person's own language (kept on the account), over the cookie
    and the browser's: ``LocaleMiddleware`` runs before the user is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None else ""
        if chosen and user.is_authenticated and is_supported(chosen):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)
