from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def local_folders_create() -> None:
    """var/ (SQLite files, beat's schedule), the file broker's folders and STATIC_ROOT."""
    folders = [settings.VAR_DIR, settings.STATIC_ROOT]  # WhiteNoise warns at every start without STATIC_ROOT
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folders += [options["data_folder_in"], options["processed_folder"], options["control_folder"]]
    for folder in folders:
        Path(folder).mkdir(parents=True, exist_ok=True)


class LocalFoldersConfig(AppConfig):
    name = "evadmin.local_folders"
    label = "local_folders"

    def ready(self) -> None:
        # Here rather than in settings: manage.py, gunicorn, Celery and pytest all start Django before
        # they open SQLite or the broker, and importing settings stays free of side effects.
        local_folders_create()
