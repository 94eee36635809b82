from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from portal.accounts.models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "operator", "is_active"]
    list_filter = ["groups", "operator", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Employer", {"fields": ["operator"]})]
