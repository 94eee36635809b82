from django.contrib import admin
from django.urls import include, path

from portal.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("portal.accounts.urls")),
    path("registrations/", include("registrations.urls")),
    path("registrations/", include("verification.urls")),
    path("operator/", include("registrations.operator_urls")),
    path("ministry/", include("registrations.ministry_urls")),
    path("audit/", include("portal.audit.urls")),
    path("review/", include("verification.review_urls")),
    path("evidence/", include("verification.evidence_urls")),
    path("admin/", admin.site.urls),
]
