"""The outlet's verification steps: ID portrait, consent, live capture, progress.

The capture page talks JSON to three endpoints (challenge, upload, status); every refusal is
a 4xx with ``{"error": message, "reasons": [code]}`` and leaves the registration as it was.
"""

from django.conf import settings
from django.contrib import messages as flash
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.decorators import permission_required
from registrations import selectors
from registrations.models import Registration
from registrations.services import RegistrationError
from verification import messages, services
from verification.forms import ConsentForm, PortraitForm
from verification.models import VerificationJob
from verification.selectors import next_step_url

SUBMIT = "registrations.submit_registration"


def _registration(request, pk) -> Registration:
    return selectors.registration_get(user=request.user, pk=pk)


def _refusal(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message, "reasons": [code]}, status=status)


def _file_dropped(request, field: str) -> bool:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    return field not in request.FILES and length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE


def _not_draft(request, registration: Registration):
    """The ID portrait and consent steps belong to drafts: anything later goes to its page."""
    if registration.status == Registration.Status.DRAFT:
        return None
    flash.info(request, messages.problem("not_draft"))
    return redirect("registrations:detail", pk=registration.pk)


def _render_step(request, template: str, registration: Registration, form, step: str, **extra):
    context = {
        "registration": registration,
        "form": form,
        "state": services.flow_state(registration),
        "step": step,
        **extra,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


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
        except services.VerificationError as error:
            form.add_error("portrait", error.message)
        else:
            flash.success(request, "ID portrait saved.")
            return redirect(next_step_url(registration))
    return _render_step(request, "verification/portrait.html", registration, form, "portrait")


@permission_required(SUBMIT)
def consent(request, pk):
    registration = _registration(request, pk)
    if refused := _not_draft(request, registration):
        return refused
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        services.consent_record(
            registration=registration,
            actor=request.user,
            text_version=settings.BIOMETRIC_CONSENT_VERSION,
        )
        flash.success(request, "Consent recorded.")
        return redirect(next_step_url(registration))
    version = settings.BIOMETRIC_CONSENT_VERSION
    return _render_step(
        request, "verification/consent.html", registration, form, "consent", consent_version=version
    )


@never_cache
@permission_required(SUBMIT)
def capture(request, pk):
    registration = _registration(request, pk)
    state = services.flow_state(registration)
    if registration.status == Registration.Status.DRAFT and not (
        state.has_portrait and state.has_consent
    ):
        return redirect(next_step_url(registration, state))
    context = {
        "registration": registration,
        "state": state,
        "max_attempts": settings.VERIFICATION_MAX_ATTEMPTS,
        "max_capture_mb": settings.VERIFICATION_MAX_CAPTURE_BYTES // (1024 * 1024),
        "step": "capture",
    }
    return render(request, "verification/capture.html", context)


@require_POST
@permission_required(SUBMIT)
def challenge_new(request, pk):
    registration = _registration(request, pk)
    try:
        challenge = services.challenge_issue(registration=registration, actor=request.user)
    except services.VerificationError as error:
        return _refusal(error.reason, error.message, error.status)
    return JsonResponse(
        {
            "nonce": challenge.nonce,
            "actions": challenge.actions,
            "expires_at": challenge.expires_at.isoformat(),
            "expires_in_s": settings.VERIFICATION_CHALLENGE_TTL_S,
        },
        status=201,
    )


@require_POST
@permission_required(SUBMIT)
def capture_upload(request, pk):
    registration = _registration(request, pk)
    upload = request.FILES.get("capture")
    if upload is None:
        too_large = _file_dropped(request, "capture")
        code = "file_too_large" if too_large else "missing_file"
        return _refusal(code, messages.problem(code), 413 if too_large else 400)
    try:
        job = services.capture_submit(
            registration=registration,
            actor=request.user,
            nonce=request.POST.get("nonce", ""),
            data=upload.read(),
        )
    except services.VerificationError as error:
        return _refusal(error.reason, error.message, error.status)
    except RegistrationError as error:
        first = error.violations[0]
        return _refusal(first.code, " ".join(v.message for v in error.violations), 409)
    return JsonResponse(
        {"job": str(job.pk), "attempt": job.attempt, "status_url": _status_url(registration)},
        status=202,
    )


def _status_url(registration: Registration) -> str:
    return reverse("verification:status", args=[registration.pk])


def job_summary(job: VerificationJob | None, registration: Registration) -> dict:
    if job is None:
        return {"job": None, "status": "none", "registration_status": registration.status}
    reasons = [{"code": code, "text": messages.reason_text(code)} for code in job.reasons]
    attempts_left = settings.VERIFICATION_MAX_ATTEMPTS - job.attempt
    return {
        "job": str(job.pk),
        "attempt": job.attempt,
        "status": job.status,
        "outcome": job.outcome,
        "reasons": reasons,
        "registration_status": registration.status,
        "registration_status_label": registration.get_status_display(),
        "retake_allowed": job.outcome == VerificationJob.Outcome.RETAKE,
        "attempts_left": max(attempts_left, 0),
        "detail_url": reverse("registrations:detail", args=[registration.pk]),
    }


@require_GET
@never_cache
@permission_required("registrations.view_registration")
def status(request, pk):
    registration = _registration(request, pk)
    job = registration.verification_jobs.order_by("-attempt").first()
    return JsonResponse(job_summary(job, registration))
