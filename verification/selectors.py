"""Reads of verification data, always for a registration reached through its scope."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.accounts.permissions import Perm, can, can_review, can_view_evidence
from portal.accounts.scoping import get_in_scope_or_404
from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.selectors import object_timeline
from registrations import lifecycle, scoping
from registrations.lifecycle import Step
from registrations.models import Outlet, Registration
from registrations.services.policy import uploaded_captures_allowed
from verification.engine import DEFAULT_THRESHOLDS
from verification.errors import VerificationCode, VerificationError, message_for
from verification.models import (
    BiometricEvidence,
    Consent,
    EvidenceKey,
    VerificationJob,
    ViewingGrant,
)
from verification.outcomes import Outcome, registration_outcome
from verification.storage import EvidenceUnreadable, data_key_unwrap

Status = Registration.Status


@dataclass(frozen=True)
class FlowState:
    """Where a registration stands in the outlet flow."""

    has_consent: bool
    has_portrait: bool
    jobs: tuple[VerificationJob, ...]  # by attempt

    @property
    def attempts(self) -> int:
        return len(self.jobs)

    @property
    def pending_job(self) -> VerificationJob | None:
        return next((job for job in self.jobs if not job.done), None)

    @property
    def last_job(self) -> VerificationJob | None:
        return self.jobs[-1] if self.jobs else None

    @property
    def can_capture(self) -> bool:
        return self.has_consent and self.has_portrait and self.pending_job is None


def flow_state(registration: Registration) -> FlowState:
    # The flags come with a registration read by ``registrations.selectors.registration_read``
    # (see flow_flags_sql), else from one query; the attempts take a second query only when
    # there are some: a draft has none yet.
    flags = (
        getattr(registration, "read_flags", None)
        or (
            Registration.objects.filter(pk=registration.pk)
            .annotate(
                has_consent=Exists(Consent.objects.filter(registration=OuterRef("pk"))),
                has_portrait=Exists(
                    BiometricEvidence.objects.filter(
                        registration=OuterRef("pk"), kind=BiometricEvidence.Kind.PORTRAIT
                    )
                ),
                has_jobs=Exists(VerificationJob.objects.filter(registration=OuterRef("pk"))),
            )
            .values("has_consent", "has_portrait", "has_jobs")
            .first()
        )
        or {"has_consent": False, "has_portrait": False, "has_jobs": False}
    )
    jobs = registration.verification_jobs.order_by("attempt") if flags["has_jobs"] else ()
    return FlowState(
        has_consent=flags["has_consent"], has_portrait=flags["has_portrait"], jobs=tuple(jobs)
    )


def flow_flags_sql() -> dict[str, tuple[str, tuple]]:
    """``flow_state``'s flags as SQL over a registration's id (``{id}``), for the partner
    API's one-query read (``registrations.selectors.READ_FLAGS``)."""
    quote = connection.ops.quote_name

    def exists(model, *conditions: str) -> str:
        column = quote(model._meta.get_field("registration").column)
        where = " AND ".join([f"{column} = {{id}}", *conditions])
        table = quote(model._meta.db_table)
        return f"EXISTS (SELECT 1 FROM {table} WHERE {where})"  # noqa: S608 - the models' names

    kind = quote(BiometricEvidence._meta.get_field("kind").column)
    portrait = (BiometricEvidence.Kind.PORTRAIT,)
    return {
        "has_consent": (exists(Consent), ()),
        "has_portrait": (exists(BiometricEvidence, f"{kind} = %s"), portrait),
        "has_jobs": (exists(VerificationJob), ()),
    }


def outlet_suspended(registration: Registration) -> bool:
    """Registered at an outlet that has been suspended since: no step may follow."""
    # Read now, not from the registration's cached outlet: the suspension may be seconds old.
    return Outlet.objects.filter(pk=registration.outlet_id, status=Outlet.Status.SUSPENDED).exists()


def uploads_allowed() -> bool:
    """May a capture be a file uploaded instead of recorded by the page's camera? Only when
    the deployment (VERIFICATION_ALLOW_UPLOADS) and the ministry's policy both allow it."""
    return settings.VERIFICATION_ALLOW_UPLOADS and uploaded_captures_allowed()


