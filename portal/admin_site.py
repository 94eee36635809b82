"""Django's admin, open to the ministry admin only, once their second factor is checked."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import Perm


class PortalAdminSite(admin.AdminSite):
    site_header = _("SIM registration portal: ministry administration")
    site_title = _("Ministry administration")

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        # As django-otp's OTPAdminSite: a session whose second factor is unchecked is refused
        # (the portal's SecondFactorMiddleware sends it to the check first).
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or not is_verified():
            return False
        return user.is_superuser or user.has_perm(Perm.USE_ADMIN_SITE)


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
