"""The partner API's registration operations: create, list, read, cancel.

One view per resource and method, its serializers nested inside; each calls the services the
pages call (``registrations.services``), so the API and the outlet obey the same rules. A
partner's key acts for its service account, whose scope (``registrations.scoping``) is the
online registrations it created for its operator: any other id is a 404 problem, exactly
like one that does not exist.
"""

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.drf import perm_required
from portal.accounts.permissions import Perm
from portal.lib import ratelimit
from portal.lib.masking import mask_name
from registrations import lifecycle, selectors, services
from registrations.lifecycle import Step
from registrations.models import Province, Registration, Subscriber
from registrations.selectors import RegistrationFilters

# What the layers above add to a registration's next actions (verification adds the portrait,
# consent, challenge and capture steps): each callable takes (user, registration) and returns
# action names. Filled in by their AppConfig.ready(), so this app never imports them.
NEXT_ACTION_SOURCES: list[Callable[[object, Registration], list[str]]] = []

# Lifecycle steps a partner never asks for by name: its registration is submitted by its
# first live capture (``POST .../captures``), as an outlet's is; discarding a draft is the
# outlet pages' (a partner's unused draft holds nothing).
_STEPS_NOT_OFFERED = frozenset({Step.SUBMIT, Step.DISCARD})


def next_actions(user, registration: Registration) -> list[str]:
    """What this account may do next with ``registration`` through the API: the steps of the
    layers above (the verification flow's), then the lifecycle's own (``cancel`` once
    approved), in the order a partner takes them."""
    above = [action for source in NEXT_ACTION_SOURCES for action in source(user, registration)]
    steps = lifecycle.actions_for(user, registration) - _STEPS_NOT_OFFERED
    return above + sorted(step.value for step in steps)


# The problem component (RFC 9457) is the API plumbing's (portal/api/schema.py).
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
PROBLEM_MEDIA_TYPE = "application/problem+json"


def with_problems(success: dict, problems: dict[int, str]) -> dict:
    """extend_schema's ``responses``: the success bodies, then each problem status with what
    it means for this operation."""
    return {
        **success,
        **{
            (status_code, PROBLEM_MEDIA_TYPE): OpenApiResponse(
                response=PROBLEM_SCHEMA, description=description
            )
            for status_code, description in problems.items()
        },
    }


NOT_FOUND = _("No registration of yours has this id.")
CONFLICT = _("The registration's state does not allow this now.")
REFUSED = _("A rule refused the request; `reasons` says which.")
RATE_LIMITED = _("Too many of these requests for this account: wait for Retry-After seconds.")


class RegistrationOutput(serializers.Serializer):
    """A registration as a partner sees it: no full ID number or name, no biometrics."""

    @extend_schema_serializer(component_name="RegistrationSubscriber")
    class SubscriberOutput(serializers.Serializer):
        id_type = serializers.ChoiceField(choices=Subscriber.IdType.choices)
        id_number_masked = serializers.CharField(source="masked_id_number")
        name_masked = serializers.SerializerMethodField()

        def get_name_masked(self, subscriber: Subscriber) -> str:
            return mask_name(subscriber.full_name)

    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Registration.Status.choices)
    channel = serializers.ChoiceField(choices=Registration.Channel.choices)
    operator = serializers.CharField(source="operator.code")
    province = serializers.CharField(source="province.code")
    msisdn = serializers.CharField()
    iccid = serializers.CharField()
    subscriber = SubscriberOutput()
    decision_reasons = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    next_actions = serializers.SerializerMethodField()

    def get_next_actions(self, registration: Registration) -> list[str]:
        return next_actions(self.context["user"], registration)


_TIMESTAMP = serializers.DateTimeField()


def _timestamp(value) -> str | None:
    return None if value is None else _TIMESTAMP.to_representation(value)


