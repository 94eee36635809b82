"""The access check of every page: a named permission (scope is decided by the selectors)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from portal.accounts.permissions import Perm, can_use_pages


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
