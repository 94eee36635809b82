"""The decision facts of every decided registration, counted by PostgreSQL in one query.

``rollups._decision_rows`` derives each fact in Python with ``decision_fact``, the function
the incremental counts use; at ten million registrations that is twenty minutes of Python.
This is the same derivation in SQL, grouped by the database: every step below names the
Python function it mirrors, and the rebuild tests check that both agree with the counts
moved change by change (``test_rollup_rebuild``).
"""

from django.db import connection

from portal.supervision.models.rollups import (
    HISTOGRAM_BUCKETS,
    HISTOGRAM_FIELDS,
    DecisionDayRollup,
    DecisionRollup,
    ReasonRollup,
)
from registrations.models import Registration, Subscriber
from verification.engine import reasons as engine_reasons
from verification.models import VerificationJob

# decision_fact's key, in DecisionRollup's column order.
DECISION_KEY = (
    "day", "operator_id", "province_code", "outlet_id", "staff_id", "channel", "outcome",
    "reviewer_id", "override", "age_band", "sex", "source", "attempts",
)  # fmt: skip
REASON_KEY = ("day", "operator_id", "province_code", "outlet_id", "channel", "outcome")
GROUPING_MEMORY = "1GB"  # a rare, one-off recount: its groups hashed in memory
REASON_LENGTH = 40  # decision_fact keeps the first 40 characters of a reason


def _age_band_sql(age_bands, unknown: str) -> str:
    """rollups.age_band: whole years on the day of the decision, then the first band whose
    lower bound they reach (one WIDTH_BUCKET over the bounds, so the age is worked out once
    per row)."""
    age = (
        "(EXTRACT(YEAR FROM f.day)::int - EXTRACT(YEAR FROM f.birth_date)::int"
        " - CASE WHEN (EXTRACT(MONTH FROM f.day), EXTRACT(DAY FROM f.day))"
        " < (EXTRACT(MONTH FROM f.birth_date), EXTRACT(DAY FROM f.birth_date))"
        " THEN 1 ELSE 0 END)"
    )
    ascending = sorted(age_bands)
    bounds = ", ".join(str(int(low)) for low, _ in ascending)
    # The labels are the module's constants, not input: quoted as SQL literals.
    labels = ", ".join(f"'{label}'" for _, label in ascending)
    return f"COALESCE((ARRAY[{labels}])[WIDTH_BUCKET({age}, ARRAY[{bounds}])], '{unknown}')"


def _bucket_sql() -> str:
    """rollups.duration_bucket: the seconds' bit length (how many of 1, 2, 4 ... they reach),
    the last bucket all the rest."""
    bounds = ", ".join(str(2**k) for k in range(HISTOGRAM_BUCKETS - 1))
    return f"WIDTH_BUCKET(f.seconds, ARRAY[{bounds}]::bigint[])"


# The part of a decision fact's key that is the registration's own (ReasonRollup's key).
_REASON_KEY_COLUMNS = """
    (r.decided_at AT TIME ZONE %(zone)s)::date AS day,  -- local_day
    r.operator_id,
    r.province_id AS province_code,
    COALESCE(r.outlet_id, 0) AS outlet_id,
    r.channel,
    CASE r.status WHEN %(rejected)s THEN %(rejected)s
                  ELSE %(approved)s END AS outcome  -- _OUTCOME_OF_STATUS
"""
_DECIDED = "r.decided_at IS NOT NULL AND r.status IN (%(approved)s, %(rejected)s, %(cancelled)s)"


def _reason_facts_sql() -> str:
    """The decided registrations that have a reason, with ReasonRollup's key. It is the
    registration's own: no subscriber or attempts to join, as the full facts need."""
    registrations = connection.ops.quote_name(Registration._meta.db_table)
    return f"""
        WITH facts AS (
            SELECT {_REASON_KEY_COLUMNS}, r.decision_reasons
            FROM {registrations} r
            WHERE {_DECIDED}
              AND JSONB_TYPEOF(r.decision_reasons) = 'array'
              AND r.decision_reasons <> '[]'::jsonb
        )
    """  # noqa: S608 (names from the model; every value is a parameter)


