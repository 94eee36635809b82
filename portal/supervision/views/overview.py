"""The overview: figures, tables and charts of a period (the ministry's at /supervision/, a
carrier admin's at /operator/dashboard/, the same page in each one's scope), the same
figures as JSON, the provinces as a tile grid of China coloured by a chosen rate, and each
table as an audited CSV or XLSX file."""

import csv
import io
from datetime import date
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.audit.actions import Action
from portal.audit.services import audit_in_transaction
from portal.lib.spreadsheet import safe_row, xlsx_bytes
from portal.supervision import provinces_grid
from portal.supervision.forms.overview import OverviewForm
from portal.supervision.selectors import summary as selectors
from registrations.models import Province


def _filters(request, *, require_dates: bool):
    """The valid query as filters in the user's scope; the bound form either way. Raises
    Http404 for an operator, province, outlet or staff member outside the scope."""
    user = None if require_dates else request.user  # the page offers lists of choices
    form = OverviewForm.from_query(request.GET, require_dates=require_dates, user=user)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    form.show_period(data["first"], data["last"])
    filters = selectors.summary_filters(
        user=request.user,
        first=data["first"],
        last=data["last"],
        operator=data.get("operator") or "",
        province=data.get("province") or "",
        outlet=data.get("outlet"),
        staff=data.get("staff"),
        channel=data.get("channel") or "",
    )
    return form, filters


@permission_required(Perm.VIEW_SUPERVISION)
@require_safe
def summary_json(request):
    try:
        form, filters = _filters(request, require_dates=True)
    except Http404:
        return JsonResponse(
            {"message": _("Nothing of that name is within your scope.")}, status=404
        )
    if filters is None:
        body = {"message": form.message(), "reasons": ["invalid_query"],
                "errors": {form._label(k): v for k, v in form.errors.items()}}  # fmt: skip
        return JsonResponse(body, status=400)
    response = JsonResponse(selectors.summary(user=request.user, filters=filters))
    response["Cache-Control"] = "private, no-store"
    return response


def _query(filters, **changes) -> str:
    query = {**filters.as_query(), **changes}
    return urlencode({k: v for k, v in query.items() if v not in (None, "")})


def _registrations_link(filters, **extra) -> str:
    """The registration list behind a figure: the same operator, province, outlet, staff
    member, channel and days."""
    query = {
        "operator": filters.operator.pk if filters.operator else "",
        "province": filters.province.code if filters.province else "",
        "outlet": filters.outlet.pk if filters.outlet else "",
        "staff": filters.staff.pk if filters.staff else "",
        "channel": filters.channel,
        "created_from": filters.period.first.isoformat(),
        "created_to": filters.period.last.isoformat(),
        **extra,
    }
    return f"{reverse('registrations:list')}?{urlencode({k: v for k, v in query.items() if v})}"


def _drill_links(figures: dict, filters, here: str) -> None:
    """Each row of a table links one level down: operator -> province -> outlet -> staff
    member -> the registrations behind it."""
    for row in figures["by_operator"]:
        row["link"] = f"{here}?{_query(filters, operator=row['code'])}"
    for row in figures["by_province"]:
        row["link"] = f"{here}?{_query(filters, province=row['code'])}"
    for row in figures["by_outlet"]:
        if row["outlet_id"]:
            row["link"] = f"{here}?{_query(filters, outlet=row['outlet_id'])}"
        row["registrations_link"] = _registrations_link(filters, outlet=row["outlet_id"] or "")
    for row in figures["by_staff"]:
        # One level down to the staff member's own figures (the outlet is chosen by then).
        if filters.outlet and not filters.staff:
            row["link"] = f"{here}?{_query(filters, staff=row['staff_id'])}"
        row["registrations_link"] = _registrations_link(filters, staff=row["staff_id"])


def _trail(filters, here: str) -> list[tuple[str, str]]:
    """Where the page stands in the drill-down, each step a link back up."""
    steps = [
        (_("Nation"), f"{here}?{_query(filters, operator='', province='', outlet='', staff='')}")
    ]
    if filters.operator:
        steps.append(
            (filters.operator.name, f"{here}?{_query(filters, province='', outlet='', staff='')}")
        )
    if filters.province:
        steps.append((str(filters.province), f"{here}?{_query(filters, outlet='', staff='')}"))
    if filters.outlet:
        steps.append((str(filters.outlet), f"{here}?{_query(filters, staff='')}"))
    if filters.staff:
        steps.append((filters.staff.get_full_name() or filters.staff.username, ""))
    return steps


def _percent(value) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _seconds(value) -> str:
    if value is None:
        return "–"
    if value < 120:
        return _("%(n)s s") % {"n": f"{value:.0f}"}
    if value < 7200:
        return _("%(n)s min") % {"n": f"{value / 60:.1f}"}
    return _("%(n)s h") % {"n": f"{value / 3600:.1f}"}


