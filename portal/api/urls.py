"""The partner API under /api/v1/: each app's API operations, the webhook endpoints, the
schema and its documentation; and the carrier admin's pages for keys and webhooks."""

from django.urls import include, path

from portal.api.views import docs, pages, pages_webhooks, problems
from portal.api.views import webhooks as webhook_operations
from portal.api.views.keys import CurrentApiKeyView
from registrations.urls import api_urlpatterns as registration_operations
from verification.urls import api_urlpatterns as verification_operations

api_patterns = [
    *registration_operations,
    *verification_operations,
    path("api-key", CurrentApiKeyView.as_view(), name="api_key_current"),
    path(
        "webhook-endpoints",
        webhook_operations.WebhookEndpointCollectionApi.as_view(),
        name="webhook_endpoints",
    ),
    path(
        "webhook-endpoints/<uuid:pk>",
        webhook_operations.WebhookEndpointDetailApi.as_view(),
        name="webhook_endpoint",
    ),
    path(
        "webhook-endpoints/<uuid:pk>/rotate-secret",
        webhook_operations.WebhookEndpointRotateSecretApi.as_view(),
        name="webhook_endpoint_rotate_secret",
    ),
    # The schema, its readers and the problem pages: public, no key needed.
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(), name="docs"),
    path("redoc/", docs.RedocView.as_view(), name="redoc"),
    path("problems/", problems.problem_list, name="problems"),
    path("problems/<slug:code>/", problems.problem_detail, name="problem"),
]

page_patterns = [
    path("api-keys/", pages.api_key_list, name="keys"),
    path("api-keys/new/", pages.api_key_new, name="key_new"),
    path("api-keys/<int:pk>/revoke/", pages.api_key_revoke, name="key_revoke"),
    path("webhooks/", pages_webhooks.webhook_endpoint_list, name="webhooks"),
    path("webhooks/<uuid:pk>/", pages_webhooks.webhook_endpoint_detail, name="webhook_detail"),
    path(
        "webhooks/messages/<int:pk>/redeliver/",
        pages_webhooks.webhook_message_redeliver,
        name="webhook_redeliver",
    ),
]

urlpatterns = [
    path("api/v1/", include((api_patterns, "api"))),
    path("operator/", include((page_patterns, "api-pages"))),
]