def _facts_sql(*, age_bands, unknown: str, no_capture: str) -> str:
    """One row per decided registration: its decision fact's key, seconds and reasons."""
    quote = connection.ops.quote_name
    registrations = quote(Registration._meta.db_table)
    subscribers = quote(Subscriber._meta.db_table)
    jobs = quote(VerificationJob._meta.db_table)
    return f"""
        WITH attempts AS (
            -- Attempts.of_rows: the highest attempt, its source, and the decision of the
            -- last finished job
            SELECT registration_id,
                   MAX(attempt) AS attempts,
                   (ARRAY_AGG(source ORDER BY attempt DESC))[1] AS source,
                   (ARRAY_AGG(decision ORDER BY attempt DESC)
                        FILTER (WHERE status = %(done)s))[1] AS engine_decision
            FROM {jobs}
            GROUP BY registration_id
        ),
        decided AS (
            SELECT {_REASON_KEY_COLUMNS},
                   r.created_by_id AS staff_id,
                   COALESCE(r.decided_by_id, 0) AS reviewer_id,
                   COALESCE(a.attempts, 0) AS attempts,
                   COALESCE(a.source, %(no_capture)s) AS source,
                   COALESCE(a.engine_decision, '') AS engine_decision,
                   s.birth_date,
                   COALESCE(NULLIF(s.sex, ''), %(unknown)s) AS sex,  -- sex_of
                   GREATEST(0, TRUNC(EXTRACT(EPOCH FROM
                       r.decided_at - COALESCE(r.submitted_at, r.decided_at))))::bigint
                       AS seconds,
                   r.decision_reasons
            FROM {registrations} r
            JOIN {subscribers} s ON s.id = r.subscriber_id
            LEFT JOIN attempts a ON a.registration_id = r.id
            WHERE {_DECIDED}
        ),
        facts AS (
            SELECT f.day, f.operator_id, f.province_code, f.outlet_id, f.staff_id, f.channel,
                   f.outcome, f.reviewer_id,
                   -- is_override
                   (f.reviewer_id <> 0 AND (
                       (f.engine_decision = %(pass)s AND f.outcome = %(rejected)s)
                       OR (f.engine_decision = %(fail)s AND f.outcome = %(approved)s)
                   )) AS override,
                   {_age_band_sql(age_bands, unknown)} AS age_band,
                   f.sex, f.source, f.attempts, f.seconds,
                   {_bucket_sql()} AS bucket,
                   f.decision_reasons
            FROM decided f
        )
    """  # noqa: S608 (names from the models; every value is a parameter)


def _params(*, no_capture: str, unknown: str, zone: str) -> dict:
    Status = Registration.Status
    return {
        "done": VerificationJob.Status.DONE,
        "approved": Status.APPROVED,
        "rejected": Status.REJECTED,
        "cancelled": Status.CANCELLED,
        "pass": engine_reasons.PASS,
        "fail": engine_reasons.FAIL,
        "no_capture": no_capture,
        "unknown": unknown,
        "zone": zone,
    }


def _insert_sql(model, columns, select: str) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(name) for name in columns)
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) {select}"  # noqa: S608


def decision_rollups_insert(
    *, age_bands, unknown: str, no_capture: str, zone: str, day_key: tuple[str, ...]
) -> dict[str, int]:
    """Fill the empty DecisionRollup, ReasonRollup and DecisionDayRollup as
    ``rollups._decision_rows`` would, in the database; returns the rows written of each."""
    facts = _facts_sql(age_bands=age_bands, unknown=unknown, no_capture=no_capture)
    params = _params(no_capture=no_capture, unknown=unknown, zone=zone)
    key = ", ".join(DECISION_KEY)
    histogram = ", ".join(
        f"COUNT(*) FILTER (WHERE bucket = {k})" for k in range(len(HISTOGRAM_FIELDS))
    )
    counts = ("n", "seconds", *HISTOGRAM_FIELDS)
    decisions = _insert_sql(
        DecisionRollup,
        (*DECISION_KEY, *counts),
        f"{facts} SELECT {key}, COUNT(*), SUM(seconds), {histogram} FROM facts GROUP BY {key}",  # noqa: S608
    )
    reason_key = ", ".join(REASON_KEY)
    # Each distinct reason once per decision (decision_fact's set); a non-array or an empty
    # one gives none, so those rows are left out before the reasons are unpacked.
    reasons = _insert_sql(
        ReasonRollup,
        (*REASON_KEY, "reason", "n"),
        f"""{_reason_facts_sql()}
        SELECT {reason_key}, reason, COUNT(*)
        FROM facts,
             LATERAL (
                 SELECT DISTINCT LEFT(value, {REASON_LENGTH}) AS reason
                 FROM JSONB_ARRAY_ELEMENTS_TEXT(CASE JSONB_TYPEOF(facts.decision_reasons)
                     WHEN 'array' THEN facts.decision_reasons ELSE '[]'::jsonb END) AS value
             ) AS reasons
        GROUP BY {reason_key}, reason
        """,  # noqa: S608
    )
    # rollups._day_counts, summed over the decision rows of each day key.
    days_key = ", ".join(day_key)
    sums = ", ".join(f"SUM({name})" for name in counts)
    days = _insert_sql(
        DecisionDayRollup,
        (*day_key, *counts, "reviewed", "retaken", "overrides"),
        f"""SELECT {days_key}, {sums},
                   SUM(CASE WHEN reviewer_id <> 0 THEN n ELSE 0 END),
                   SUM(CASE WHEN attempts > 1 THEN n ELSE 0 END),
                   SUM(CASE WHEN override THEN n ELSE 0 END)
            FROM {connection.ops.quote_name(DecisionRollup._meta.db_table)}
            GROUP BY {days_key}""",  # noqa: S608
    )
    written = {}
    with connection.cursor() as cursor:
        # For this transaction: the groups sorted or hashed in memory, not in temporary
        # files; and no JIT, whose compilation costs seconds that a scan this simple never
        # wins back.
        cursor.execute("SET LOCAL work_mem = %s", [GROUPING_MEMORY])
        cursor.execute("SET LOCAL jit = off")
        for model, sql in ((DecisionRollup, decisions), (ReasonRollup, reasons),
                           (DecisionDayRollup, days)):  # fmt: skip
            cursor.execute(sql, params if model is not DecisionDayRollup else None)
            written[model._meta.model_name] = cursor.rowcount
    return written
