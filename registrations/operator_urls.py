from django.urls import path

from registrations import operator_views as views

app_name = "operator"

urlpatterns = [
    path("outlets/", views.outlet_list, name="outlets"),
    path("outlets/new/", views.outlet_new, name="outlet_new"),
    path("outlets/<int:pk>/", views.outlet_edit, name="outlet_edit"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
]
