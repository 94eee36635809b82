from django.urls import path

from portal.selfservice import views

app_name = "selfservice"

urlpatterns = [
    path("me/", views.start, name="start"),
    path("me/number/", views.number, name="number"),
    path("me/code/", views.code, name="code"),
    path("me/numbers/", views.numbers, name="numbers"),
    path("me/sign-out/", views.sign_out, name="sign_out"),
]
