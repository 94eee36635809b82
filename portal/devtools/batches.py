"""A batch of demo rows: which of them exist, their generation, then their writing.

Generation is pure computation. On PostgreSQL a batch also comes as COPY text and is
loaded with COPY; other databases get bulk_create.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, models

from portal.devtools.history import (
    _REG_SUBSCRIBER,
    _RESIDENT_ID,
    REGISTRATION_FIELDS,
    SUBSCRIBER_FIELDS,
    _World,
    generate_group,
)
from portal.devtools.people import (
    FEMALE_CHARS,
    MALE_CHARS,
    SHARED_CHARS,
    SURNAMES,
    registration_uuid,
)
from portal.devtools.reference import (
    APPROVE_NOTES,
    COPY_READ_SIZE,
    GROUP_SIZE,
    REJECT_NOTES,
    REJECT_REASONS,
    REVIEW_REASONS,
)
from registrations.models import Registration, Subscriber

# --- Writing rows -----------------------------------------------------------------------------


@dataclass
class _Batch:
    """Registrations lo..hi-1 and the subscribers they belong to, generated, not yet written.

    On PostgreSQL the rows also come as COPY text, all but the keys that the database
    hands out while writing: a subscriber's text follows its id; a registration's text
    is split around its subscriber_id.
    """

    lo: int
    hi: int
    subscribers: list[tuple]
    registrations: list[tuple]
    subscriber_text: list[str] | None = None
    registration_text: list[tuple[str, str]] | None = None


_NULL = "\\N"  # COPY text format; the text columns hold only the generated values above, so
# there is no tab, newline or backslash to escape (checked at the end of this module).
_JSON = {reasons: json.dumps(list(reasons)) for reasons in ((), *REJECT_REASONS, *REVIEW_REASONS)}


# COPY bypasses the model's fields, so the lines carry what they would write: the number and
# the name sealed (base64 and dots, nothing to escape), and the number's blind index.
_SUBSCRIBER_COPY_FIELDS = ("id", *SUBSCRIBER_FIELDS, "id_number_index")
_ID_NUMBER_FIELD = Subscriber._meta.get_field("id_number")
_FULL_NAME_FIELD = Subscriber._meta.get_field("full_name")


def _subscriber_copy_text(row: tuple) -> str:
    """A subscriber's COPY line after its id (_SUBSCRIBER_COPY_FIELDS order)."""
    id_type, id_number, full_name, birth_date, id_expiry, created_at, sex = row
    expiry = _NULL if id_expiry is None else id_expiry
    sealed_number = _ID_NUMBER_FIELD.get_prep_value(id_number)
    sealed_name = _FULL_NAME_FIELD.get_prep_value(full_name)
    index = Subscriber.id_number_index_for(id_number)
    return (
        f"{id_type}\t{sealed_number}\t{sealed_name}\t{birth_date}\t{expiry}\t{created_at}"
        f"\t{sex}\t{index}\n"
    )


def _registration_copy_text(row: tuple) -> tuple[str, str]:
    """A registration's COPY line (REGISTRATION_FIELDS order), around its subscriber_id."""
    (
        id_, _, operator, outlet, channel, province, msisdn, iccid, status, created_by,
        decided_by, reasons, note, created, updated, submitted, decided, cancelled,
    ) = row  # fmt: skip
    return f"{id_}\t", (
        f"\t{operator}\t{_NULL if outlet is None else outlet}\t{channel}\t{province}\t{msisdn}"
        f"\t{iccid}\t{status}\t{created_by}\t{_NULL if decided_by is None else decided_by}"
        f"\t{_JSON[reasons]}\t{note}\t{created}\t{updated}"
        f"\t{_NULL if submitted is None else submitted}\t{_NULL if decided is None else decided}"
        f"\t{_NULL if cancelled is None else cancelled}\n"
    )


