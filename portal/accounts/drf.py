"""The partner API's permission check: a named permission, as the pages check one.

``registrations`` and ``verification`` sit below ``portal.api`` and cannot import its
plumbing, so their API views take their permission classes from here::

    permission_classes = [perm_required(Perm.VIEW_REGISTRATION)]
"""

from functools import cache

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from portal.accounts.permissions import Perm, can


@cache
def perm_required(perm: Perm) -> type[BasePermission]:
    """A DRF permission class letting through an active account that holds ``perm``.

    Without credentials DRF answers 401 (the authenticator's challenge), with credentials
    lacking ``perm`` 403: never a role name, the same ``can`` as everywhere else.
    """

    class HoldsPermission(BasePermission):
        message = _("This account may not do this.")

        def has_permission(self, request, view) -> bool:
            return can(request.user, perm)

    HoldsPermission.__name__ = HoldsPermission.__qualname__ = f"Holds{perm.name.title()}"
    return HoldsPermission
