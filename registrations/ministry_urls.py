from django.urls import path

from registrations import ministry_views as views

app_name = "ministry"

urlpatterns = [
    path("policy/", views.policy_edit, name="policy"),
]
