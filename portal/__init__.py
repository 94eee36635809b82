# Load the Celery app with Django, so @shared_task binds to it in web processes too.
from portal.celery import app as celery_app

__all__ = ["celery_app"]
