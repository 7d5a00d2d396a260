from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlaybooksConfig(AppConfig):
    name = "evadmin.playbooks"
    verbose_name = "Playbooks"

    def ready(self) -> None:
        from evadmin.playbooks import signals

        post_migrate.connect(signals.ship_playbooks_after_migrate, sender=self)
