from django.db import models

from evadmin.accounts.roles import STAFF_PERMISSIONS


class StaffPermission(models.Model):
    """Holds evadmin's own permissions (accounts.view_users, ...); it has no table.

    The permissions belong to no real model, so they hang off this unmanaged one.
    Which role has which is in evadmin/accounts/roles.py.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(STAFF_PERMISSIONS.items())
