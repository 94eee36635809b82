"""Django's admin, open to the ministry admin only."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from portal.accounts.roles import Role, role_of


class PortalAdminSite(admin.AdminSite):
    site_header = "SIM registration portal: ministry administration"
    site_title = "Ministry administration"

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or role_of(user) == Role.MINISTRY_ADMIN


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
