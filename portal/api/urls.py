"""The partner API under /api/v1/: each app's API operations, the webhook endpoints, the
schema and its documentation; and the carrier admin's pages for keys and webhooks."""

from django.urls import include, path

from registrations.urls import api_urlpatterns as registration_operations
from verification.urls import api_urlpatterns as verification_operations

api_patterns = [
    *registration_operations,
    *verification_operations,
]

page_patterns = []

urlpatterns = [
    path("api/v1/", include((api_patterns, "api"))),
    path("operator/", include((page_patterns, "api-pages"))),
]
