"""The partner's webhook endpoints: ``/api/v1/webhook-endpoints``.

A partner account manages its own endpoints (another account's are a 404 problem). The
signing secret is shown twice only: in the answer that creates the endpoint and in the one
that rotates it; it is stored sealed and never listed.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.drf import perm_required
from portal.accounts.permissions import Perm
from portal.api import webhooks
from portal.api.models import WebhookEndpoint
from registrations import selectors
from registrations.signals import RegistrationEvent

TAG = "webhooks"
EVENTS_HELP = _("The events to receive: %(events)s.") % {
    "events": ", ".join(RegistrationEvent.values)
}


class EndpointOutput(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(RegistrationEvent.choices))
    enabled = serializers.BooleanField(source="is_active")
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField(
        help_text=_("gone (it answered 410), failing (5 days of failures), by_owner, or empty.")
    )
    failing_since = serializers.DateTimeField(allow_null=True)
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Until then the previous secret signs too (a rotation).")
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EndpointWithSecretOutput(EndpointOutput):
    secret = serializers.CharField(
        help_text=_("whsec_...: shown here once. Verify each delivery's signature with it.")
    )


def _with_secret(endpoint: WebhookEndpoint, secret: str) -> dict:
    return {**EndpointOutput(endpoint).data, "secret": secret}


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _own_endpoint(request, pk) -> WebhookEndpoint:
    endpoint = webhooks.endpoints_of_partner(request.user).filter(pk=pk).first()
    if endpoint is None:
        raise NotFound(_("No webhook endpoint of yours has this id."))
    return endpoint


class _PartnerView(APIView):
    permission_classes = [perm_required(Perm.MANAGE_WEBHOOKS)]


class WebhookEndpointCollectionApi(_PartnerView):
    """``/webhook-endpoints``: list yours (GET), add one (POST)."""

    class CreateInput(serializers.Serializer):
        url = serializers.URLField(max_length=2000, help_text=_("https://... (a public address)."))
        events = serializers.ListField(
            child=serializers.ChoiceField(RegistrationEvent.choices),
            min_length=1,
            help_text=EVENTS_HELP,
        )
        description = serializers.CharField(max_length=200, required=False, default="")

    @extend_schema(
        operation_id="webhook_endpoints_list",
        tags=[TAG],
        summary=_("List your webhook endpoints"),
        description=_("Every endpoint of this key's account, newest first, without secrets."),
        responses={
            200: OpenApiResponse(
                EndpointOutput(many=True), description=_("Newest first; no secret.")
            )
        },
    )
    def get(self, request):
        endpoints = webhooks.endpoints_of_partner(request.user)
        return Response(EndpointOutput(endpoints, many=True).data)

    @extend_schema(
        operation_id="webhook_endpoints_create",
        tags=[TAG],
        summary=_("Add a webhook endpoint"),
        description=_(
            "Events of the registrations you create are POSTed to the URL, signed per the "
            "Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature). The "
            "URL must lead to a public address. The answer holds the secret, once."
        ),
        request=CreateInput,
        responses={201: EndpointWithSecretOutput},
        examples=[
            OpenApiExample(
                "Decisions only",
                request_only=True,
                value={
                    "url": "https://partner.example.cn/hooks/sim",
                    "events": ["registration.decided", "registration.reviewed"],
                    "description": "Order service",
                },
            )
        ],
    )
    def post(self, request):
        data = _valid(self.CreateInput, request.data)
        operator = selectors.own_operator(request.user)
        if operator is None:
            raise PermissionDenied(_("This account acts for no operator."))
        endpoint, secret = webhooks.webhook_endpoint_create(
            owner=request.user, operator=operator, **data
        )
        return Response(_with_secret(endpoint, secret), status=status.HTTP_201_CREATED)


class WebhookEndpointDetailApi(_PartnerView):
    """``/webhook-endpoints/{id}``: read (GET), change (PATCH), remove (DELETE)."""

    class UpdateInput(serializers.Serializer):
        url = serializers.URLField(max_length=2000, required=False)
        events = serializers.ListField(
            child=serializers.ChoiceField(RegistrationEvent.choices),
            min_length=1,
            required=False,
            help_text=EVENTS_HELP,
        )
        description = serializers.CharField(max_length=200, required=False)
        enabled = serializers.BooleanField(
            required=False,
            help_text=_("false turns it off; true turns it on again after it was disabled."),
        )

    @extend_schema(
        operation_id="webhook_endpoints_read",
        tags=[TAG],
        summary=_("Read a webhook endpoint"),
        description=_("Its URL, events and state (disabled, failing since); never the secret."),
        responses={200: EndpointOutput},
    )
    def get(self, request, pk):
        return Response(EndpointOutput(_own_endpoint(request, pk)).data)

    @extend_schema(
        operation_id="webhook_endpoints_update",
        tags=[TAG],
        summary=_("Change a webhook endpoint"),
        description=_(
            "Change the URL, events or description; `enabled: false` turns it off, "
            "`enabled: true` turns it on again after it was disabled (410 or 5 days failing)."
        ),
        request=UpdateInput,
        responses={200: EndpointOutput},
    )
    def patch(self, request, pk):
        endpoint = _own_endpoint(request, pk)
        data = _valid(self.UpdateInput, request.data)
        endpoint = webhooks.webhook_endpoint_update(endpoint=endpoint, **data)
        return Response(EndpointOutput(endpoint).data)

    @extend_schema(
        operation_id="webhook_endpoints_delete",
        tags=[TAG],
        summary=_("Remove a webhook endpoint"),
        description=_("Nothing more is sent to it, not even the messages still pending."),
        responses={204: OpenApiResponse(description=_("Removed, with its pending messages."))},
    )
    def delete(self, request, pk):
        webhooks.webhook_endpoint_delete(endpoint=_own_endpoint(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateSecretApi(_PartnerView):
    """``/webhook-endpoints/{id}/rotate-secret``: a new secret; the old one signs 24 h more."""

    @extend_schema(
        operation_id="webhook_endpoints_rotate_secret",
        tags=[TAG],
        summary=_("Rotate the signing secret"),
        description=_(
            "Answers the new secret, once. For 24 hours each delivery carries two signatures "
            "(the new secret's and the old one's), so receivers can switch without a gap."
        ),
        request=None,
        responses={200: EndpointWithSecretOutput},
    )
    def post(self, request, pk):
        endpoint = _own_endpoint(request, pk)
        secret = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)
        endpoint.refresh_from_db()
        return Response(_with_secret(endpoint, secret))
