"""The ministry side's pages, mounted once at the site's root."""

from django.urls import include, path

from portal.supervision import views

audit_patterns = [
    path("", views.audit_list, name="list"),
    path("export.csv", views.audit_export, name="export"),
]

urlpatterns = [
    path("audit/", include((audit_patterns, "audit"))),
]