def capture_source_text(job: VerificationJob) -> str:
    """Where an attempt's capture came from, said for a reviewer (anything not known to be
    the camera is treated as a file: it proves no live presence)."""
    if job.source == VerificationJob.Source.CAMERA:
        return _("Recorded live by the camera")
    return _("Uploaded file, not recorded live by the camera")


def is_draft(registration: Registration) -> bool:
    """Still being prepared: the portrait and the consent may still be given."""
    return lifecycle.is_open_for(registration, Step.SUBMIT)


def retake_open(registration: Registration, state: FlowState | None = None) -> bool:
    """A verifying registration whose last attempt asked for a retake."""
    last = (state or flow_state(registration)).last_job
    return (
        registration.status == Status.VERIFYING
        and last is not None
        and last.outcome == VerificationJob.Outcome.RETAKE
    )


def current_portrait(registration: Registration) -> BiometricEvidence | None:
    return (
        registration.evidence.filter(kind=BiometricEvidence.Kind.PORTRAIT)
        .order_by("-created_at")
        .first()
    )


def next_step_url(registration: Registration, state: FlowState | None = None) -> str:
    """The outlet flow's next page for a registration being captured."""
    state = state or flow_state(registration)
    if is_draft(registration) and not state.has_portrait:
        return reverse("verification:portrait", args=[registration.pk])
    if is_draft(registration) and not state.has_consent:
        return reverse("verification:consent", args=[registration.pk])
    return reverse("verification:capture", args=[registration.pk])


class CaptureSource:
    """Where an attempt's capture came from, for the pages that list attempts."""

    job: VerificationJob

    @property
    def source(self) -> str:
        return capture_source_text(self.job)

    @property
    def uploaded(self) -> bool:
        return self.job.source != VerificationJob.Source.CAMERA


@dataclass
class Attempt(CaptureSource):
    job: VerificationJob
    reasons: list[dict] = field(default_factory=list)


@dataclass
class RegistrationVerification:
    state: FlowState
    attempts: list[Attempt]
    can_continue: bool
    is_draft: bool
    next_url: str | None
    can_view_evidence: bool
    outcome: Outcome


def registration_verification(*, user, registration: Registration) -> RegistrationVerification:
    """What the registration page shows of verification, and what this user may do next."""
    state = flow_state(registration)
    attempts = [
        Attempt(job=job, reasons=[message_for(code) for code in job.reasons]) for job in state.jobs
    ]
    retake = (
        retake_open(registration, state) and state.attempts < settings.VERIFICATION_MAX_ATTEMPTS
    )
    stopped = is_draft(registration) and outlet_suspended(registration)
    can_continue = ((is_draft(registration) and not stopped) or retake) and can(
        user, Perm.SUBMIT_REGISTRATION
    )
    return RegistrationVerification(
        state=state,
        attempts=attempts,
        can_continue=can_continue,
        is_draft=is_draft(registration),
        next_url=next_step_url(registration, state) if can_continue else None,
        can_view_evidence=can_view_evidence(user, registration),
        outcome=registration_outcome(registration, state, outlet_suspended=stopped),
    )


# The manual review queue and one case of it (registrations.scoping decides who sees which).


# The review queue's order, and its pages' cursor: the longest waiting first.
REVIEW_ORDER = ("submitted_at", "id")


@dataclass(frozen=True)
class ReviewFilters:
    """What the review queue may be narrowed to: one outlet, one reason, a least wait."""

    outlet: Outlet | None = None
    reason: str = ""  # a code of REVIEW_REASON_CODES
    waited_hours: int | None = None


