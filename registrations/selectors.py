"""Reads of registrations, always through ``registrations.scoping``."""

import functools
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from portal.accounts.scoping import get_in_scope_or_404
from portal.lib.listing import within_days
from portal.lib.prepared import fetchone_prepared
from portal.lib.rawrows import ModelColumns
from registrations import scoping
from registrations.models import Operator, Outlet, Province, Registration, Subscriber
from registrations.search import SearchKind, SearchTerm

# Flags the layers above read with every registration the partner API reads by id (the
# verification flow's: portrait given, consent recorded, attempts made): name -> (a boolean
# SQL expression over the registration's id, written ``{id}``, and its parameters). Filled by
# their AppConfig.ready(), so this app never imports them; ``registration_read`` answers them
# in the same query, in the registration's ``read_flags``.
READ_FLAGS: dict[str, tuple[str, tuple]] = {}


@dataclass(frozen=True)
class RegistrationFilters:
    status: str | None = None
    operator: Operator | None = None
    outlet: Outlet | None = None
    province: Province | None = None
    created_from: date | None = None
    created_to: date | None = None
    channel: str | None = None
    staff: int | None = None  # the account that created them (the overview's staff level)
    search: SearchTerm | None = None  # the search box's term, recognised


def _matching(registrations: QuerySet[Registration], term: SearchTerm) -> QuerySet[Registration]:
    """The registrations of a mobile number, an ICCID or an ID number, matched exactly."""
    if term.kind == SearchKind.MSISDN:
        return registrations.filter(msisdn__in=term.match)
    if term.kind == SearchKind.ICCID:
        return registrations.filter(iccid__in=term.match)
    # By the blind index, never by opening the sealed numbers. Every document type is named
    # so that the (id_type, id_number_index) unique index answers it.
    holders = Subscriber.objects.filter(
        id_type__in=Subscriber.IdType.values, id_number_index__in=term.match
    )
    return registrations.filter(subscriber__in=holders.values("pk"))


def registration_list(*, user, filters: RegistrationFilters) -> QuerySet[Registration]:
    registrations = scoping.registrations_in_scope(user)
    if filters.search:
        registrations = _matching(registrations, filters.search)
    if filters.status:
        registrations = registrations.filter(status=filters.status)
    if filters.operator:
        registrations = registrations.filter(operator=filters.operator)
    if filters.outlet:
        registrations = registrations.filter(outlet=filters.outlet)
    if filters.province:
        registrations = registrations.filter(province=filters.province)
    if filters.channel:
        registrations = registrations.filter(channel=filters.channel)
    if filters.staff:
        registrations = registrations.filter(created_by_id=filters.staff)
    registrations = within_days(
        registrations, "created_at", first=filters.created_from, last=filters.created_to
    )
    return registrations.order_by("-created_at", "-id")


def registration_get(*, user, pk) -> Registration:
    """One registration in the user's scope, or 404."""
    return get_in_scope_or_404(scoping.registrations_in_scope(user), pk=pk)


def registration_read(*, user, pk) -> Registration:
    """``registration_get`` for the partner API's hottest read, in one hand-written query.

    The ORM would spend more time building and compiling the queries than the database
    takes to answer them. The scope is the same (``scoping.partner_scope``), and the
    registration comes back with its subscriber and operator, plus its ``read_flags``. Any
    other account takes ``registration_get``.
    """
    scope = scoping.partner_scope(user)
    if scope is None:
        return registration_get(user=user, pk=pk)
    if not scope.operator_ids:
        raise Http404("No such record")
    registration_id = Registration._meta.pk.get_db_prep_value(pk, connection)
    operator_count = len(scope.operator_ids)
    sql, flag_params = _partner_read_sql(connection.vendor, operator_count)
    row = fetchone_prepared(
        f"partner_registration_read_{operator_count}",
        sql,
        [*flag_params, registration_id, scope.account_id, scope.channel, *scope.operator_ids],
    )
    if row is None:
        raise Http404("No such record")
    return _registration_from_row(row)


_READ_COLUMNS = (
    ModelColumns(Registration, "r"),
    ModelColumns(Subscriber, "s"),
    ModelColumns(Operator, "o"),
)


@functools.cache
def _partner_read_sql(vendor: str, operator_count: int) -> tuple[str, tuple]:
    # Written once per backend (its quoting) and operator count; READ_FLAGS is filled by then.
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    registration_id = f"r.{column(Registration, 'id')}"
    flags = [sql.format(id=registration_id) for sql, _ in READ_FLAGS.values()]
    flag_params = tuple(param for _, params in READ_FLAGS.values() for param in params)
    select = ", ".join([*(columns.select_sql(connection) for columns in _READ_COLUMNS), *flags])
    joins = (
        f"JOIN {table(Subscriber)} s ON s.{column(Subscriber, 'id')} = "
        f"r.{column(Registration, 'subscriber')} "
        f"JOIN {table(Operator)} o ON o.{column(Operator, 'id')} = "
        f"r.{column(Registration, 'operator')}"
    )
    where = " AND ".join(
        [
            f"{registration_id} = %s",
            f"r.{column(Registration, 'created_by')} = %s",
            f"r.{column(Registration, 'channel')} = %s",
            f"r.{column(Registration, 'operator')} IN ({', '.join(['%s'] * operator_count)})",
        ]
    )
    # The names are the models' own; every value is a parameter.
    sql = f"SELECT {select} FROM {table(Registration)} r {joins} WHERE {where}"  # noqa: S608
    return sql, flag_params


def _registration_from_row(row) -> Registration:
    # The row holds each model's columns in _READ_COLUMNS order, then the flags.
    instances, start = [], 0
    for columns in _READ_COLUMNS:
        instances.append(columns.instance(row[start : start + len(columns)], connection))
        start += len(columns)
    registration, subscriber, operator = instances
    registration.subscriber = subscriber
    registration.operator = operator
    registration.read_flags = dict(zip(READ_FLAGS, map(bool, row[start:]), strict=True))
    return registration


def outlets_for_registration(*, user) -> QuerySet[Outlet]:
    """Where this user may register subscribers now: their active outlets."""
    return scoping.outlets_in_scope(user).filter(status=Outlet.Status.ACTIVE)


def outlet_list(*, user) -> QuerySet[Outlet]:
    return scoping.outlets_in_scope(user).order_by("code", "pk")


def outlet_get(*, user, pk) -> Outlet:
    return get_in_scope_or_404(scoping.outlets_in_scope(user), pk=pk)


def own_operator(user) -> Operator | None:
    """The one operator a carrier admin runs, or None for an account attached to none."""
    operators = list(scoping.operators_in_scope(user)[:2])
    return operators[0] if len(operators) == 1 else None