def registration_body(request, registration: Registration) -> dict:
    """``RegistrationOutput``'s body, built by hand: on the API's hottest read the
    serializer's machinery cost more than the query (a test holds the two equal)."""
    subscriber = registration.subscriber
    return {
        "id": str(registration.pk),
        "status": registration.status,
        "channel": registration.channel,
        "operator": registration.operator.code,
        "province": registration.province_id,
        "msisdn": registration.msisdn,
        "iccid": registration.iccid,
        "subscriber": {
            "id_type": subscriber.id_type,
            "id_number_masked": subscriber.masked_id_number,
            "name_masked": mask_name(subscriber.full_name),
        },
        "decision_reasons": [str(reason) for reason in registration.decision_reasons],
        "created_at": _timestamp(registration.created_at),
        "updated_at": _timestamp(registration.updated_at),
        "submitted_at": _timestamp(registration.submitted_at),
        "decided_at": _timestamp(registration.decided_at),
        "cancelled_at": _timestamp(registration.cancelled_at),
        "next_actions": next_actions(request.user, registration),
    }


def registration_location(request, registration: Registration) -> str:
    return request.build_absolute_uri(reverse("api:registration_detail", args=[registration.pk]))


def _per_method(view, permissions: dict[str, Perm]):
    """The permission of the request's method (reading is the default: HEAD, OPTIONS)."""
    return [perm_required(permissions.get(view.request.method, Perm.VIEW_REGISTRATION))()]


