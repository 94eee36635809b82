from django.urls import path

from verification import views

app_name = "verification"

urlpatterns = [
    path("<uuid:pk>/portrait/", views.portrait_upload, name="portrait"),
    path("<uuid:pk>/consent/", views.consent, name="consent"),
    path("<uuid:pk>/capture/", views.capture, name="capture"),
    path("<uuid:pk>/capture/challenge/", views.challenge_new, name="challenge"),
    path("<uuid:pk>/capture/upload/", views.capture_upload, name="upload"),
    path("<uuid:pk>/verification/", views.status, name="status"),
]
