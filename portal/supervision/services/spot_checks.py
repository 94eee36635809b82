"""Spot checks: define a campaign and draw its sample, open a sample's evidence for the
campaign, record a blind verdict, close the campaign. Each an atomic step with its audit event.

Which strata are oversampled is an argument of ``spot_check_create``. Other parts of the
supervision (the risk alerts) feed it through ``oversampling_source_register``: a source is a
function (user, population) -> strata [(operator id, province code), ...], asked by
``oversampled_strata_suggested`` when a campaign is defined. Nothing here reads their models.
"""

import unicodedata
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from portal.accounts.permissions import Perm, can
from portal.accounts.scoping import sees_nation
from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.supervision import sampling
from portal.supervision.errors import SpotCheckCode, SpotCheckError
from portal.supervision.models import SpotCheck, SpotCheckSample
from portal.supervision.selectors import spot_checks as selectors
from portal.supervision.selectors.spot_checks import Population
from registrations import scoping
from registrations.models import Registration
from verification.models import ViewingGrant
from verification.services import viewing_grant_open

# A fixed sample size above this is not a spot check any more (and would be slow to draw).
MAX_SAMPLE_SIZE = 5000
NOTE_MAX_LENGTH = 2000

Stratum = tuple[int, str]
OversamplingSource = Callable[[object, Population], Iterable[Stratum]]
_OVERSAMPLING_SOURCES: list[OversamplingSource] = []


def oversampling_source_register(source: OversamplingSource) -> OversamplingSource:
    """Add a source of strata to oversample (usable as a decorator; registering twice is a
    no-op). Called from an AppConfig.ready."""
    if source not in _OVERSAMPLING_SOURCES:
        _OVERSAMPLING_SOURCES.append(source)
    return source


def oversampled_strata_suggested(*, user, population: Population) -> list[Stratum]:
    """The strata the registered sources want oversampled for this population."""
    strata: set[Stratum] = set()
    for source in _OVERSAMPLING_SOURCES:
        strata.update(
            (int(operator), str(province)) for operator, province in source(user, population)
        )
    return sorted(strata)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or any(unicodedata.category(char) in ("Cc", "Cf") for char in name):
        raise SpotCheckError(SpotCheckCode.BAD_NAME, field="name")
    return name


def _check_scope(user, population: Population) -> None:
    if not can(user, Perm.RUN_SPOT_CHECKS):
        raise SpotCheckError(SpotCheckCode.NOT_ALLOWED, status=403)
    if sees_nation(user):
        return
    # An inspector for some provinces defines a campaign over one of them.
    in_scope = scoping.provinces_in_scope(user)
    if population.province is None or not in_scope.filter(pk=population.province.pk).exists():
        raise SpotCheckError(SpotCheckCode.OUT_OF_SCOPE, field="province")


def _original_decision(status: str) -> str:
    # A cancelled registration had been approved.
    if status == Registration.Status.REJECTED:
        return SpotCheckSample.Decision.REJECTED
    return SpotCheckSample.Decision.APPROVED


