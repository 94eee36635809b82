"""Health, readiness and metrics for load balancers, process supervisors and Prometheus: no
sign-in, no session, never cached, and no detail for strangers."""

import logging

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from portal.ops.access import holds_ops_token
from portal.ops.metrics import registry
from portal.ops.readiness import readiness

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request):
    """The process is up and answers: nothing else is asked (a database outage must not get
    every web process restarted)."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request):
    """200 when the database, the broker, the evidence storage and the keys all answer, 503
    when one does not; which one, only to the holder of the operations token."""
    states = readiness()
    failing = sorted(name for name, state in states.items() if state != "ok")
    if failing:
        logger.warning("not ready: %s", "; ".join(f"{name}: {states[name]}" for name in failing))
    body = {"status": "not ready" if failing else "ready"}
    if holds_ops_token(request):
        body["checks"] = states
    return JsonResponse(body, status=503 if failing else 200)


@require_safe
@never_cache
def metrics(request):
    """Prometheus's text format, for the holder of the operations token only: the figures
    say how busy each operator's channels are, which is nobody else's business."""
    if not holds_ops_token(request):
        response = JsonResponse({"status": "the operations token is needed"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
