"""The site's routes: each app's urls.py, mounted once."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("portal.accounts.urls")),
    path("", include("registrations.urls")),
    path("", include("verification.urls")),
    path("", include("portal.supervision.urls")),
    path("admin/", admin.site.urls),
]
