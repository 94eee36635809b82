"""The partner API's verification operations: ID portrait, consent, challenge, capture, result.

The same steps as the outlet's pages (``verification.views.captures``), through the same
services and rate limits: the portrait is checked at once, challenges are as scarce and timed
as at the counter, and a capture is answered by a job. A partner's app records the capture
live with the device's camera while it follows the challenge's schedule: it must never send
a file that was stored or recorded earlier. Every refusal is a problem (RFC 9457) whose
``reasons`` are codes of ``GET /api/v1/reasons``.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.drf import perm_required
from portal.accounts.permissions import Perm, can
from portal.lib import ratelimit
from portal.lib.ratelimit import RateLimitCode
from registrations import selectors as registration_selectors
from registrations.errors import RegistrationCode, RegistrationError
from registrations.models import Registration
from registrations.views.api import (
    CONFLICT,
    NOT_FOUND,
    RATE_LIMITED,
    REFUSED,
    next_actions,
    with_problems,
)
from verification import services
from verification.consent_notice import LANGUAGES as NOTICE_LANGUAGES
from verification.engine import reasons as engine_reasons
from verification.errors import VerificationCode, VerificationError, message_for
from verification.models import Consent, VerificationJob
from verification.selectors import flow_state, is_draft, retake_open
from verification.services.captures import challenge_recording_s

SUBMIT = Perm.SUBMIT_REGISTRATION
RATE_LIMITED_TEXT = _("Too many of these requests: try again after the Retry-After seconds.")


class NextAction:
    """The verification steps a partner may take next, by the names the API gives them."""

    UPLOAD_PORTRAIT = "upload_portrait"
    RECORD_CONSENT = "record_consent"
    ISSUE_CHALLENGE = "issue_challenge"
    SUBMIT_CAPTURE = "submit_capture"


def verification_next_actions(user, registration: Registration) -> list[str]:
    """The registration's verification steps open to ``user`` now, read from the same flow
    state as the outlet's pages (handed to ``registrations.views.api`` by apps.py)."""
    draft = is_draft(registration)
    # Only a draft, or a registration being verified (a retake), has steps left: the others
    # (most rows of a list) cost no query.
    if not can(user, SUBMIT) or not (draft or registration.status == Registration.Status.VERIFYING):
        return []
    state = flow_state(registration)
    actions = [NextAction.UPLOAD_PORTRAIT] if draft else []
    if draft and not state.has_consent:
        actions.append(NextAction.RECORD_CONSENT)
    capturable = draft or retake_open(registration, state)
    if capturable and state.can_capture and state.attempts < settings.VERIFICATION_MAX_ATTEMPTS:
        actions += [NextAction.ISSUE_CHALLENGE, NextAction.SUBMIT_CAPTURE]
    return actions


def _registration(request, pk) -> Registration:
    return registration_selectors.registration_get(user=request.user, pk=pk)


def _verification_location(request, registration: Registration) -> str:
    url = reverse("api:registration_verification", args=[registration.pk])
    return request.build_absolute_uri(url)


class _RawImageParser(BaseParser):
    """The request body as bytes, read to one byte past the portrait limit (so the service
    can say "too large" without holding more)."""

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        if stream is None:
            return b""
        return stream.read(settings.VERIFICATION_MAX_PORTRAIT_BYTES + 1)


class JpegParser(_RawImageParser):
    media_type = "image/jpeg"


class PngParser(_RawImageParser):
    media_type = "image/png"


