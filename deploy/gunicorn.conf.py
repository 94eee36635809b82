"""gunicorn's settings for the portal's web processes (deploy/systemd/portal-web.service).

One sync worker a core: a request's time is the database's and the templates', and the face
engine runs in the Celery workers, not here. Settings come from the environment as the
portal's do (GUNICORN_BIND, GUNICORN_WORKERS).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
# An upload of a capture (up to the API's body limit) on a slow phone link.
timeout = 60
graceful_timeout = 30
# Restart each worker now and then, so that a slow leak never grows without end.
max_requests = 2000
max_requests_jitter = 200
# The access log's lines hold the path and the status, never a query string: the portal puts
# nothing personal in a URL, and a query string is the one place a client could.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%({x-request-id}o)s"'
# Behind the load balancer: its address is the one trusted to say the client's.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """A web worker gone: Prometheus's per-process files forget its gauges (multiprocess)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
