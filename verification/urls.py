"""Every page of the verification app, mounted once at the site's root."""

from django.urls import include, path

from verification.views import api, captures, evidence, review

# The outlet's steps, under the registration they verify.
capture_patterns = [
    path("<uuid:pk>/portrait/", captures.portrait_upload, name="portrait"),
    path("<uuid:pk>/consent/", captures.consent, name="consent"),
    path("<uuid:pk>/capture/", captures.capture, name="capture"),
    path("<uuid:pk>/capture/challenge/", captures.challenge_new, name="challenge"),
    path("<uuid:pk>/capture/upload/", captures.capture_upload, name="upload"),
    path("<uuid:pk>/verification/", captures.status, name="status"),
    # Leave to view the registration's evidence: its page (or the review page) posts here.
    path("<uuid:pk>/evidence/", evidence.evidence_grant_open, name="evidence_grant_open"),
]

review_patterns = [
    path("", review.review_list, name="list"),
    path("<uuid:pk>/", review.review_detail, name="detail"),
]

# Evidence is served under a viewing grant: the URL names the grant, never the reason.
evidence_patterns = [
    path("<uuid:grant_pk>/<uuid:pk>/", evidence.evidence_view, name="view"),
    path("<uuid:grant_pk>/end/", evidence.evidence_grant_end, name="grant_end"),
]

urlpatterns = [
    path("registrations/", include((capture_patterns, "verification"))),
    path("review/", include((review_patterns, "review"))),
    path("evidence/", include((evidence_patterns, "evidence"))),
]

# The partner API's verification operations, mounted under /api/v1/ by portal/api/urls.py.
api_urlpatterns = [
    path(
        "registrations/<uuid:pk>/portrait", api.PortraitApi.as_view(), name="registration_portrait"
    ),
    path("registrations/<uuid:pk>/consent", api.ConsentApi.as_view(), name="registration_consent"),
    path(
        "registrations/<uuid:pk>/challenges",
        api.ChallengeApi.as_view(),
        name="registration_challenges",
    ),
    path(
        "registrations/<uuid:pk>/captures", api.CaptureApi.as_view(), name="registration_captures"
    ),
    path(
        "registrations/<uuid:pk>/verification",
        api.VerificationApi.as_view(),
        name="registration_verification",
    ),
    path("reasons", api.ReasonsApi.as_view(), name="reasons"),
]
