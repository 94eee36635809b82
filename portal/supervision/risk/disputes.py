"""Subscribers' "not mine" disputes left unanswered past their deadline, per outlet of the
disputed registrations (per creating account for the online channel); flagged from one.

The disputes belong to the subscriber's side, which supervision does not import: the site
registers where the overdue ones are (``overdue_disputes_source_register``)."""

from collections.abc import Callable
from datetime import datetime

from django.db.models import QuerySet

from portal.supervision.risk.base import Hit, RiskConfig, counted_per_unit
from registrations.models import Registration

# now -> the ids of the registrations whose dispute is open and past its deadline.
_sources: list[Callable[[datetime], QuerySet]] = []


def overdue_disputes_source_register(source: Callable[[datetime], QuerySet]) -> None:
    if source not in _sources:
        _sources.append(source)


def overdue_disputes(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    hits = []
    for source in _sources:
        rows = Registration.objects.filter(pk__in=source(now))
        hits += counted_per_unit(
            rows, kind=kind, signal="overdue_disputes", config=config,
            detail=lambda count, _mine: {"overdue": count},
        )  # fmt: skip
    return hits
