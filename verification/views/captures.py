"""The outlet's verification steps: ID portrait, consent, live capture, progress.

The capture page talks JSON to three endpoints (challenge, upload, status); every refusal is
a 4xx with ``{"message": message, "reasons": [code]}`` and leaves the registration as it was.
"""

from django.conf import settings
from django.contrib import messages as flash
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.lib import ratelimit
from portal.lib.errors import add_to_form, error_response
from portal.lib.forms import form_status
from portal.lib.middleware import allow_camera
from registrations import selectors as registration_selectors
from registrations.errors import RegistrationError
from registrations.models import Registration
from verification import services
from verification.consent_notice import consent_notice
from verification.errors import VerificationCode, VerificationError, message_for
from verification.forms import ConsentForm, PortraitForm
from verification.models import VerificationJob
from verification.outcomes import registration_outcome
from verification.selectors import (
    flow_state,
    is_draft,
    next_step_url,
    retake_open,
    uploads_allowed,
)
from verification.services.captures import challenge_recording_s

SUBMIT = Perm.SUBMIT_REGISTRATION


def _registration(request, pk) -> Registration:
    return registration_selectors.registration_get(user=request.user, pk=pk)


def _outlet_of(request, pk) -> int | None:
    """The registration's outlet, as the rate limits' key (out of scope: 404, as below)."""
    return _registration(request, pk).outlet_id


def _file_dropped(request, field: str) -> bool:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    return field not in request.FILES and length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE


def _not_draft(request, registration: Registration):
    """The ID portrait and consent steps belong to drafts: anything later goes to its page."""
    if is_draft(registration):
        return None
    flash.info(request, VerificationCode.NOT_DRAFT.label)
    return redirect("registrations:detail", pk=registration.pk)


def _render_step(request, template: str, registration: Registration, form, step: str, **extra):
    context = {
        "registration": registration,
        "form": form,
        "state": flow_state(registration),
        "step": step,
        **extra,
    }
    return render(request, template, context, status=form_status(form))


@permission_required(SUBMIT)
def portrait_upload(request, pk):
    registration = _registration(request, pk)
    if refused := _not_draft(request, registration):
        return refused
    bound = request.method == "POST"  # an empty POST (nothing ticked, no file) is still a POST
    form = PortraitForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and not form.is_valid() and _file_dropped(request, "portrait"):
        form.refuse_dropped_file()
    elif bound and form.is_valid():
        try:
            services.portrait_store(
                registration=registration, actor=request.user, data=form.cleaned_data["data"]
            )
        except VerificationError as error:
            add_to_form(form, error)
        else:
            flash.success(request, _("ID portrait saved."))
            return redirect(next_step_url(registration))
    return _render_step(request, "verification/portrait.html", registration, form, "portrait")


@permission_required(SUBMIT)
def consent(request, pk):
    registration = _registration(request, pk)
    if refused := _not_draft(request, registration):
        return refused
    version = settings.BIOMETRIC_CONSENT_VERSION
    # The notice in the page's language (else the version's text of record).
    notice = consent_notice(version, get_language())
    form = ConsentForm(
        request.POST if request.method == "POST" else None, initial={"language": notice.language}
    )
    if form.is_bound and form.is_valid():
        services.consent_record(
            registration=registration,
            actor=request.user,
            text_version=version,
            language=form.cleaned_data["language"] or notice.language,
        )
        flash.success(request, _("Consent recorded."))
        return redirect(next_step_url(registration))
    return _render_step(
        request, "verification/consent.html", registration, form, "consent", notice=notice
    )