def _generate_batch(lo: int, hi: int, world: _World, *, copy_text: bool) -> _Batch:
    """Pure computation (no database), so it can run in a thread while the last batch loads."""
    subscribers: list[tuple] = []
    registrations: list[tuple] = []
    for group in range(lo // GROUP_SIZE, (hi - 1) // GROUP_SIZE + 1):
        group_subscribers, group_registrations = generate_group(group, world)
        start = group * GROUP_SIZE
        # A group cut by hi keeps only the subscribers of its rows below hi.
        kept = {row[_REG_SUBSCRIBER] for row in group_registrations[: hi - start]}
        subscribers += [row for row in group_subscribers if row[1] in kept]
        registrations += group_registrations[: hi - start]
    batch = _Batch(lo, hi, subscribers, registrations)
    if copy_text:
        batch.subscriber_text = [_subscriber_copy_text(row) for row in subscribers]
        batch.registration_text = [_registration_copy_text(row) for row in registrations]
    return batch


def _columns(model, fields: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(model._meta.get_field(name).column) for name in fields)


def copy_rows(model, fields: Sequence[str], lines: Iterable[str]) -> None:
    """Load rows with PostgreSQL's COPY (text format), far faster than INSERT."""
    buffer = io.StringIO()
    buffer.writelines(lines)
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        # One large read per batch: each read needs the GIL, which the generating thread holds.
        sql = f"COPY {table} ({_columns(model, fields)}) FROM STDIN"
        cursor.cursor.copy_expert(sql, buffer, size=COPY_READ_SIZE)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(field, value) -> str:
    if value is None:
        return _NULL
    if isinstance(field, models.JSONField):
        text = json.dumps(value, cls=field.encoder)
    elif isinstance(value, bool):
        text = "t" if value else "f"
    else:
        text = str(field.get_prep_value(value))
    return text.translate(_COPY_ESCAPES)


def copy_line(obj, fields: Sequence[str]) -> str:
    """A model instance as a COPY text line of ``fields`` (values escaped for the format).

    Made without a database, so that a generating process can make them."""
    meta = obj._meta
    values = []
    for name in fields:
        field = meta.get_field(name)
        values.append(_copy_value(field, getattr(obj, field.attname)))
    return "\t".join(values) + "\n"


def _reserve_ids(model, count: int) -> list[int]:
    """Take ``count`` values from the primary key's sequence (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _bulk_create(model, fields: Sequence[str], rows: list[tuple]) -> list:
    """bulk_create, then put back the timestamps that auto_now(_add) overwrote in pre_save."""
    meta = model._meta
    attnames = [meta.get_field(name).attname for name in fields]
    objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects)
    stamped = [
        (f, attnames.index(f.attname))
        for f in meta.concrete_fields
        if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        and f.attname in attnames
    ]
    if stamped and objects:
        # A plain UPDATE per row: QuerySet.bulk_update builds a CASE per column, which is slow.
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(f.column)} = %s" for f, _ in stamped)
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (names from the model)
        params = [
            [f.get_db_prep_value(row[position], connection) for f, position in stamped]
            + [meta.pk.get_db_prep_value(obj.pk, connection)]
            for obj, row in zip(objects, rows, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
    return objects


# Lookups by key go in chunks this small so that the planner probes the index even while
# the table grows faster than its statistics (a long IN list would make it scan the table).
LOOKUP_CHUNK = 1000
PRELOAD_LIMIT = 200_000


class _ExistingRegistrations:
    """Which registration ids already exist, asked one batch at a time.

    A table of at most PRELOAD_LIMIT rows (the usual case: empty, or a small demo being
    extended) is read once; rows inserted later are the seed's own, in other batches.
    A larger table is asked batch by batch.
    """

    def __init__(self) -> None:
        rows = Registration.objects.order_by()
        self.count = rows.count()
        self.preloaded: set[uuid.UUID] | None = None
        if self.count <= PRELOAD_LIMIT:
            self.preloaded = set(rows.values_list("pk", flat=True))

    def among(self, lo: int, hi: int) -> set[uuid.UUID]:
        """The ids of registrations lo..hi-1 that exist."""
        if self.preloaded is not None and not self.preloaded:
            return set()
        ids = [registration_uuid(i) for i in range(lo, hi)]
        if self.preloaded is not None:
            return {pk for pk in ids if pk in self.preloaded}
        found: set[uuid.UUID] = set()
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = Registration.objects.order_by().filter(pk__in=ids[start : start + LOOKUP_CHUNK])
            found.update(chunk.values_list("pk", flat=True))
        return found


class _ExistingSubscribers:
    """Keys of the resident-ID subscribers that already exist, by ID number (as above).

    Rows are matched on the blind index, so no sealed number is opened.
    """

    def __init__(self) -> None:
        rows = Subscriber.objects.order_by().filter(id_type=_RESIDENT_ID)
        self.preloaded: dict[str, int] | None = None
        if rows.count() <= PRELOAD_LIMIT:
            self.preloaded = dict(rows.values_list("id_number_index", "pk"))

    def keys(self, id_numbers: Iterable[str]) -> dict[str, int]:
        if self.preloaded == {}:
            return {}  # a fresh demo: no index to compute
        by_index = {Subscriber.id_number_index_for(n): n for n in id_numbers}
        if self.preloaded is not None:
            return {n: self.preloaded[i] for i, n in by_index.items() if i in self.preloaded}
        wanted = list(by_index)
        keys: dict[str, int] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            rows = Subscriber.objects.order_by().filter(
                id_type=_RESIDENT_ID, id_number_index__in=chunk
            )
            keys.update((by_index[i], pk) for i, pk in rows.values_list("id_number_index", "pk"))
        return keys


def _write_batch(
    batch: _Batch, existing: set[uuid.UUID], subscribers: _ExistingSubscribers
) -> tuple[int, int]:
    """Insert the batch's registrations that do not exist yet, and their new subscribers.

    Returns how many subscribers and registrations were created.
    """
    missing = [k for k, row in enumerate(batch.registrations) if row[0] not in existing]
    needed = {batch.registrations[k][_REG_SUBSCRIBER] for k in missing}
    keys = subscribers.keys(needed)
    new = [k for k, row in enumerate(batch.subscribers) if row[1] in needed and row[1] not in keys]
    if connection.vendor == "postgresql":
        pairs = list(zip(new, _reserve_ids(Subscriber, len(new)), strict=True))
        keys.update((batch.subscribers[k][1], pk) for k, pk in pairs)
        texts = batch.subscriber_text
        copy_rows(Subscriber, _SUBSCRIBER_COPY_FIELDS, (f"{pk}\t{texts[k]}" for k, pk in pairs))
        parts, rows = batch.registration_text, batch.registrations
        copy_rows(
            Registration,
            REGISTRATION_FIELDS,
            (parts[k][0] + str(keys[rows[k][_REG_SUBSCRIBER]]) + parts[k][1] for k in missing),
        )
    else:
        created = _bulk_create(Subscriber, SUBSCRIBER_FIELDS, [batch.subscribers[k] for k in new])
        keys.update((s.id_number, s.pk) for s in created)
        rows = [batch.registrations[k] for k in missing]
        _bulk_create(
            Registration,
            REGISTRATION_FIELDS,
            [(row[0], keys[row[_REG_SUBSCRIBER]], *row[2:]) for row in rows],
        )
    return len(new), len(missing)


for _text in (*APPROVE_NOTES, *REJECT_NOTES, SURNAMES, MALE_CHARS, FEMALE_CHARS, SHARED_CHARS):
    assert not {"\t", "\n", "\\"} & set(_text), "COPY text format would need escaping"
