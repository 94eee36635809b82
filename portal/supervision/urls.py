"""The ministry side's pages, mounted once at the site's root."""

from django.urls import include, path

from portal.supervision.views import audit

audit_patterns = [
    path("", audit.audit_list, name="list"),
    path("export.csv", audit.audit_export, name="export"),
]

urlpatterns = [
    path("audit/", include((audit_patterns, "audit"))),
]
