from django.urls import path

from portal.selfservice.views import consent, deferrals, disputes, me

app_name = "selfservice"

urlpatterns = [
    path("me/", me.start, name="start"),
    path("me/number/", me.number, name="number"),
    path("me/code/", me.code, name="code"),
    path("me/numbers/", me.numbers, name="numbers"),
    path("me/numbers/<uuid:pk>/dispute/", disputes.dispute_new, name="dispute"),
    path("me/access/", me.access, name="access"),
    path("me/numbers/<uuid:pk>/consent/", consent.receipt, name="receipt"),
    path("me/numbers/<uuid:pk>/consent.json", consent.receipt_json, name="receipt_json"),
    path("me/numbers/<uuid:pk>/consent/withdraw/", consent.withdraw, name="withdraw"),
    path("me/sign-out/", me.sign_out, name="sign_out"),
    path("supervision/disputes/overdue/", disputes.ministry_overdue_list, name="overdue"),
    path(
        "registrations/<uuid:pk>/defer-notices/",
        deferrals.notice_deferral_new,
        name="defer",
    ),
]
