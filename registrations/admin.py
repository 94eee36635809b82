from django.contrib import admin

from portal.audit.actions import Action
from portal.audit.admin import AuditedModelAdmin
from registrations.models import Operator, Outlet, Province, Registration, RegistrationPolicy


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Operator)
class OperatorAdmin(AuditedModelAdmin):
    audit_created_action = Action.OPERATOR_CREATED
    audit_changed_action = Action.OPERATOR_CHANGED
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False  # registrations refer to it for ever


@admin.register(Outlet)
class OutletAdmin(AuditedModelAdmin):
    audit_created_action = Action.OUTLET_CREATED
    audit_changed_action = Action.OUTLET_CHANGED
    list_display = ["code", "name", "operator", "province", "status"]
    list_filter = ["operator", "province", "status"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False  # suspend an outlet instead: registrations refer to it


@admin.register(RegistrationPolicy)
class RegistrationPolicyAdmin(AuditedModelAdmin):
    audit_created_action = Action.POLICY_CHANGED
    audit_changed_action = Action.POLICY_CHANGED
    list_display = ["cap_per_operator", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

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
