"""Writes to outlets: a carrier admin opens an outlet and keeps its details current."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.audit.actions import Action
from portal.audit.masking import changed_fields
from portal.audit.services import audit_record
from registrations.errors import RegistrationCode as Code
from registrations.errors import RegistrationError
from registrations.models import Operator, Outlet, Province


def _code_taken(code: str) -> RegistrationError:
    return RegistrationError(
        Code.OUTLET_CODE_TAKEN,
        _("Your operator already has an outlet with the code %(code)s: choose another code.")
        % {"code": code},
        field="code",
        status=409,
    )


def _code_in_use(*, operator: Operator, code: str, excluding: Outlet | None = None) -> bool:
    outlets = Outlet.objects.filter(operator=operator, code=code)
    if excluding is not None:
        outlets = outlets.exclude(pk=excluding.pk)
    return outlets.exists()


def _check_status(status: str) -> None:
    if status not in Outlet.Status.values:
        raise RegistrationError(
            Code.OUTLET_STATUS_UNKNOWN,
            _("Unknown outlet status %(status)s.") % {"status": repr(status)},
            field="status",
        )


def _audited_values(outlet: Outlet) -> dict:
    return {
        "code": outlet.code,
        "name": outlet.name,
        "address": outlet.address,
        "province": outlet.province_id,
        "opening_hours": outlet.opening_hours,
        "status": outlet.status,
    }


def _save(outlet: Outlet, **kwargs) -> None:
    try:
        # The unique constraint is the last word, against a concurrent write of the same code;
        # the savepoint keeps the surrounding transaction usable when it refuses.
        with transaction.atomic():
            outlet.save(**kwargs)
    except IntegrityError:
        if _code_in_use(operator=outlet.operator, code=outlet.code, excluding=outlet):
            raise _code_taken(outlet.code) from None
        raise


@transaction.atomic
def outlet_create(
    *,
    actor,
    operator: Operator,
    code: str,
    name: str,
    address: str,
    province: Province,
    opening_hours: str,
    status: str = Outlet.Status.ACTIVE,
) -> Outlet:
    """Open an outlet for ``operator``; its code must be new for that operator."""
    _check_status(status)
    code = code.strip()
    if _code_in_use(operator=operator, code=code):
        raise _code_taken(code)
    outlet = Outlet(
        operator=operator,
        code=code,
        name=name.strip(),
        address=address.strip(),
        province=province,
        opening_hours=opening_hours.strip(),
        status=status,
    )
    _save(outlet)
    audit_record(
        action=Action.OUTLET_CREATED,
        actor=actor,
        obj=outlet,
        changes=changed_fields({}, _audited_values(outlet)),
    )
    return outlet


@transaction.atomic
def outlet_update(
    *,
    actor,
    outlet: Outlet,
    code: str,
    name: str,
    address: str,
    province: Province,
    opening_hours: str,
    status: str,
) -> Outlet:
    """Change an outlet's details; the operator never changes."""
    outlet = (
        Outlet.objects.select_for_update(of=("self",)).select_related("operator").get(pk=outlet.pk)
    )
    _check_status(status)
    before = _audited_values(outlet)
    code = code.strip()
    if _code_in_use(operator=outlet.operator, code=code, excluding=outlet):
        raise _code_taken(code)
    outlet.code = code
    outlet.name = name.strip()
    outlet.address = address.strip()
    outlet.province = province
    outlet.opening_hours = opening_hours.strip()
    outlet.status = status
    _save(
        outlet,
        update_fields=["code", "name", "address", "province", "opening_hours", "status"],
    )
    audit_record(
        action=Action.OUTLET_CHANGED,
        actor=actor,
        obj=outlet,
        changes=changed_fields(before, _audited_values(outlet)),
    )
    return outlet


def outlet_row_lock(outlet_id: int) -> None:
    """Hold the outlet's row until the transaction ends: one writer per outlet at a time.

    FOR NO KEY UPDATE of the outlet row alone. The model's ordering joins the operator, and a
    plain FOR UPDATE would lock the operator's row too, which every commit inserting a row
    that points at the operator must share (the deferred foreign-key check): a deadlock with
    the audit chain's lock under load.
    """
    rows = Outlet.objects.select_for_update(no_key=True, of=("self",)).filter(pk=outlet_id)
    list(rows.order_by().values_list("pk", flat=True))  # evaluated: a queryset alone is lazy
