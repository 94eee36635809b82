from django.contrib import admin

from registrations.models import Operator, Outlet, Province, Registration, RegistrationPolicy


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "operator", "province", "status"]
    list_filter = ["operator", "province", "status"]
    search_fields = ["code", "name"]


@admin.register(RegistrationPolicy)
class RegistrationPolicyAdmin(admin.ModelAdmin):
    list_display = ["cap_per_operator", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read-only: registrations change only through the lifecycle services."""

    list_display = ["id", "operator", "channel", "province", "status", "created_at"]
    list_filter = ["status", "channel", "operator"]
    fields = [
        "id",
        "operator",
        "outlet",
        "channel",
        "province",
        "status",
        "created_by",
        "created_at",
        "submitted_at",
        "decided_at",
        "decision_reasons",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
