"""The relay as a process of its own (for a deployment that prefers it to Celery beat), and
the operator's way to send dead messages again once their cause is fixed."""

import time

from django.core.management.base import BaseCommand

from portal.outbox.services import outbox_relay, outbox_revive


class Command(BaseCommand):
    help = "Send the outbox's pending messages to the broker: once, or every --every seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="Keep going, a pass every this many seconds"
        )
        parser.add_argument(
            "--revive-dead", action="store_true", help="First make the dead messages pending"
        )

    def handle(self, *args, every: float, revive_dead: bool, **options):
        if revive_dead:
            self.stdout.write(f"revived {outbox_revive()}")
        while True:
            sent, refused = self._drain()
            if every <= 0:
                self.stdout.write(f"sent {sent}, refused {refused}")
                return
            time.sleep(every)

    @staticmethod
    def _drain() -> tuple[int, int]:
        """Passes until the backlog is sent or the broker refuses."""
        sent = 0
        while True:
            done = outbox_relay()
            sent += done.sent
            if done.refused or done.sent == 0:
                return sent, done.refused
