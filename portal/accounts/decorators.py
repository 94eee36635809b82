"""The access check of every page: a named permission (scope is decided by the selectors);
and the fresh second-factor check asked before biometrics."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from portal.accounts.permissions import Perm, can_use_pages
from portal.accounts.second_factor import verified_within


def permission_required(perm: Perm):
    """Signed-in people holding ``perm``: others get 403, anonymous users the login page.

    API partners' service accounts hold no ``use_pages``: they use the partner API only.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not can_use_pages(request.user, perm):
                raise PermissionDenied(_("Your account cannot open this page."))
            return view(request, *args, **kwargs)

        wrapper.required_permission = perm
        return wrapper

    return decorator


def _return_to(request) -> str:
    """Where to come back after the check: this page, or for a form sent (which cannot be
    sent again by a redirect) the page it was sent from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe else reverse("home")


def recent_second_factor_required(view):
    """A second-factor check in the last ``SECOND_FACTOR_STEP_UP_S`` seconds, or the person
    checks it again (and comes back here) before the view runs: for looking at biometrics."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not verified_within(request, settings.SECOND_FACTOR_STEP_UP_S):
            query = urlencode({"next": _return_to(request), "step_up": 1})
            return redirect(f"{reverse('second_factor_verify')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
