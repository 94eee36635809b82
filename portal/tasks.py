"""Cross-cutting tasks."""

import os
import socket

from celery import shared_task


@shared_task(name="portal.ping")
def ping(token: str) -> dict[str, str]:
    """Echo a token with the worker's host: proves a round trip through a real worker."""
    return {"token": token, "worker_host": socket.gethostname(), "worker_pid": str(os.getpid())}