@never_cache
@allow_camera
@permission_required(SUBMIT)
def capture(request, pk):
    registration = _registration(request, pk)
    state = flow_state(registration)
    if is_draft(registration) and not (state.has_portrait and state.has_consent):
        return redirect(next_step_url(registration, state))
    context = {
        "registration": registration,
        "state": state,
        # The page follows the last job at once (a pending one, or the decision of the last).
        "last": state.last_job,
        "capture_open": state.can_capture
        and (is_draft(registration) or retake_open(registration, state)),
        "max_attempts": settings.VERIFICATION_MAX_ATTEMPTS,
        "max_capture_mb": settings.VERIFICATION_MAX_CAPTURE_BYTES // (1024 * 1024),
        "step": "capture",
        # capture.js hides the "upload a recorded clip" fallback when this is off.
        "uploads_allowed": uploads_allowed(),
    }
    return render(request, "verification/capture.html", context)


@require_POST
@permission_required(SUBMIT)
@ratelimit.limited("challenge", account=ratelimit.by_account, outlet=_outlet_of)
def challenge_new(request, pk):
    registration = _registration(request, pk)
    try:
        challenge = services.challenge_issue(registration=registration, actor=request.user)
    except VerificationError as error:
        return error_response(error)
    return JsonResponse(
        {
            "nonce": challenge.nonce,
            "actions": challenge.actions,
            # When the page prompts each action, and how long it records: the engine counts
            # an action only inside its window.
            "schedule": challenge.schedule,
            "record_s": challenge_recording_s(challenge.schedule),
            "expires_at": challenge.expires_at.isoformat(),
            "expires_in_s": settings.VERIFICATION_CHALLENGE_TTL_S,
        },
        status=201,
    )


@require_POST
@permission_required(SUBMIT)
@ratelimit.limited("capture_upload", account=ratelimit.by_account, outlet=_outlet_of)
def capture_upload(request, pk):
    registration = _registration(request, pk)
    upload = request.FILES.get("capture")
    if upload is None:
        if _file_dropped(request, "capture"):
            return error_response(VerificationError(VerificationCode.FILE_TOO_LARGE, status=413))
        return error_response(VerificationError(VerificationCode.MISSING_FILE))
    try:
        job = services.capture_submit(
            registration=registration,
            actor=request.user,
            nonce=request.POST.get("nonce", ""),
            data=upload.read(),
            # capture.js says "camera" for its own recording; anything unsaid is a file.
            source=request.POST.get("source", VerificationJob.Source.UPLOAD),
        )
    except VerificationError as error:
        return error_response(error)
    except RegistrationError as error:
        # The submission the first capture makes was refused (the number was taken
        # meanwhile, the cap reached): a conflict with the state of the registration.
        return error_response(error, status=409)
    return JsonResponse(
        {"job": str(job.pk), "attempt": job.attempt, "status_url": _status_url(registration)},
        status=202,
    )


def _status_url(registration: Registration) -> str:
    return reverse("verification:status", args=[registration.pk])


def job_summary(job: VerificationJob | None, registration: Registration) -> dict:
    if job is None:
        return {"job": None, "status": "none", "registration_status": registration.status}
    reasons = [{"code": code, "text": message_for(code)} for code in job.reasons]
    attempts_left = settings.VERIFICATION_MAX_ATTEMPTS - job.attempt
    # Said from the registration's status once the job is done: what the page shows.
    outcome = (
        registration_outcome(registration, flow_state(registration), outlet_suspended=False)
        if job.done
        else None
    )
    return {
        **(outcome.as_json() if outcome else {}),
        "job": str(job.pk),
        "attempt": job.attempt,
        "status": job.status,
        "outcome": job.outcome,
        "reasons": reasons,
        "registration_status": registration.status,
        "registration_status_label": registration.get_status_display(),
        "retake_allowed": job.outcome == VerificationJob.Outcome.RETAKE
        and registration.status == Registration.Status.VERIFYING,
        "attempts_left": max(attempts_left, 0),
        "detail_url": reverse("registrations:detail", args=[registration.pk]),
    }


@require_GET
@never_cache
@permission_required(Perm.VIEW_REGISTRATION)
def status(request, pk):
    registration = _registration(request, pk)
    job = registration.verification_jobs.order_by("-attempt").first()
    return JsonResponse(job_summary(job, registration))
