"""A URLconf for the plumbing tests: the site's routes plus a few API views made to observe
idempotency, crashes and auditing (``@pytest.mark.urls("tests.api.plumbing_urls")``)."""

import threading

from django.db import OperationalError
from django.urls import path
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.audit.actions import Action
from portal.audit.services import audit_in_transaction
from portal.urls import urlpatterns as site_urlpatterns


class Runs:
    """What the views below saw; reset by the tests' fixture."""

    count = 0
    fail_next = False
    database_gone_next = False
    entered = threading.Event()
    release = threading.Event()
    slow = False
    lock = threading.Lock()

    @classmethod
    def reset(cls):
        cls.count, cls.fail_next, cls.slow = 0, False, False
        cls.database_gone_next = False
        cls.entered, cls.release = threading.Event(), threading.Event()


class EchoView(APIView):
    """Counts its runs; answers 201 with the run number and what it was sent."""

    def post(self, request):
        with Runs.lock:
            Runs.count += 1
            run = Runs.count
        if Runs.slow:
            Runs.entered.set()
            Runs.release.wait(timeout=30)  # a safety net only: the test releases it
        if Runs.fail_next:
            Runs.fail_next = False
            raise RuntimeError(f"a crash while handling {request.data}")
        if Runs.database_gone_next:
            Runs.database_gone_next = False
            raise OperationalError("server closed the connection unexpectedly")
        return Response(
            {"run": run, "sent": request.data},
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/things/{run}"},
        )

    put = post
    delete = post


class AuditedView(APIView):
    def post(self, request):
        event = audit_in_transaction(action=Action.EXPORTED, actor=request.user, obj=request.user)
        return Response({"sequence": event.sequence}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("api/v1/test/echo", EchoView.as_view()),
    path("api/v1/test/audited", AuditedView.as_view()),
    *site_urlpatterns,
]
