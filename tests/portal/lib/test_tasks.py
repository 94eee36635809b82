"""Work is handed to Celery by task name, and a broker that is down means "later"."""

from celery import current_app

from portal.lib.tasks import enqueue


def test_it_sends_the_named_task_with_its_arguments(monkeypatch):
    sent = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, **options: sent.append((name, options))
    )
    assert enqueue("verification.run_job", job_id="abc") is True
    assert sent == [("verification.run_job", {"kwargs": {"job_id": "abc"}, "retry": False})]


def test_a_broker_that_is_down_is_reported_not_raised(monkeypatch, caplog):
    def refuse(name, **options):
        raise ConnectionRefusedError("no broker")

    monkeypatch.setattr(current_app, "send_task", refuse)
    assert enqueue("verification.run_job", job_id="abc") is False
    assert "verification.run_job not queued yet: ConnectionRefusedError" in caplog.text
