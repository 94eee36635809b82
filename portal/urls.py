"""The site's routes: each app's urls.py, mounted once."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    # /healthz, /readyz (and /metrics): asked every few seconds, matched first.
    path("", include("portal.ops.urls")),
    # Then: every partner request (the busiest callers) is matched by the first prefix
    # tried, not after every page's pattern.
    path("", include("portal.api.urls")),
    path("", include("portal.accounts.urls")),
    path("", include("registrations.urls")),
    path("", include("verification.urls")),
    path("", include("portal.supervision.urls")),
    path("", include("portal.selfservice.urls")),
    path(
        "operator/disputes/",
        include(("portal.selfservice.urls_operator", "operator-disputes")),
    ),
    # The interface strings of our scripts, in the active language (served here: no CDN).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

# make bench-api's bare JsonResponse, on its own server only (the setting is refused in
# production). Named, not imported: nothing else loads the devtools.
if settings.BENCH_ENDPOINTS:
    urlpatterns.append(path("", include("portal.devtools.bench_api")))
