from django.urls import path

from verification import review_views

app_name = "review"

urlpatterns = [
    path("", review_views.review_list, name="list"),
    path("<uuid:pk>/", review_views.review_detail, name="detail"),
]
