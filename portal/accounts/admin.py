from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from portal.accounts.models import User
from portal.audit.actions import Action
from portal.audit.admin import AuditedModelAdmin


@admin.register(User)
class PortalUserAdmin(AuditedModelAdmin, UserAdmin):
    audit_created_action = Action.USER_CREATED
    audit_changed_action = Action.USER_CHANGED
    list_display = ["username", "first_name", "last_name", "operator", "is_active"]
    list_filter = ["groups", "operator", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Employer", {"fields": ["operator"]})]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate an account instead: the audit trail refers to it
