"""The load of ``make bench-api`` (see portal/devtools/bench_api.py): one user class per
endpoint, run one after the other against the same server.

``BENCH_BARE_PATH``, ``BENCH_API_KEY`` and ``BENCH_REGISTRATION_ID`` come from the
benchmark's environment (this file imports nothing of the portal: no Django here). Each
user sends its next request as soon as the last one is answered: the server's ceiling.
"""

import os

from locust import FastHttpUser, task


class BareJsonUser(FastHttpUser):
    """A plain Django JsonResponse: the most any view of this server can do."""

    @task
    def bare(self):
        self.client.get(os.environ["BENCH_BARE_PATH"], name="bare JsonResponse")


class PartnerApiUser(FastHttpUser):
    """GET /api/v1/registrations/{id} with a partner key."""

    def on_start(self):
        self.path = f"/api/v1/registrations/{os.environ['BENCH_REGISTRATION_ID']}"
        self.headers = {"Authorization": f"Bearer {os.environ['BENCH_API_KEY']}"}

    @task
    def registration(self):
        self.client.get(self.path, headers=self.headers, name="GET /api/v1/registrations/{id}")
