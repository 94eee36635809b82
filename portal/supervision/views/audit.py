"""The audit trail's pages: a filtered list and its CSV export (itself audited)."""

import csv
import json

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.audit.actions import Action
from portal.audit.services import audit_in_transaction
from portal.lib.listing import keyset_page
from portal.lib.spreadsheet import safe_row
from portal.supervision.forms.audit import AuditFilterForm
from portal.supervision.selectors import audit as selectors

PAGE_SIZE = 50
# Counting every event in scope would grow with the trail; past this the page says "more than".
COUNT_CAP = 1000
EXPORT_COLUMNS = [
    "sequence", "occurred_at", "actor_type", "actor_label", "actor_role", "action",
    "object_type", "object_id", "changes", "ip_address", "request_id", "reason", "hash",
]  # fmt: skip


@permission_required(Perm.VIEW_AUDIT_TRAIL)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    events = selectors.audit_event_list(user=request.user, filters=form.filters())
    pages = keyset_page(
        request, events, keys=("sequence",), per_page=PAGE_SIZE, count_cap=COUNT_CAP
    )
    context = {"form": form, **pages}
    return render(request, "supervision/audit_list.html", context)


class _Echo:
    def write(self, value):
        return value


@permission_required(Perm.VIEW_AUDIT_TRAIL)
def audit_export(request):
    filters = AuditFilterForm(request.GET or None).filters()
    events = selectors.audit_event_list(user=request.user, filters=filters)
    audit_in_transaction(
        action=Action.EXPORTED,
        actor=request.user,
        object_type="auditevent",
        operator_id=request.user.operator_id,
        changes={"filters": (None, filters.describe()), "rows": (None, events.count())},
    )
    writer = csv.writer(_Echo())
    rows = map(_export_row, events.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000))
    # Typed values (a username, a reason) reach the file as text, never as a formula.
    stream = (writer.writerow(safe_row(row)) for row in _with_header(rows))
    stamp = timezone.localtime(timezone=timezone.get_default_timezone()).strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


_OCCURRED_AT = EXPORT_COLUMNS.index("occurred_at")
_CHANGES = EXPORT_COLUMNS.index("changes")


def _export_row(row: tuple) -> list:
    """A row as its reader wants it: the time in the portal's time zone (Asia/Shanghai,
    ``YYYY-MM-DD HH:MM:SS``), the changes as JSON (Chinese kept as it is, keys sorted)."""
    cells = list(row)
    local = timezone.localtime(cells[_OCCURRED_AT], timezone.get_default_timezone())
    cells[_OCCURRED_AT] = local.strftime("%Y-%m-%d %H:%M:%S")
    cells[_CHANGES] = json.dumps(cells[_CHANGES] or {}, ensure_ascii=False, sort_keys=True)
    return cells


def _with_header(rows):
    yield EXPORT_COLUMNS
    yield from rows
