"""The Celery application. Its settings (CELERY_* in config/settings.py) carry the delivery
guarantees every task relies on: late acknowledgement, re-delivery when a worker dies, one
message prefetched at a time, time limits below the broker's visibility timeout, JSON only."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