@transaction.atomic
def spot_check_create(
    *,
    actor,
    name: str,
    population: Population,
    fixed_size: int | None = None,
    oversampled_strata: Iterable[Stratum] = (),
    oversampling_factor: int = sampling.DEFAULT_OVERSAMPLING_FACTOR,
    seed: str | None = None,
) -> SpotCheck:
    """Define a campaign and draw its sample, stratified by operator x province.

    The size is ISO 2859-1 level II for the population's size, or ``fixed_size``; it is
    shared among the strata (``sampling.allocate``), those in ``oversampled_strata`` drawn
    ``oversampling_factor`` times more; each stratum's registrations are ordered by
    HMAC-SHA256(seed, id) and the first taken. The seed is stored: the draw can be redone.
    """
    name = _clean_name(name)
    _check_scope(actor, population)
    if population.decided_to < population.decided_from:
        raise SpotCheckError(SpotCheckCode.BAD_PERIOD, field="decided_to")
    if fixed_size is not None and not 1 <= fixed_size <= MAX_SAMPLE_SIZE:
        message = SpotCheckCode.BAD_SIZE.label % {"max": MAX_SAMPLE_SIZE}
        raise SpotCheckError(SpotCheckCode.BAD_SIZE, message, field="fixed_size")
    if not 1 <= oversampling_factor <= 10:
        raise ValueError("the oversampling factor is from 1 to 10")
    registrations = selectors.spot_check_population(user=actor, population=population)
    sizes = selectors.spot_check_strata(registrations)
    population_size = sum(sizes.values())
    if population_size == 0:
        raise SpotCheckError(SpotCheckCode.EMPTY_POPULATION)
    if fixed_size is None:
        method, letter = (
            SpotCheck.SizeMethod.ISO_2859,
            sampling.iso2859_code_letter(population_size),
        )
        planned = sampling.iso2859_sample_size(population_size)
    else:
        method, letter, planned = SpotCheck.SizeMethod.FIXED, None, min(fixed_size, population_size)
    oversampled = sorted({(int(o), str(p)) for o, p in oversampled_strata} & set(sizes))
    shares = sampling.allocate(sizes, planned, oversampled=oversampled, factor=oversampling_factor)
    seed = seed or sampling.new_seed()
    spot_check = SpotCheck.objects.create(
        name=name,
        created_by=actor,
        operator=population.operator,
        province=population.province,
        decided_from=population.decided_from,
        decided_to=population.decided_to,
        size_method=method,
        fixed_size=fixed_size,
        population_size=population_size,
        code_letter=letter or "",
        planned_size=planned,
        drawn_size=sum(shares.values()),
        seed=seed,
        oversampled_strata=[list(stratum) for stratum in oversampled],
        oversampling_factor=oversampling_factor,
    )
    drawn = selectors.spot_check_draw(registrations, seed=seed, shares=shares)
    decisions = {
        pk: (status, decided_by)
        for pk, status, decided_by in Registration.objects.filter(
            pk__in=[pk for chosen in drawn.values() for _key, pk in chosen]
        ).values_list("pk", "status", "decided_by_id")
    }
    samples = [
        SpotCheckSample(
            spot_check=spot_check,
            registration_id=pk,
            operator_id=operator_id,
            province_id=province_code,
            rank=rank,
            order_key=key,
            original_decision=_original_decision(decisions[pk][0]),
            decided_in_review=decisions[pk][1] is not None,
        )
        for (operator_id, province_code), chosen in sorted(drawn.items())
        for rank, (key, pk) in enumerate(chosen, start=1)
    ]
    SpotCheckSample.objects.bulk_create(samples)
    audit_record(
        action=Action.SPOT_CHECK_CREATED,
        actor=actor,
        obj=spot_check,
        changes={
            "name": (None, name),
            "population": (None, population_size),
            "sample": (None, spot_check.drawn_size),
            "strata": (None, len([share for share in shares.values() if share])),
            "oversampled": (None, len(oversampled)),
        },
    )
    return spot_check


@transaction.atomic
def spot_check_evidence_open(*, sample: SpotCheckSample, actor) -> ViewingGrant:
    """Leave to see a sample's evidence, the campaign stated as the reason (one audit event of
    the viewing grant, as for any look at biometrics)."""
    if sample.spot_check.status == SpotCheck.Status.CLOSED:
        raise SpotCheckError(SpotCheckCode.CLOSED, status=409)
    return viewing_grant_open(
        registration=sample.registration,
        viewer=actor,
        reason=selectors.spot_check_reason(sample.spot_check),
    )


@transaction.atomic
def spot_check_sample_adjudicate(
    *, sample: SpotCheckSample, actor, verdict: str, note: str = ""
) -> SpotCheckSample:
    """Record the blind verdict on one sample: once, and audited."""
    if verdict not in SpotCheckSample.Verdict.values:
        raise SpotCheckError(SpotCheckCode.BAD_VERDICT, field="verdict")
    note = (note or "").strip()[:NOTE_MAX_LENGTH]
    locked = (
        SpotCheckSample.objects.select_for_update().select_related("spot_check").get(pk=sample.pk)
    )
    if locked.spot_check.status == SpotCheck.Status.CLOSED:
        raise SpotCheckError(SpotCheckCode.CLOSED, status=409)
    if locked.adjudicated:
        raise SpotCheckError(SpotCheckCode.ALREADY_ADJUDICATED, status=409)
    locked.verdict = verdict
    locked.note = note
    locked.adjudicated_by = actor
    locked.adjudicated_at = timezone.now()
    locked.save(update_fields=["verdict", "note", "adjudicated_by", "adjudicated_at"])
    audit_record(
        action=Action.SPOT_CHECK_ADJUDICATED,
        actor=actor,
        obj=locked,
        changes={
            "spot_check": (None, locked.spot_check_id),
            "registration": (None, str(locked.registration_id)),
            "verdict": (None, verdict),
        },
    )
    return locked


@transaction.atomic
def spot_check_close(*, spot_check: SpotCheck, actor) -> SpotCheck:
    """Close a campaign: its report is final, nothing more is recorded."""
    locked = SpotCheck.objects.select_for_update().get(pk=spot_check.pk)
    if locked.status == SpotCheck.Status.CLOSED:
        raise SpotCheckError(SpotCheckCode.CLOSED, status=409)
    locked.status = SpotCheck.Status.CLOSED
    locked.save(update_fields=["status"])
    report = selectors.spot_check_report(spot_check=locked)
    audit_record(
        action=Action.SPOT_CHECK_CLOSED,
        actor=actor,
        obj=locked,
        changes={
            "status": (SpotCheck.Status.OPEN, SpotCheck.Status.CLOSED),
            "adjudicated": (None, report.total.adjudicated),
            "disagreements": (None, report.total.disagreed),
        },
    )
    return locked
