"""The carrier admin's dispute pages, mounted at /operator/disputes/ (portal/urls.py)."""

from django.urls import path

from portal.selfservice.views import disputes

urlpatterns = [
    path("", disputes.operator_dispute_list, name="list"),
    path("<uuid:pk>/", disputes.operator_dispute_detail, name="detail"),
    path("<uuid:pk>/uphold/", disputes.operator_dispute_uphold, name="uphold"),
    path("<uuid:pk>/answer/", disputes.operator_dispute_answer, name="answer"),
]
