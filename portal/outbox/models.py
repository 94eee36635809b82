"""Work for Celery, written in the transaction of the change that causes it.

A row exists exactly when its change committed: a job is never sent for a change that rolled
back, and never lost because the broker was down at the commit. The relay sends each row and
deletes it; what the broker refused waits, with backoff, for the next pass.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        # Refused for longer than OUTBOX_DEAD_AFTER_S: an operator looks (metrics, admin).
        DEAD = "dead", _("given up")

    task_name = models.CharField(_("task"), max_length=100)
    kwargs = models.JSONField(_("arguments"), default=dict)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The relay's pass: the pending rows that are due, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="outbox_due",
            ),
            models.Index(
                fields=["created_at"], condition=models.Q(state="dead"), name="outbox_dead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.get_state_display()})"
