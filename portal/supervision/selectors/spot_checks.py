"""Reads of spot checks: the population a campaign may be drawn from, the campaigns a user
sees, one sample's blind evidence, and the campaign's report.

Scope: an inspector sees the campaigns over the provinces they inspect (a campaign without a
province, only a nation-wide inspector); the population is always read through
``registrations.scoping``, so a campaign can never reach a registration outside its creator's
scope. Everything else is a 404.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import BinaryField, CharField, Count, F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import Window
from django.db.models.functions import Cast, RowNumber
from django.utils.translation import gettext as _

from portal.accounts.permissions import Perm, can
from portal.accounts.scoping import get_in_scope_or_404, sees_nation
from portal.lib.listing import within_days
from portal.supervision import sampling
from portal.supervision.models import SpotCheck, SpotCheckSample
from portal.supervision.sampling import wilson_interval
from registrations import scoping
from registrations.models import Operator, Province, Registration
from verification.models import BiometricEvidence, ViewingGrant
from verification.selectors import registrations_with_evidence, viewing_grant_live

Status = Registration.Status
# A decided registration: approved or rejected (by the engine or in review), and those
# approved then cancelled (their decision was "approved").
DECIDED_STATUSES = (Status.APPROVED, Status.REJECTED, Status.CANCELLED)


@dataclass(frozen=True)
class Population:
    """The filters of a campaign's population."""

    decided_from: date
    decided_to: date
    operator: Operator | None = None
    province: Province | None = None


def spot_check_population(*, user, population: Population) -> QuerySet[Registration]:
    """The decided registrations in ``user``'s scope matching ``population``."""
    registrations = scoping.registrations_in_scope(user).filter(
        status__in=DECIDED_STATUSES, decided_at__isnull=False
    )
    registrations = within_days(
        registrations, "decided_at", first=population.decided_from, last=population.decided_to
    )
    if population.operator is not None:
        registrations = registrations.filter(operator=population.operator)
    if population.province is not None:
        registrations = registrations.filter(province=population.province)
    return registrations


def spot_check_strata(registrations: QuerySet[Registration]) -> dict[tuple[int, str], int]:
    """(operator id, province code) -> how many of ``registrations`` it holds."""
    rows = (
        registrations.order_by()
        .values_list("operator_id", "province_id")
        .annotate(count=Count("pk"))
    )
    return {(operator, province): count for operator, province, count in rows}


Stratum = tuple[int, str]


def spot_check_draw(
    registrations: QuerySet[Registration], *, seed: str, shares: dict[Stratum, int]
) -> dict[Stratum, list[tuple[str, object]]]:
    """Each stratum's ``share`` first registrations by ``sampling.order_key``: (key, id) pairs.

    On PostgreSQL the keys are computed and ranked by the database in one pass over the
    population; a nation-wide month at ten million registrations is millions of rows, which
    Python would first have to fetch. Elsewhere each stratum is drawn by ``sampling.draw``.
    """
    wanted = {stratum: share for stratum, share in shares.items() if share > 0}
    if not wanted:
        return {}
    if connection.vendor != "postgresql":
        return {
            (operator, province): sampling.draw(
                seed,
                registrations.filter(operator_id=operator, province_id=province)
                .order_by()
                .values_list("pk", flat=True)
                .iterator(chunk_size=5000),
                share,
            )
            for (operator, province), share in wanted.items()
        }
    ranked = (
        registrations.order_by()
        .annotate(
            order_key=_order_key_sql(seed),
            rank=Window(
                RowNumber(),
                partition_by=[F("operator_id"), F("province_id")],
                order_by=F("order_key").asc(),
            ),
        )
        .filter(rank__lte=max(wanted.values()))
        .values_list("operator_id", "province_id", "rank", "order_key", "pk")
    )
    drawn: dict[Stratum, list[tuple[int, str, object]]] = {stratum: [] for stratum in wanted}
    for operator, province, rank, key, pk in ranked:
        stratum = (operator, province)
        if rank <= wanted.get(stratum, 0):
            drawn[stratum].append((rank, key, pk))
    return {
        stratum: [(key, pk) for _rank, key, pk in sorted(rows)] for stratum, rows in drawn.items()
    }


def _order_key_sql(seed: str) -> Func:
    """``sampling.order_key`` of the row's id, in SQL: HMAC-SHA256 from its two hashes
    (PostgreSQL has SHA-256 built in, HMAC only in an extension)."""
    inner, outer = sampling.hmac_keys(seed)
    member = Func(Cast("pk", TextField()), Value("UTF8"), function="CONVERT_TO")

    def sha256(key: bytes, message) -> Func:
        joined = Func(
            Value(key, output_field=BinaryField()), message, arg_joiner=" || ",
            template="(%(expressions)s)", output_field=BinaryField(),
        )  # fmt: skip
        return Func(joined, function="SHA256", output_field=BinaryField())

    digest = sha256(outer, sha256(inner, member))
    return Func(digest, Value("hex"), function="ENCODE", output_field=CharField())


def spot_checks_visible(*, user) -> QuerySet[SpotCheck]:
    """The campaigns ``user`` may open: those over provinces in their scope."""
    if not can(user, Perm.RUN_SPOT_CHECKS):
        return SpotCheck.objects.none()
    campaigns = SpotCheck.objects.select_related("operator", "province", "created_by")
    if sees_nation(user):
        return campaigns
    return campaigns.filter(province__in=scoping.provinces_in_scope(user))


