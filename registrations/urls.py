from django.urls import path

from registrations import views

app_name = "registrations"

urlpatterns = [
    path("", views.registration_list, name="list"),
    path("new/", views.registration_new, name="new"),
    path("<uuid:pk>/", views.registration_detail, name="detail"),
    path("<uuid:pk>/submit/", views.registration_submit, name="submit"),
    path("<uuid:pk>/cancel/", views.registration_cancel, name="cancel"),
]