class PortraitApi(APIView):
    permission_classes = [perm_required(SUBMIT)]
    parser_classes = [JpegParser, PngParser]

    @extend_schema_serializer(component_name="PortraitStored")
    class Output(serializers.Serializer):
        registration = serializers.UUIDField(source="registration_id")
        content_type = serializers.CharField()
        size = serializers.IntegerField()
        stored_at = serializers.DateTimeField(source="created_at")
        next_actions = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        operation_id="registrations_portrait_update",
        summary=_("Upload the ID portrait (read from the ID card's chip)"),
        description=_(
            "The image itself as the body, `Content-Type: image/jpeg` or `image/png` (any other "
            "is a 415 problem), at most VERIFICATION_MAX_PORTRAIT_BYTES (5 MB by default). It "
            "is checked at once for exactly one usable face, as at the outlet; a new upload "
            "replaces the last one while the registration is a draft."
        ),
        request={
            "image/jpeg": OpenApiTypes.BINARY,
            "image/png": OpenApiTypes.BINARY,
        },
        responses=with_problems(
            {200: Output},
            {
                400: _("Not an image, or no usable face (`reasons`: no_face, ...)."),
                404: NOT_FOUND,
                409: CONFLICT,
                413: _("The image is too large."),
                415: _("Not image/jpeg or image/png."),
            },
        ),
    )
    def put(self, request, pk):
        registration = _registration(request, pk)
        evidence = services.portrait_store(
            registration=registration, actor=request.user, data=request.data
        )
        body = {
            "registration_id": registration.pk,
            "content_type": evidence.content_type,
            "size": evidence.size,
            "created_at": evidence.created_at,
            "next_actions": next_actions(request.user, registration),
        }
        return Response(self.Output(body).data)


class ConsentApi(APIView):
    permission_classes = [perm_required(SUBMIT)]

    @extend_schema_serializer(component_name="ConsentCreate")
    class Input(serializers.Serializer):
        text_version = serializers.CharField(
            max_length=32, help_text=_("The version of the consent text the subscriber saw.")
        )
        language = serializers.ChoiceField(
            choices=NOTICE_LANGUAGES,
            default=NOTICE_LANGUAGES[0],
            help_text=_(
                "The language the notice was shown in: zh-hans (the default) or en; the "
                "version must be published in it."
            ),
        )
        method = serializers.ChoiceField(
            choices=[
                (value, label)
                for value, label in Consent.Method.choices
                if value != Consent.Method.OUTLET_STAFF
            ],
            help_text=_("How the partner's app collected it."),
        )
        collected_at = serializers.DateTimeField(
            help_text=_(
                "When the subscriber agreed: after the registration was created, not in the "
                "future (5 minutes of clock difference allowed)."
            )
        )

    @extend_schema_serializer(component_name="ConsentRecord")
    class Output(serializers.Serializer):
        registration = serializers.UUIDField(source="registration_id")
        text_version = serializers.CharField()
        language = serializers.CharField(help_text=_("The language the notice was shown in."))
        text_digest = serializers.CharField(
            help_text=_("SHA-256 of the notice's text in that language, as published.")
        )
        method = serializers.ChoiceField(choices=Consent.Method.choices)
        collected_at = serializers.DateTimeField()
        recorded_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="registrations_consent_create",
        summary=_("Record the subscriber's biometric consent"),
        description=_(
            "Separate, explicit consent to the processing of the face, collected by the "
            "partner's app before any capture. Recorded once: sending it again returns the "
            "first record unchanged."
        ),
        request=Input,
        responses=with_problems({201: Output}, {400: REFUSED, 404: NOT_FOUND, 409: CONFLICT}),
        examples=[
            OpenApiExample(
                "Ticked in the app",
                request_only=True,
                value={
                    "text_version": "2026-12",
                    "language": "zh-hans",
                    "method": "in_app_checkbox",
                    "collected_at": "2026-12-01T10:15:00+08:00",
                },
            )
        ],
    )
    def post(self, request, pk):
        registration = _registration(request, pk)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_record(
            registration=registration, actor=request.user, **serializer.validated_data
        )
        return Response(self.Output(consent).data, status=status.HTTP_201_CREATED)


