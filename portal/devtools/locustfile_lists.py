"""The load of ``make bench-lists`` (portal/devtools/bench_lists.py): nation-wide inspectors
asking the first page of ``/registrations/`` back to back, the server's ceiling for it.

Its accounts come as make loadtest's do (``LOADTEST_CONFIG``, locustfile_load.py's reader);
nothing of the portal is imported here.
"""

from locust import constant, task
from locustfile_load import Browser, take  # locust puts this folder on the path


class InspectorListUser(Browser):
    """Signs in (password and authenticator code), then the list, again and again."""

    wait_time = constant(0)

    def on_start(self):
        self.sign_in(take("inspectors"))

    @task
    def first_page(self):
        self.call("GET", "/registrations/", name="GET /registrations/ (first page)")
