"""The outbox: work is written in the transaction of its change, sent after the commit, kept
with backoff while the broker refuses it, given up only after a day, never sent twice by two
relays at once."""

import threading
from datetime import timedelta

import pytest
from celery import current_app
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from portal.outbox.models import OutboxMessage
from portal.outbox.services import backoff_s, enqueue, outbox_relay, outbox_revive

pytestmark = pytest.mark.django_db(transaction=True)  # commits happen: on_commit runs


class Broker:
    """Celery's send_task as the outbox calls it: it records, or refuses while ``down``."""

    def __init__(self):
        self.sent, self.down = [], False

    def send_task(self, name, kwargs=None, retry=True):
        assert retry is False, "the outbox retries, not Celery in the request"
        if self.down:
            raise ConnectionRefusedError("no broker")
        self.sent.append((name, kwargs))


@pytest.fixture
def broker(monkeypatch):
    fake = Broker()
    monkeypatch.setattr(current_app, "send_task", fake.send_task)
    return fake


def test_a_message_is_written_with_the_change_and_sent_after_the_commit(broker):
    with transaction.atomic():
        enqueue("verification.run_job", job_id="j-1")
        assert OutboxMessage.objects.count() == 1
        assert broker.sent == [], "nothing leaves before the commit"
    assert broker.sent == [("verification.run_job", {"job_id": "j-1"})]
    assert not OutboxMessage.objects.exists(), "a sent message is deleted"


def test_a_change_rolled_back_sends_nothing(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("verification.run_job", job_id="j-1")
        raise RuntimeError("the change failed")
    assert broker.sent == []
    assert not OutboxMessage.objects.exists()


def test_a_refused_message_waits_with_a_growing_backoff(broker, caplog):
    broker.down = True
    enqueue("api.deliver_webhook", message_pk=7)
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts, message.last_error) == (
        "pending", 1, "ConnectionRefusedError"
    )  # fmt: skip
    assert "api.deliver_webhook not sent yet (attempt 1)" in caplog.text
    first_due = message.next_attempt_at
    assert outbox_relay(now=first_due - timedelta(milliseconds=1)).refused == 0, "not due yet"
    outbox_relay(now=first_due)
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at - first_due == timedelta(seconds=2)
    assert [backoff_s(n) for n in (1, 2, 3, 4, 5, 6, 7, 20)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_the_backlog_goes_out_once_the_broker_is_back_oldest_first(broker):
    broker.down = True
    for number in range(3):
        enqueue("verification.run_job", job_id=f"j-{number}")
    assert OutboxMessage.objects.count() == 3
    broker.down = False
    later = timezone.now() + timedelta(seconds=31)
    assert outbox_relay(now=later).sent == 3
    assert [kwargs["job_id"] for _, kwargs in broker.sent] == ["j-0", "j-1", "j-2"]
    assert not OutboxMessage.objects.exists()


def test_the_first_refusal_ends_the_pass(broker):
    for number in range(3):
        OutboxMessage.objects.create(task_name="verification.run_job", kwargs={"n": number})
    broker.down = True
    result = outbox_relay()
    assert (result.sent, result.refused) == (0, 1)
    assert list(OutboxMessage.objects.order_by("pk").values_list("attempts", flat=True)) == [
        1, 0, 0
    ], "one try, not one a row, while the broker is down"  # fmt: skip


def test_a_message_refused_for_a_day_is_dead_until_revived(broker, settings):
    broker.down = True
    written = timezone.now() - timedelta(seconds=settings.OUTBOX_DEAD_AFTER_S + 1)
    OutboxMessage.objects.create(task_name="api.deliver_webhook", kwargs={}, created_at=written)
    assert outbox_relay().dead == 1
    assert OutboxMessage.objects.get().state == "dead"
    broker.down = False
    assert outbox_relay(now=timezone.now() + timedelta(hours=1)).sent == 0, "dead stays dead"
    assert outbox_revive() == 1
    assert outbox_relay().sent == 1


def test_two_relays_never_send_the_same_message(broker):
    """One relay holds the rows it took; another, at the same moment, skips them."""
    for number in range(4):
        OutboxMessage.objects.create(task_name="verification.run_job", kwargs={"n": number})
    holding, release = threading.Event(), threading.Event()

    def first_relay_holds_two():
        with transaction.atomic():
            rows = OutboxMessage.objects.select_for_update(skip_locked=True).order_by("pk")
            list(rows[:2])
            holding.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=first_relay_holds_two)
    thread.start()
    assert holding.wait(10)
    try:
        assert outbox_relay().sent == 2
    finally:
        release.set()
        thread.join()
    assert sorted(kwargs["n"] for _, kwargs in broker.sent) == [2, 3]
    assert OutboxMessage.objects.count() == 2, "the held rows are still there for the next pass"


def test_the_relay_command_sends_the_backlog_and_revives_the_dead(broker, capsys):
    OutboxMessage.objects.create(task_name="a.task", kwargs={})
    OutboxMessage.objects.create(task_name="b.task", kwargs={}, state="dead")
    call_command("outbox_relay", "--revive-dead")
    assert capsys.readouterr().out.split("\n")[:2] == ["revived 1", "sent 2, refused 0"]
    assert not OutboxMessage.objects.exists()