class ChallengeApi(APIView):
    permission_classes = [perm_required(SUBMIT)]

    @extend_schema_serializer(component_name="Challenge")
    class Output(serializers.Serializer):
        @extend_schema_serializer(component_name="ChallengeWindow")
        class Window(serializers.Serializer):
            action = serializers.ChoiceField(choices=engine_reasons.ACTIONS)
            from_s = serializers.FloatField()
            to_s = serializers.FloatField()

        nonce = serializers.CharField()
        actions = serializers.ListField(child=serializers.ChoiceField(engine_reasons.ACTIONS))
        schedule = Window(many=True)
        record_s = serializers.IntegerField()
        expires_at = serializers.DateTimeField()
        expires_in_s = serializers.IntegerField()

    @extend_schema(
        operation_id="registrations_challenges_create",
        summary=_("Issue a live-capture challenge"),
        description=_(
            "Needs the portrait and the consent. Prompt each action from `from_s` to `to_s` "
            "seconds after the recording starts and record `record_s` seconds, live, before "
            "`expires_at`: an action counts only inside its window. Challenges are scarce (3 "
            "per attempt, 3 attempts); asking again within an attempt asks the same actions."
        ),
        request=None,
        responses=with_problems(
            {201: Output},
            {
                404: NOT_FOUND,
                409: _("No consent or portrait yet, or no challenge left."),
                429: RATE_LIMITED,
            },
        ),
    )
    def post(self, request, pk):
        registration = _registration(request, pk)
        ratelimit.enforce("challenge", api_key=request.auth.public_id)
        challenge = services.challenge_issue(registration=registration, actor=request.user)
        body = {
            "nonce": challenge.nonce,
            "actions": challenge.actions,
            "schedule": challenge.schedule,
            "record_s": challenge_recording_s(challenge.schedule),
            "expires_at": challenge.expires_at,
            "expires_in_s": settings.VERIFICATION_CHALLENGE_TTL_S,
        }
        return Response(self.Output(body).data, status=status.HTTP_201_CREATED)


class CaptureApi(APIView):
    permission_classes = [perm_required(SUBMIT)]
    parser_classes = [MultiPartParser]

    # The schema's description of the form: the service checks the nonce and the video
    # itself, so that each refusal keeps its own reason code (challenge_unknown, ...).
    @extend_schema_serializer(component_name="CaptureCreate")
    class Input(serializers.Serializer):
        nonce = serializers.CharField(max_length=64, help_text=_("The challenge's nonce."))
        video = serializers.FileField(
            help_text=_(
                "The recording (WebM, MP4 or MOV), made live by the app's camera while it "
                "prompted the challenge: never a stored file."
            )
        )

    @extend_schema_serializer(component_name="CaptureAccepted")
    class Output(serializers.Serializer):
        job = serializers.UUIDField(source="pk")
        attempt = serializers.IntegerField()
        status = serializers.ChoiceField(choices=VerificationJob.Status.choices)

    @extend_schema(
        operation_id="registrations_captures_create",
        summary=_("Send the live capture answering a challenge"),
        description=_(
            "Spends the challenge and queues the verification; the first capture submits the "
            "registration. Follow the Location (the verification resource) or wait for the "
            "webhook. The partner's app must record the capture live with the camera while "
            "it follows the challenge: sending a stored or earlier recording is forbidden."
        ),
        request={"multipart/form-data": Input},
        responses=with_problems(
            {202: Output},
            {
                400: REFUSED,
                404: NOT_FOUND,
                409: _(
                    "The challenge is used or expired, no attempt is left, or the submission "
                    "was refused (the number taken meanwhile)."
                ),
                413: _("The recording is too large."),
                429: RATE_LIMITED,
            },
        ),
    )
    def post(self, request, pk):
        registration = _registration(request, pk)
        ratelimit.enforce("capture_upload", api_key=request.auth.public_id)
        video = request.FILES.get("video")
        if video is None:
            raise self._missing_video(request)
        try:
            job = services.capture_submit(
                registration=registration,
                actor=request.user,
                nonce=request.data.get("nonce", ""),
                data=video.read(),
                source=VerificationJob.Source.CAMERA,
            )
        except RegistrationError as error:
            # The submission the first capture makes was refused (the number was taken
            # meanwhile, the cap reached): a conflict with the registration's state, as on
            # the outlet's page.
            error.status = status.HTTP_409_CONFLICT
            raise
        return Response(
            self.Output(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": _verification_location(request, registration)},
        )

    @staticmethod
    def _missing_video(request) -> VerificationError:
        # Over the upload limit the memory-only upload handler drops the file.
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            return VerificationError(VerificationCode.FILE_TOO_LARGE, field="video", status=413)
        return VerificationError(VerificationCode.MISSING_FILE, field="video")


# Where a registration's verification stands: its last job's status, or none yet.
VERIFICATION_STATUSES = [("none", _("No capture yet")), *VerificationJob.Status.choices]


@extend_schema_serializer(component_name="Reason")
class ReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class VerificationApi(APIView):
    permission_classes = [perm_required(Perm.VIEW_REGISTRATION)]

    @extend_schema_serializer(component_name="Verification")
    class Output(serializers.Serializer):
        registration = serializers.UUIDField()
        registration_status = serializers.ChoiceField(choices=Registration.Status.choices)
        status = serializers.ChoiceField(
            choices=VERIFICATION_STATUSES, help_text=_("The last attempt's job.")
        )
        job = serializers.UUIDField(allow_null=True)
        attempt = serializers.IntegerField(allow_null=True)
        decision = serializers.CharField(allow_blank=True, help_text=_("pass, fail or review."))
        outcome = serializers.CharField(allow_blank=True)
        reasons = ReasonOutput(many=True)
        attempts_left = serializers.IntegerField()
        retake_allowed = serializers.BooleanField()
        next_actions = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        operation_id="registrations_verification_retrieve",
        summary=_("Where the verification stands"),
        description=_(
            "The last attempt: its job status, the engine's decision, the outcome and its "
            "reasons in plain words, and how many attempts are left. Poll it after a capture "
            "(or wait for the webhook)."
        ),
        responses=with_problems({200: Output}, {404: NOT_FOUND}),
    )
    def get(self, request, pk):
        registration = _registration(request, pk)
        state = flow_state(registration)
        # Read the registration again after its jobs: a job and the decision it makes commit
        # together, so a job seen done is then seen with its decision, never "done" beside a
        # status read a moment before that commit.
        registration.refresh_from_db(fields=["status", "decision_reasons", "updated_at"])
        job = state.last_job
        body = {
            "registration": registration.pk,
            "registration_status": registration.status,
            "status": job.status if job else "none",
            "job": job.pk if job else None,
            "attempt": job.attempt if job else None,
            "decision": job.decision if job else "",
            "outcome": job.outcome if job else "",
            "reasons": [
                {"code": code, "text": message_for(code)} for code in (job.reasons if job else [])
            ],
            "attempts_left": max(settings.VERIFICATION_MAX_ATTEMPTS - state.attempts, 0),
            "retake_allowed": retake_open(registration, state)
            and state.attempts < settings.VERIFICATION_MAX_ATTEMPTS,
            "next_actions": next_actions(request.user, registration),
        }
        return Response(self.Output(body).data)


