"""The one way the apps hand work to Celery: by task name, after the transaction commits.

Naming the task instead of importing it keeps services free of their own interfaces (the
tasks module imports the services, never the other way round). A later outbox replaces the
body of ``enqueue`` without changing its callers.
"""

import logging

from celery import current_app

logger = logging.getLogger(__name__)


def enqueue(task_name: str, **kwargs) -> bool:
    """Send ``task_name`` with ``kwargs`` to the broker now; False if the broker is down.

    A broker that is down is not an error for the person who caused the work: callers keep
    enough state (a queued job row) for a sweeper to send it again.
    """
    try:
        current_app.send_task(task_name, kwargs=kwargs, retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure means "later"
        logger.warning("%s not queued yet: %s", task_name, type(error).__name__)
        return False
    return True
