"""``GET /api/v1/api-key``: the key a request is made with (to check a setup)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class CurrentApiKeyView(APIView):
    class OutputSerializer(serializers.Serializer):
        public_id = serializers.CharField(help_text="Names the key in the audit trail and logs.")
        name = serializers.CharField()
        operator = serializers.CharField(source="operator.code")
        created_at = serializers.DateTimeField()
        expires_at = serializers.DateTimeField(allow_null=True)
        allowed_networks = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        operation_id="api_key_current",
        summary="The API key of this request",
        description="Its public id, name, operator, expiry and allowed networks: a quick "
        "check that a key works, before anything else.",
        responses={200: OutputSerializer},
        tags=["Keys"],
    )
    def get(self, request):
        return Response(self.OutputSerializer(request.auth).data)
