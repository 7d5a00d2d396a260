"""The Celery application: web and worker processes share evadmin's settings."""

import os

from celery import Celery

# Development unless told otherwise, as manage.py (deployments export evadmin.settings.production).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evadmin.settings.development")

app = Celery("evadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