def _count(value) -> str:
    return "–" if value is None else f"{value:,}"


def _tiles(figures: dict) -> list[dict]:
    """The tiles: each figure of the period against the one before."""
    now, before = figures, figures["previous"]
    specs = [
        (_("Registrations"), lambda f: f["registrations"], _count),
        (_("Decided"), lambda f: f["decided"], _count),
        (_("Approval rate"), lambda f: f["rates"]["approval"], _percent),
        (_("Rejection rate"), lambda f: f["rates"]["rejection"], _percent),
        (_("Review rate"), lambda f: f["rates"]["review"], _percent),
        (_("Retake rate"), lambda f: f["rates"]["retake"], _percent),
        (_("Manual overrides"), lambda f: f["rates"]["manual_overrides"], _percent),
        (_("Median upload to decision"), lambda f: f["upload_to_decision"]["median_s"], _seconds),
        (_("Upload to decision, p95"), lambda f: f["upload_to_decision"]["p95_s"], _seconds),
        (_("Evidence views"), lambda f: f["evidence_views"], _count),
    ]  # fmt: skip
    tiles = []
    for label, read, shown in specs:
        value, earlier = read(now), read(before)
        trend = ""
        if value is not None and earlier is not None and value != earlier:
            trend = "up" if value > earlier else "down"
        tiles.append(
            {"label": label, "value": shown(value), "previous": shown(earlier), "trend": trend}
        )
    return tiles


# The rates the province grid may be coloured by, as the selector names them.
GRID_RATES = {
    "approval": gettext_lazy("Approval rate"),
    "rejection": gettext_lazy("Rejection rate"),
    "review": gettext_lazy("Review rate"),
    "retake": gettext_lazy("Retake rate"),
}
assert tuple(GRID_RATES) == provinces_grid.RATES


def _grid_percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _province_grid(figures: dict, filters, here: str, rate: str) -> dict:
    """The tile grid of China for the chosen rate: each tile placed by its row and column
    and coloured by its bin through classes (the CSP allows no inline style), linked to the
    province's drill-down when the province has figures in scope."""
    chinese = (get_language() or "").startswith("zh")
    names = {p.code: selectors.province_name(p) for p in Province.objects.all()}
    tiles, legend = provinces_grid.province_grid(
        figures["by_province"], rate=rate, names=names, chinese=chinese
    )
    extra = {} if rate == provinces_grid.DEFAULT_RATE else {"rate": rate}
    drawn = []
    for tile in tiles:
        colour = "tile-empty" if tile.bin is None else f"tile-bin-{tile.bin}"
        link = ""
        if tile.has_figures:
            link = f"{here}?{_query(filters, province=tile.code, outlet='', staff='', **extra)}"
        drawn.append(
            {
                "code": tile.code,
                "name": tile.name,
                "label": tile.label,
                "value": "–" if tile.value is None else _grid_percent(tile.value),
                "registrations": tile.registrations,
                "bin": tile.bin,
                "classes": f"tile-r{tile.row} tile-c{tile.column} {colour}",
                "link": link,
            }
        )
    return {
        "rate": rate,
        "rate_label": GRID_RATES[rate],
        "rates": [
            {
                "key": key,
                "label": label,
                "link": f"{here}?{_query(filters, rate=key)}#province-grid",
                "current": key == rate,
            }
            for key, label in GRID_RATES.items()
        ],  # fmt: skip
        "tiles": drawn,
        "legend": [
            {
                "bin": b.bin,
                "text": _grid_percent(b.low)
                if b.low == b.high
                else f"{_grid_percent(b.low)} – {_grid_percent(b.high)}",
            }
            for b in legend
        ],  # fmt: skip
        "rows": [tile for tile in drawn if tile["link"]],
    }


def _overview(request, *, here: str, title: str):
    form, filters = _filters(request, require_dates=False)
    context = {"form": form, "title": title, "here": here}
    if filters is None:
        return render(request, "supervision/overview.html", context, status=400)
    rate = request.GET.get("rate") or provinces_grid.DEFAULT_RATE
    if rate not in GRID_RATES:
        form.add_error(
            None,
            _("Colour the province grid by one of: %(rates)s.") % {"rates": ", ".join(GRID_RATES)},
        )
        return render(request, "supervision/overview.html", context, status=400)
    figures = selectors.summary(user=request.user, filters=filters)
    _drill_links(figures, filters, here)
    context.update(
        figures=figures,
        filters=filters,
        trail=_trail(filters, here),
        query=_query(filters),
        registrations_link=_registrations_link(filters),
        chart_data={
            "by_day": figures["by_day"],
            "reasons": figures["reasons"][:12],
            "by_operator": [
                {
                    "name": row["name"],
                    "approved": row["approved"],
                    "rejected": row["rejected"],
                    "pending": row["pending"],
                    "review": row["review"],
                }
                for row in figures["by_operator"]
            ],
            "labels": {
                "approved": _("Approved"),
                "rejected": _("Rejected"),
                "review": _("In review"),
                "pending": _("Pending"),
                "cancelled": _("Cancelled"),
                "reasons": _("Decisions"),
            },
        },  # fmt: skip
        tiles=_tiles(figures),
        grid=_province_grid(figures, filters, here, rate),
    )
    return render(request, "supervision/overview.html", context)


