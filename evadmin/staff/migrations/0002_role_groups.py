"""Create the staff role groups (viewer, support, ...) with their permissions.

The table lives in evadmin/staff/roles.py; a post_migrate hook (accounts/signals.py)
re-applies it after every migrate, so a change there needs no new migration.
"""

from django.db import migrations

from evadmin.staff.roles import role_groups_sync


def create_role_groups(apps, schema_editor):
    role_groups_sync(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Reversing leaves the groups in place: they may have members by then.
    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
