from django.apps import apps as global_apps
from django.db import router

from evadmin.accounts.roles import role_groups_sync


def sync_role_groups_after_migrate(sender, *, using, apps=global_apps, **kwargs) -> None:
    """Keep role groups in step with roles.py after every migrate and test-database flush.

    The data migration creates them once; a flush (transactional tests, live_server) empties
    the tables, and only post_migrate runs again then (without `apps`: the real models).
    """
    try:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
        content_type_model = apps.get_model("contenttypes", "ContentType")
    except LookupError:  # migrating backwards past auth or contenttypes
        return
    if not router.allow_migrate_model(using, group_model):  # e.g. the sandbox database
        return
    role_groups_sync(
        group_model=group_model,
        permission_model=permission_model,
        content_type_model=content_type_model,
        using=using,
    )
