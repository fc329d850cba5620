"""The Celery application. With no REDIS_URL, settings make tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendreview.settings")

app = Celery("sendreview")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