def spot_check_list(*, user) -> QuerySet[SpotCheck]:
    return (
        spot_checks_visible(user=user)
        .annotate(
            samples_count=Count("samples"),
            adjudicated_count=Count("samples", filter=~Q(samples__verdict="")),
        )
        .order_by("-created_at", "-pk")
    )


def spot_check_get(*, user, pk) -> SpotCheck:
    return get_in_scope_or_404(spot_checks_visible(user=user), pk=pk)


def spot_check_samples(*, spot_check: SpotCheck) -> QuerySet[SpotCheckSample]:
    return spot_check.samples.select_related("operator", "province").order_by(
        "operator__code", "province_id", "rank"
    )


def spot_check_sample_get(*, user, spot_check: SpotCheck, pk) -> SpotCheckSample:
    """A sample of a campaign ``user`` sees, whose registration is still in their scope."""
    samples = spot_check.samples.select_related(
        "registration", "operator", "province", "spot_check"
    ).filter(registration__in=registrations_with_evidence(user))
    return get_in_scope_or_404(samples, pk=pk)


# -- the blind page ------------------------------------------------------------------------------


@dataclass
class BlindEvidence:
    """What the blind page shows: the ID portrait and the best frames of the last capture,
    under the viewer's grant. Nothing of the decision, its reasons or the engine's scores."""

    grant: ViewingGrant | None
    portraits: list[BiometricEvidence] = field(default_factory=list)
    key_frames: list[BiometricEvidence] = field(default_factory=list)


def spot_check_reason(spot_check: SpotCheck) -> str:
    """The viewing reason recorded for the evidence of a campaign's samples (stored as data,
    the same in every language, so it reads the same in the trail and to the subscriber)."""
    return f"spot check {spot_check.name} (#{spot_check.pk})"


def blind_evidence(*, user, sample: SpotCheckSample) -> BlindEvidence:
    registration = sample.registration
    grant = viewing_grant_live(user=user, registration=registration)
    if grant is None or grant.reason != spot_check_reason(sample.spot_check):
        # A grant opened for another reason does not cover a spot check.
        return BlindEvidence(grant=None)
    evidence = list(registration.evidence.order_by("created_at", "frame_index"))
    last_job = registration.verification_jobs.order_by("-attempt").first()
    key_frames = [
        item
        for item in evidence
        if item.kind == BiometricEvidence.Kind.KEY_FRAME
        and last_job is not None
        and item.job_id == last_job.pk
    ]
    portraits = [item for item in evidence if item.kind == BiometricEvidence.Kind.PORTRAIT]
    return BlindEvidence(grant=grant, portraits=portraits, key_frames=key_frames)


def next_pending_sample(*, spot_check: SpotCheck, after: SpotCheckSample | None = None):
    """The next sample still to adjudicate, in the campaign's order (None when done)."""
    pending = [s for s in spot_check_samples(spot_check=spot_check) if not s.adjudicated]
    if after is not None:
        later = [s for s in pending if s.pk != after.pk]
        return later[0] if later else None
    return pending[0] if pending else None


# -- the report ----------------------------------------------------------------------------------


@dataclass
class Agreement:
    """Agreement of blind verdicts with the original decisions, over some samples."""

    label: str
    sampled: int = 0
    adjudicated: int = 0
    agreed: int = 0
    disagreed: int = 0
    cannot_tell: int = 0

    def add(self, sample: SpotCheckSample) -> None:
        self.sampled += 1
        if not sample.adjudicated:
            return
        self.adjudicated += 1
        agrees = sample.agrees
        if agrees is None:
            self.cannot_tell += 1
        elif agrees:
            self.agreed += 1
        else:
            self.disagreed += 1

    @property
    def judged(self) -> int:
        """Verdicts that say match or no match ("cannot tell" is counted apart)."""
        return self.agreed + self.disagreed

    @property
    def rate(self) -> float | None:
        return self.agreed / self.judged if self.judged else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.agreed, self.judged)

    @property
    def rate_percent(self) -> str:
        return "–" if self.rate is None else f"{self.rate * 100:.1f} %"

    @property
    def interval_percent(self) -> str:
        if self.interval is None:
            return "–"
        low, high = self.interval
        return f"{low * 100:.1f} – {high * 100:.1f} %"


@dataclass
class SpotCheckReport:
    strata: list[Agreement]
    total: Agreement
    disagreements: list[SpotCheckSample]
    complete: bool


def spot_check_report(*, spot_check: SpotCheck) -> SpotCheckReport:
    """Per stratum and in total: verdicts against the original decisions, with a 95 % Wilson
    interval of the agreement rate; and the samples whose verdict disagrees."""
    by_stratum: dict[tuple, Agreement] = defaultdict(lambda: Agreement(label=""))
    total = Agreement(label=_("All strata"))
    disagreements = []
    for sample in spot_check_samples(spot_check=spot_check):
        stratum = by_stratum[(sample.operator.code, sample.province_id)]
        stratum.label = f"{sample.operator.name} × {sample.province.name}"
        stratum.add(sample)
        total.add(sample)
        if sample.agrees is False:
            disagreements.append(sample)
    strata = [by_stratum[key] for key in sorted(by_stratum)]
    complete = total.sampled > 0 and total.adjudicated == total.sampled
    return SpotCheckReport(
        strata=strata, total=total, disagreements=disagreements, complete=complete
    )