def review_queue(*, user, filters: ReviewFilters | None = None) -> QuerySet[Registration]:
    """The registrations in review this user may decide, those waiting longest first (by
    submission time, then id: every case in review was submitted), read by the page in that
    order from a cursor, so that every page follows from the one before, filtered or not."""
    filters = filters or ReviewFilters()
    cases = scoping.registrations_for_review(user)
    if filters.outlet is not None:
        cases = cases.filter(outlet=filters.outlet)
    if filters.reason:
        # The reasons are a JSON list of codes (letters and underscores): the quoted code
        # is found in its text on every database, where JSON containment is not.
        cases = cases.filter(decision_reasons__icontains=f'"{filters.reason}"')
    if filters.waited_hours:
        since = timezone.now() - timedelta(hours=filters.waited_hours)
        cases = cases.filter(
            Q(submitted_at__lte=since) | Q(submitted_at__isnull=True, created_at__lte=since)
        )
    return cases.order_by(*REVIEW_ORDER)


def review_outlets(*, user) -> QuerySet[Outlet]:
    """The outlets with cases in the user's review queue, for its outlet filter.

    Each outlet of the reviewed operators is asked whether it has a case (one probe of the
    partial index reg_review_outlet): reading the outlets off the whole queue took seconds
    at ten million registrations.
    """
    waiting = scoping.registrations_for_review(user).filter(outlet=OuterRef("pk"))
    return (
        Outlet.objects.filter(operator__in=scoping.reviewed_operator_pks(user))
        .filter(Exists(waiting))
        .order_by("code")
    )


def review_reasons(registrations) -> dict:
    """Registration pk -> why it is in review, in sentences: the reasons it was sent with,
    else those of its last verification attempt."""
    last_attempt = last_attempt_reasons(registrations)
    return {
        case.pk: [message_for(code) for code in case.decision_reasons]
        or last_attempt.get(case.pk, [])
        for case in registrations
    }


def review_case_get(*, user, pk) -> Registration:
    return get_in_scope_or_404(scoping.registrations_for_review(user), pk=pk)


def last_attempt_reasons(registrations) -> dict:
    """Registration pk -> the plain-language reasons of its last verification attempt."""
    last: dict = {}
    jobs = VerificationJob.objects.filter(registration__in=list(registrations)).order_by(
        "registration", "attempt"
    )
    for job in jobs.only("registration_id", "attempt", "reasons"):
        last[job.registration_id] = job.reasons  # ordered by attempt: the last one wins
    return {pk: [message_for(code) for code in codes] for pk, codes in last.items()}


class MatchBand(TextChoices):
    STRONG = "strong", _lazy("Strong match")
    UNCERTAIN = "uncertain", _lazy("Uncertain")
    NONE = "none", _lazy("No match")


def match_band(match: dict) -> MatchBand | None:
    """The verdict a reviewer reads from an attempt's face match, None when no distance was
    computed. The edges are the engine's own (``Thresholds``): at or under the pass threshold
    the engine called it a match, up to the review threshold it sent the case to a person,
    beyond it it found no match. They are taken from the attempt's result, the thresholds its
    decision used, so the band never contradicts the decision; an older result without them
    falls back to the engine's defaults."""
    distance = match.get("distance")
    if distance is None:
        return None
    passed = match.get("pass_threshold") or DEFAULT_THRESHOLDS.match_threshold
    reviewed = match.get("review_threshold") or DEFAULT_THRESHOLDS.review_threshold
    if distance <= passed:
        return MatchBand.STRONG
    if distance <= reviewed:
        return MatchBand.UNCERTAIN
    return MatchBand.NONE


@dataclass
class ReviewAttempt(CaptureSource):
    job: VerificationJob
    reasons: list[str]
    match: dict
    liveness: dict
    quality: dict
    identity: dict
    captures: list[BiometricEvidence]
    key_frames: list[BiometricEvidence]

    @property
    def band(self) -> MatchBand | None:
        return match_band(self.match)

    @property
    def best_frames(self) -> list[tuple[BiometricEvidence, float | None]]:
        """The key frames, the closest to the ID portrait first, each with its distance
        (None for a frame the match did not measure)."""
        # The engine lists one distance per matched frame, in the order of its frames.
        frames, distances = self.match.get("frames") or [], self.match.get("distances") or []
        measured = dict(zip(frames, distances, strict=False))
        with_distance = [(frame, measured.get(frame.frame_index)) for frame in self.key_frames]
        return sorted(with_distance, key=lambda pair: (pair[1] is None, pair[1] or 0.0))


