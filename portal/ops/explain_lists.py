"""Every list query, as each kind of reader asks it, EXPLAINed on the database as it is: a
plan that reads the registrations or the audit trail from end to end (a sequential scan)
is a list whose cost grows with the table.

The queries are the pages' own, built by their selectors for the demo's accounts (nation,
one province, one operator, one outlet), unfiltered and with each filter, first pages and a
page from a cursor, and the capped count beside each. Run by ``manage.py explain_lists``;
``tests/portal/ops/test_explain_lists.py`` runs it over 1,000,000 registrations.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from portal.lib.listing import SortKeys
from portal.supervision.selectors.audit import AuditFilters, audit_event_list
from registrations.models import Registration
from registrations.search import search_term
from registrations.selectors import RegistrationFilters, registration_list
from verification.selectors import REVIEW_ORDER, review_queue

WATCHED_TABLES = ("registrations_registration", "audit_auditevent")
READERS = ("inspector", "inspector_gd", "carrier_admin_cmcc", "staff_gd_sz_001")
PAGE = 51  # a page of 50 and one more, as keyset_page reads it
COUNT_CAP = 1001


@dataclass(frozen=True)
class Case:
    name: str
    queryset: QuerySet


@dataclass(frozen=True)
class Finding:
    case: str
    table: str
    node: str


def seq_scans(plan: dict) -> Iterator[tuple[str, str]]:
    """(table, node type) of each sequential scan of a watched table in a JSON plan."""
    node = plan.get("Plan", plan)
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in WATCHED_TABLES:
        yield node["Relation Name"], node["Node Type"]
    for child in node.get("Plans", []):
        yield from seq_scans(child)


def _registration_filters(sample: Registration) -> dict[str, RegistrationFilters]:
    today = timezone.localdate()
    none = RegistrationFilters()
    return {
        "unfiltered": none,
        "status": replace(none, status="approved"),
        "operator": replace(none, operator=sample.operator),
        "outlet": replace(none, outlet=sample.outlet) if sample.outlet else none,
        "province": replace(none, province=sample.province),
        "channel": replace(none, channel="online"),
        "staff": replace(none, staff=sample.created_by_id),
        "30 days": replace(none, created_from=today - timedelta(days=30), created_to=today),
        "search by number": replace(none, search=search_term(sample.msisdn)),
    }


def _audit_filters() -> dict[str, AuditFilters]:
    today = timezone.localdate()
    return {
        "unfiltered": AuditFilters(),
        "action": AuditFilters(action="risk_alert.raised"),
        "actor": AuditFilters(actor="inspector"),
        "object": AuditFilters(object_type="registration", object_id="1"),
        "30 days": AuditFilters(occurred_from=today - timedelta(days=30), occurred_to=today),
    }


def _pages(name: str, rows: QuerySet, keys: tuple[str, ...], newest=True) -> Iterator[Case]:
    """The first page, a page from a cursor (the 1,000th row's key), and the capped count."""
    key = SortKeys(rows.model, keys)
    reading = key.newest_first(rows) if newest else key.oldest_first(rows)
    yield Case(f"{name}: first page", reading[:PAGE])
    anchor = reading.values_list(*keys)[1000:1001].first()
    if anchor is not None:
        further = key.older(rows, anchor) if newest else key.newer(rows, anchor)
        ordered = key.newest_first(further) if newest else key.oldest_first(further)
        yield Case(f"{name}: from a cursor", ordered[:PAGE])
    yield Case(f"{name}: count", reading[:COUNT_CAP])


def cases() -> Iterator[Case]:
    users = get_user_model().objects.filter(username__in=READERS)
    sample = Registration.objects.filter(outlet__isnull=False).order_by("-created_at").first()
    for reader in users.order_by("username"):
        if sample is not None:
            for label, filters in _registration_filters(sample).items():
                rows = registration_list(user=reader, filters=filters)
                yield from _pages(f"{reader.username} registrations {label}", rows,
                                  ("created_at", "id"))  # fmt: skip
        if reader.username == "carrier_admin_cmcc":  # the operator's reviewer
            queue = review_queue(user=reader)
            yield from _pages("carrier_admin_cmcc review queue", queue, REVIEW_ORDER, newest=False)
        if reader.username != "staff_gd_sz_001":  # outlet staff read no audit trail
            for label, filters in _audit_filters().items():
                events = audit_event_list(user=reader, filters=filters)
                yield from _pages(f"{reader.username} audit {label}", events, ("sequence",))


def explain_all() -> tuple[list[str], list[Finding]]:
    """(the cases EXPLAINed, the sequential scans found)."""
    seen, findings = [], []
    for case in cases():
        seen.append(case.name)
        plan = json.loads(case.queryset.explain(format="json"))[0]
        for table, node in seq_scans(plan):
            findings.append(Finding(case=case.name, table=table, node=node))
    return seen, findings