@permission_required(Perm.VIEW_SUPERVISION)
@require_safe
def overview(request):
    return _overview(request, here=reverse("overview:page"), title=_("Supervision overview"))


@permission_required(Perm.VIEW_SUPERVISION)
@require_safe
def operator_dashboard(request):
    return _overview(request, here=reverse("operator-dashboard"), title=_("Operator dashboard"))


# Exports of each table as CSV or XLSX: (title, columns as (heading, field)).
EXPORTABLE = {
    "by_day": (gettext_lazy("Registrations per day"), [
        ("date", "date"), ("registrations", "registrations"), ("approved", "approved"),
        ("rejected", "rejected"), ("review", "review"), ("pending", "pending"),
        ("cancelled", "cancelled"), ("decided", "decided"),
    ]),
    "reasons": (gettext_lazy("Reasons"), [
        ("reason", "reason"), ("rejected", "rejected"), ("approved", "approved"),
        ("total", "total"),
    ]),
    "by_operator": (gettext_lazy("Operators"), [("code", "code"), ("name", "name")]),
    "by_province": (gettext_lazy("Provinces"), [("code", "code"), ("name", "name")]),
    "by_outlet": (gettext_lazy("Outlets"), [("outlet_id", "outlet_id"), ("name", "name")]),
    "by_staff": (gettext_lazy("Staff"), [("staff_id", "staff_id"), ("name", "name")]),
}  # fmt: skip
_GROUP_COLUMNS = [
    ("registrations", "registrations"), ("pending", "pending"), ("review", "review"),
    ("decided", "decided"), ("approved", "approved"), ("rejected", "rejected"),
    ("overrides", "overrides"), ("approval_rate", "rates.approval"),
    ("rejection_rate", "rates.rejection"), ("review_rate", "rates.review"),
    ("retake_rate", "rates.retake"), ("manual_override_rate", "rates.manual_overrides"),
]  # fmt: skip


def _columns(table: str) -> list[tuple[str, str]]:
    _title, columns = EXPORTABLE[table]
    return columns + (_GROUP_COLUMNS if table.startswith("by_") and table != "by_day" else [])


def _value(row: dict, path: str):
    value = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else value


# XLSX number formats by field: rates as percentages.
_XLSX_FORMATS = {path: "0.0%" for _heading, path in _GROUP_COLUMNS if path.startswith("rates.")}


def _export(request, table: str, kind: str):
    """The rows of one table in the user's scope, audited as an export, as ``kind``."""
    if table not in EXPORTABLE:
        raise Http404("No such table")
    form, filters = _filters(request, require_dates=False)
    if filters is None:
        return HttpResponse(form.message(), status=400, content_type="text/plain; charset=utf-8")
    rows = selectors.summary(user=request.user, filters=filters)[table]
    audit_in_transaction(
        action=Action.EXPORTED,
        actor=request.user,
        object_type="supervision_summary",
        object_id=table,
        operator_id=request.user.operator_id,
        changes={
            "filters": (None, filters.describe()),
            "rows": (None, len(rows)),
            "format": (None, kind),
        },
    )
    columns = _columns(table)
    header = [heading for heading, _path in columns]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if kind == "xlsx":
        body = xlsx_bytes(
            title=str(EXPORTABLE[table][0]),
            header=header,
            rows=([_typed(_value(row, path), path) for _heading, path in columns] for row in rows),
            number_formats={
                i: _XLSX_FORMATS[path]
                for i, (_h, path) in enumerate(columns)
                if path in _XLSX_FORMATS
            },
        )
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            # Names typed by people (an outlet's, a staff member's) reach the file as text.
            writer.writerow(safe_row(_value(row, path) for _heading, path in columns))
        body, content_type = out.getvalue(), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{table}-{stamp}.{kind}"'
    response["Cache-Control"] = "no-store"
    return response


def _typed(value, path: str):
    """A cell of the XLSX file: the day of a row as a date, the rest as the CSV has it (the
    writer keeps numbers as numbers and text as text)."""
    if path == "date" and isinstance(value, str) and value:
        return date.fromisoformat(value)
    return value


@permission_required(Perm.VIEW_SUPERVISION)
@require_safe
def overview_export(request, table: str):
    return _export(request, table, "csv")


@permission_required(Perm.VIEW_SUPERVISION)
@require_safe
def overview_export_xlsx(request, table: str):
    return _export(request, table, "xlsx")