@dataclass
class ReviewCase:
    registration: Registration
    portraits: list[BiometricEvidence]
    attempts: list[ReviewAttempt]


def review_case(*, registration: Registration) -> ReviewCase:
    """What a reviewer weighs: every attempt's scores and reasons, and the evidence behind them."""
    evidence = list(registration.evidence.order_by("created_at", "frame_index"))
    attempts = []
    for job in registration.verification_jobs.order_by("attempt"):
        result = job.result or {}
        mine = [item for item in evidence if item.job_id == job.pk]
        attempts.append(
            ReviewAttempt(
                job=job,
                reasons=[message_for(code) for code in job.reasons],
                match=result.get("match") or {},
                liveness=result.get("liveness") or {},
                quality=result.get("quality") or {},
                identity=result.get("identity") or {},
                captures=[item for item in mine if item.kind == BiometricEvidence.Kind.CAPTURE],
                key_frames=[item for item in mine if item.kind == BiometricEvidence.Kind.KEY_FRAME],
            )
        )
    portraits = [item for item in evidence if item.kind == BiometricEvidence.Kind.PORTRAIT]
    return ReviewCase(registration=registration, portraits=portraits, attempts=attempts)


# A registration's timeline, its events grouped by verification attempt.

# The registration's own steps that an attempt brings about: shown with that attempt.
_STEPS_OF_AN_ATTEMPT = frozenset(
    {Action.REGISTRATION_SUBMITTED, Action.REGISTRATION_VERIFYING, Action.REGISTRATION_DECIDED}
)


@dataclass
class TimelineGroup:
    attempt: int | None  # None: the registration's own events, before or after the attempts
    events: list[AuditEvent] = field(default_factory=list)


def _changed_to(event: AuditEvent, name: str):
    """The value a field changed to in an event's ``changes`` ([before, after]), or None."""
    change = (event.changes or {}).get(name)
    return change[1] if isinstance(change, list | tuple) and len(change) == 2 else None


def registration_timeline(*, registration: Registration) -> list[TimelineGroup]:
    """The registration's audit events, oldest first, in runs: each attempt's run holds the
    events that name it (its challenges, its capture queued, its job completed or queued
    again) and the registration's steps it brought about (submitted, verifying, decided);
    everything else (creation, consent, portrait, viewings, the review) runs outside."""
    groups: list[TimelineGroup] = []
    attempt_of_job: dict[str, int] = {}
    for event in object_timeline(obj=registration):
        attempt, job = _changed_to(event, "attempt"), _changed_to(event, "verification_job")
        if attempt is not None and job is not None:
            attempt_of_job[job] = attempt  # the capture queued names both
        elif job is not None:
            attempt = attempt_of_job.get(job)
        current = groups[-1] if groups else None
        if attempt is None and current is not None and event.action in _STEPS_OF_AN_ATTEMPT:
            attempt = current.attempt
        if current is None or current.attempt != attempt:
            current = TimelineGroup(attempt=attempt)
            groups.append(current)
        current.events.append(event)
    return groups


def evidence_case(*, user, registration: Registration) -> ReviewCase | None:
    """The evidence of a registration page, for those allowed to look (None otherwise)."""
    if not can_view_evidence(user, registration) or not registration.evidence.exists():
        return None
    return review_case(registration=registration)


def part_taken(*, user, registration: Registration) -> str | None:
    """How ``user`` took part in ``registration`` beyond creating it, or None: they recorded
    the consent, uploaded evidence, or captured (a challenge issued to them, a capture)."""
    if Consent.objects.filter(registration=registration, recorded_by=user).exists():
        return _("You recorded this subscriber's consent: another reviewer must decide it.")
    if registration.evidence.filter(created_by=user).exists():
        return _("You uploaded evidence of this registration: another reviewer must decide it.")
    captured = registration.verification_jobs.filter(created_by=user).exists()
    if captured or registration.challenges.filter(issued_to=user).exists():
        return _("You made a live capture of this registration: another reviewer must decide it.")
    return None


