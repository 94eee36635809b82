from django.urls import path

from verification import evidence_views

app_name = "evidence"

urlpatterns = [
    path("<uuid:pk>/", evidence_views.evidence_view, name="view"),
]