# The codes of the layers above (the API plumbing's: keys, idempotency), as (group, enum):
# handed in by their AppConfig.ready(), since this app never imports them.
REASON_GROUPS_ABOVE: list[tuple[str, type]] = []


def reason_vocabulary() -> list[dict]:
    """Every code a partner can meet in ``reasons``, with its plain sentence (in the
    request's language): the engine's reasons, then the flow's, registrations' and limits'."""
    engine = [code for code in VerificationCode if code.value in engine_reasons.ALL_REASONS]
    flow = [code for code in VerificationCode if code.value not in engine_reasons.ALL_REASONS]
    groups = [
        ("engine", engine),
        ("verification", flow),
        ("registration", list(RegistrationCode)),
        *((group, list(codes)) for group, codes in REASON_GROUPS_ABOVE),
    ]
    vocabulary = [
        {"code": code.value, "text": str(code.label), "group": group}
        for group, codes in groups
        for code in codes
    ]
    # Its own label has a placeholder for the minutes, which a problem's detail fills in.
    limited = {"code": RateLimitCode.RATE_LIMITED.value, "text": str(RATE_LIMITED_TEXT)}
    return [*vocabulary, {**limited, "group": "rate_limit"}]


class ReasonsApi(APIView):
    # The vocabulary is documentation, not data: readable without a key (a key sent is still
    # checked, so a bad one is a 401 here too).
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="ReasonEntry")
    class Output(ReasonOutput):
        group = serializers.ChoiceField(
            choices=["engine", "verification", "registration", "api", "rate_limit"],
            help_text=_("engine: a verification's result; the others: refusals of a request."),
        )

    @extend_schema(
        operation_id="reasons_list",
        summary=_("The reason vocabulary"),
        description=_(
            "Every code that `reasons` can hold, with its plain sentence in the request's "
            "language (Accept-Language: zh-Hans or en). No API key needed."
        ),
        responses={200: Output(many=True)},
    )
    def get(self, request):
        return Response(self.Output(reason_vocabulary(), many=True).data)
