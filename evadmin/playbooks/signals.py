from django.apps import apps as global_apps
from django.db import router

from evadmin.playbooks.shipped import SHIPPED_PLAYBOOKS, SHIPPED_REASON


def ship_playbooks_after_migrate(sender, *, using, apps=global_apps, **kwargs) -> None:
    """Create the shipped playbooks that do not exist yet, after every migrate and test-database flush.

    Only missing ones: a playbook staff have edited is theirs, and a later release's wording does not
    overwrite it.
    """
    try:
        playbook_model = apps.get_model("playbooks", "Playbook")
        revision_model = apps.get_model("playbooks", "PlaybookRevision")
    except LookupError:  # migrating backwards past the playbooks
        return
    if not router.allow_migrate_model(using, playbook_model):  # e.g. the sandbox database
        return
    existing = set(playbook_model.objects.using(using).values_list("subcategory", flat=True))
    for subcategory, steps in SHIPPED_PLAYBOOKS.items():
        if subcategory not in existing:
            playbook = playbook_model.objects.using(using).create(subcategory=subcategory)
            revision_model.objects.using(using).create(playbook=playbook, number=1, steps=steps,
                                                       reason=SHIPPED_REASON)
