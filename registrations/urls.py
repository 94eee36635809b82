"""Every page of the registrations app, mounted once at the site's root."""

from django.urls import include, path

from registrations.views import api, outlets, policy, registrations, staff

registration_patterns = [
    path("", registrations.registration_list, name="list"),
    path("search/", registrations.registration_search, name="search"),
    path("new/", registrations.registration_new, name="new"),
    path("<uuid:pk>/", registrations.registration_detail, name="detail"),
    path("<uuid:pk>/edit/", registrations.registration_edit, name="edit"),
    path("<uuid:pk>/discard/", registrations.registration_discard, name="discard"),
    path("<uuid:pk>/submit/", registrations.registration_submit, name="submit"),
    path("<uuid:pk>/cancel/", registrations.registration_cancel, name="cancel"),
]

operator_patterns = [
    path("outlets/", outlets.outlet_list, name="outlets"),
    path("outlets/new/", outlets.outlet_new, name="outlet_new"),
    path("outlets/<int:pk>/", outlets.outlet_edit, name="outlet_edit"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/new/", staff.staff_new, name="staff_new"),
    path("staff/<int:pk>/", staff.staff_edit, name="staff_edit"),
]

ministry_patterns = [
    path("policy/", policy.policy_edit, name="policy"),
]

urlpatterns = [
    path("registrations/", include((registration_patterns, "registrations"))),
    path("operator/", include((operator_patterns, "operator"))),
    path("ministry/", include((ministry_patterns, "ministry"))),
]

# The partner API's registration operations, mounted under /api/v1/ by portal/api/urls.py.
api_urlpatterns = [
    path("registrations", api.RegistrationCollectionApi.as_view(), name="registrations"),
    path(
        "registrations/<uuid:pk>", api.RegistrationDetailApi.as_view(), name="registration_detail"
    ),
    path(
        "registrations/<uuid:pk>/cancel",
        api.RegistrationCancelApi.as_view(),
        name="registration_cancel",
    ),
]