class RegistrationPagination(CursorPagination):
    """Newest first by (created_at, id): a cursor stays valid while registrations are added."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class RegistrationCollectionApi(APIView):
    """``/registrations``: create one (POST), list yours (GET)."""

    PERMISSIONS = {"GET": Perm.VIEW_REGISTRATION, "POST": Perm.ADD_REGISTRATION}

    @extend_schema_serializer(component_name="RegistrationCreate")
    class CreateInput(serializers.Serializer):
        id_type = serializers.ChoiceField(
            choices=Subscriber.IdType.choices, default=Subscriber.IdType.RESIDENT_ID
        )
        id_number = serializers.CharField(max_length=32)
        full_name = serializers.CharField(max_length=100, help_text=_("As on the ID."))
        birth_date = serializers.DateField(
            required=False,
            allow_null=True,
            help_text=_(
                "Required for passports and permits; absent: read from a resident ID number."
            ),
        )
        id_expiry = serializers.DateField(
            required=False, allow_null=True, help_text=_("Null or absent for a long-term ID.")
        )
        msisdn = serializers.CharField(max_length=24, help_text=_("11 digits, e.g. 13800138000."))
        iccid = serializers.CharField(max_length=24, help_text=_("19 or 20 digits starting 89."))
        province = serializers.SlugRelatedField(
            slug_field="code",
            queryset=Province.objects.all(),
            required=False,
            allow_null=True,
            help_text=_(
                "The subscriber's province code (e.g. 440000); absent: read from a resident "
                "ID number."
            ),
        )

    class ListFilters(serializers.Serializer):
        status = serializers.ChoiceField(choices=Registration.Status.choices, required=False)
        updated_after = serializers.DateTimeField(required=False)

    def get_permissions(self):
        return _per_method(self, self.PERMISSIONS)

    @extend_schema(
        operation_id="registrations_create",
        summary=_("Create a registration (online channel)"),
        description=_(
            "Saves a draft after checking every rule the outlet's form checks (ID checksum and "
            "expiry, number and SIM card, the number not active elsewhere, the cap per ID). "
            "Next: PUT the ID portrait, POST the consent, then a challenge and the capture."
        ),
        request=CreateInput,
        responses=with_problems({201: RegistrationOutput}, {400: REFUSED, 429: RATE_LIMITED}),
        examples=[
            OpenApiExample(
                "Resident ID",
                request_only=True,
                value={
                    "id_type": "resident_id",
                    "id_number": "440103199001010014",
                    "full_name": "王芳",
                    "birth_date": "1990-01-01",
                    "id_expiry": "2040-01-01",
                    "msisdn": "13800138000",
                    "iccid": "89860012345678901238",
                },
            ),
        ],
    )
    def post(self, request):
        data = self._valid(self.CreateInput, request.data)
        operator = selectors.own_operator(request.user)
        if operator is None:
            raise PermissionDenied(_("This account acts for no operator."))
        # Per key, not per account: one partner account serves all of the partner's customers,
        # so the staff's per-account limits would stop it at once (RATE_LIMIT_*_PER_API_KEY).
        ratelimit.enforce("registration", api_key=request.auth.public_id)
        registration = services.registration_create(
            actor=request.user,
            subscriber=services.SubscriberDetails(
                id_type=data["id_type"],
                id_number=data["id_number"],
                full_name=data["full_name"],
                birth_date=data.get("birth_date"),
                id_expiry=data.get("id_expiry"),
            ),
            operator=operator,
            msisdn=data["msisdn"],
            iccid=data["iccid"],
            province=data.get("province"),
        )
        return Response(
            registration_body(request, registration),
            status=status.HTTP_201_CREATED,
            headers={"Location": registration_location(request, registration)},
        )

    @extend_schema(
        operation_id="registrations_list",
        summary=_("List your registrations"),
        description=_(
            "Newest first, by cursor: follow `next` until it is null. The cursor stays valid "
            "while new registrations arrive."
        ),
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Registration.Status.values),
            OpenApiParameter(
                "updated_after",
                OpenApiTypes.DATETIME,
                description=_("Only registrations changed after this instant (ISO 8601)."),
            ),
            OpenApiParameter("cursor", OpenApiTypes.STR),
            OpenApiParameter("page_size", OpenApiTypes.INT, description=_("1 to 100; 50.")),
        ],
        responses=with_problems(
            {
                200: inline_serializer(
                    "RegistrationPage",
                    fields={
                        "next": serializers.URLField(allow_null=True),
                        "previous": serializers.URLField(allow_null=True),
                        "results": RegistrationOutput(many=True),
                    },
                )
            },
            {400: REFUSED},
        ),
    )
    def get(self, request):
        filters = self._valid(self.ListFilters, request.query_params)
        registrations = selectors.registration_list(
            user=request.user, filters=RegistrationFilters(status=filters.get("status"))
        )
        if "updated_after" in filters:
            registrations = registrations.filter(updated_at__gt=filters["updated_after"])
        paginator = RegistrationPagination()
        page = paginator.paginate_queryset(registrations, request, view=self)
        results = [registration_body(request, registration) for registration in page]
        return paginator.get_paginated_response(results)

    @staticmethod
    def _valid(serializer_class, data) -> dict:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class RegistrationDetailApi(APIView):
    permission_classes = [perm_required(Perm.VIEW_REGISTRATION)]

    @extend_schema(
        operation_id="registrations_retrieve",
        summary=_("Read one registration"),
        responses=with_problems({200: RegistrationOutput}, {404: NOT_FOUND}),
    )
    def get(self, request, pk):
        registration = selectors.registration_read(user=request.user, pk=pk)
        return Response(registration_body(request, registration))


class RegistrationCancelApi(APIView):
    permission_classes = [perm_required(Perm.CANCEL_REGISTRATION)]

    @extend_schema_serializer(component_name="RegistrationCancel")
    class Input(serializers.Serializer):
        note = serializers.CharField(
            max_length=500,
            required=False,
            default="",
            allow_blank=True,
            help_text=_("Why the number is given up (no personal data)."),
        )

    @extend_schema(
        operation_id="registrations_cancel",
        summary=_("Cancel an approved registration (the number is given up)"),
        request=Input,
        responses=with_problems({200: RegistrationOutput}, {404: NOT_FOUND, 409: CONFLICT}),
    )
    def post(self, request, pk):
        registration = selectors.registration_get(user=request.user, pk=pk)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.registration_cancel(
            registration=registration, actor=request.user, note=serializer.validated_data["note"]
        )
        return Response(registration_body(request, registration))
