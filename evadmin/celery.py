"""The Celery application: web and worker processes share evadmin.settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evadmin.settings")

app = Celery("evadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
