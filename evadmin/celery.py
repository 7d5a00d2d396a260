"""The Celery application: web and worker processes share evadmin's settings."""

import logging
import os

from celery import Celery
from celery.signals import beat_init

# Development unless told otherwise, as manage.py (deployments export evadmin.settings.production).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evadmin.settings.development")

logger = logging.getLogger(__name__)

app = Celery("evadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def sync_a_directory_never_synced(sender=None, **kwargs) -> None:
    """Beat starting on a new install: fill the directory now, not at the first incremental tick. Never
    stops beat: at worst the first tick starts the sync, as before."""
    import django

    django.setup()  # beat has not set Django up by itself
    from evadmin.driver_directory.sync import directory_sync_if_never_synced

    try:
        directory_sync_if_never_synced()
    except Exception:
        logger.exception("could not start the directory's first sync; beat's first tick will")