def review_conflict(*, user, registration: Registration) -> str | None:
    """Why ``user`` may not decide ``registration`` in review (shown on its page), or None."""
    if not can_review(user, registration):
        return _("You submitted this registration: another reviewer must decide it.")
    return part_taken(user=user, registration=registration)


def is_assigned_reviewer(*, user, registration: Registration) -> bool:
    """The case is the user's to decide (in their review queue, and not one they took part
    in) and they may see its evidence: their purpose in looking is the review itself."""
    return (
        can_view_evidence(user, registration)
        and scoping.registrations_for_review(user).filter(pk=registration.pk).exists()
        and review_conflict(user=user, registration=registration) is None
    )


def registrations_with_evidence(user) -> QuerySet[Registration]:
    """Registrations whose biometric evidence the user may view (with a stated reason).

    Their ordinary scope, plus the review queue: an appointed reviewer must see the faces of
    the cases they decide, even at outlets they do not work at.
    """
    if not can(user, Perm.VIEW_EVIDENCE):
        return Registration.objects.none()
    in_scope = scoping.registrations_in_scope(user).values("pk")
    for_review = scoping.registrations_for_review(user).values("pk")
    return Registration.objects.filter(Q(pk__in=in_scope) | Q(pk__in=for_review))


def evidence_registration_get(*, user, pk) -> Registration:
    """A registration whose evidence the user may ask to see, or 404."""
    return get_in_scope_or_404(registrations_with_evidence(user), pk=pk)


def viewing_grant_live(*, user, registration: Registration) -> ViewingGrant | None:
    """The user's grant to see this registration's evidence now, if one is open."""
    grants = ViewingGrant.objects.filter(
        user=user, registration=registration, expires_at__gt=timezone.now()
    )
    return grants.order_by("-issued_at").first()


def viewing_grant_get(*, user, pk) -> ViewingGrant:
    """One of the user's own grants, for a registration still theirs to see (a reviewer's
    ends with the review); anyone else's looks like none: a 404 VerificationError."""
    grants = ViewingGrant.objects.select_related("registration").filter(
        user=user, registration__in=registrations_with_evidence(user)
    )
    try:
        return grants.get(pk=pk)
    except (ViewingGrant.DoesNotExist, ValueError) as missing:
        raise VerificationError(VerificationCode.VIEWING_GRANT_UNKNOWN, status=404) from missing


def evidence_under_grant(*, user, grant_pk, pk) -> tuple[ViewingGrant, BiometricEvidence]:
    """One piece of evidence and the live grant of ``user`` that shows it, or a
    VerificationError: 404 for a grant or file not theirs, 403 once the grant has ended."""
    grant = viewing_grant_get(user=user, pk=grant_pk)
    evidence = BiometricEvidence.objects.filter(registration=grant.registration, pk=pk).first()
    if evidence is None:
        raise VerificationError(VerificationCode.VIEWING_GRANT_UNKNOWN, status=404)
    if grant.expired():
        raise VerificationError(VerificationCode.VIEWING_GRANT_EXPIRED, status=403)
    return grant, evidence


def data_key_of(registration_id) -> bytes | None:
    """The registration's data key, unwrapped; None when it has none (or it was destroyed)."""
    wrapped = (
        EvidenceKey.objects.filter(registration_id=registration_id, wrapped__isnull=False)
        .values_list("wrapped", flat=True)
        .first()
    )
    return None if wrapped is None else data_key_unwrap(wrapped)


def evidence_read(evidence: BiometricEvidence) -> bytes:
    """The decrypted bytes (EvidenceUnreadable or FileNotFoundError if they cannot be had:
    purged, altered, or its key gone)."""
    if evidence.purged_at or not evidence.file.name:
        raise EvidenceUnreadable(f"evidence {evidence.pk} was deleted under the retention rules")
    return evidence.file.storage.read_sealed(
        evidence.file.name, data_key_of(evidence.registration_id)
    )
