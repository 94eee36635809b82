from django.urls import path

from portal.selfservice.views import deferrals, disputes, me

app_name = "selfservice"

urlpatterns = [
    path("me/", me.start, name="start"),
    path("me/number/", me.number, name="number"),
    path("me/code/", me.code, name="code"),
    path("me/numbers/", me.numbers, name="numbers"),
    path("me/numbers/<uuid:pk>/dispute/", disputes.dispute_new, name="dispute"),
    path("me/access/", me.access, name="access"),
    path("me/sign-out/", me.sign_out, name="sign_out"),
    path(
        "registrations/<uuid:pk>/defer-notices/",
        deferrals.notice_deferral_new,
        name="defer",
    ),
]
