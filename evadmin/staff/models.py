from django.conf import settings
from django.db import models

from evadmin.staff.roles import STAFF_PERMISSIONS


class StaffPermission(models.Model):
    """Holds evadmin's own permissions (accounts.view_users, ...); it has no table.

    The permissions belong to no real model, so they hang off this unmanaged one.
    Which role has which is in evadmin/staff/roles.py.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(STAFF_PERMISSIONS.items())


class StaffSession(models.Model):
    """One sign-in: the session key a staff member got, so all their sessions can be ended at once.

    Django's session engines cannot find sessions by user; deactivating someone deletes the
    sessions listed here (evadmin/staff/sessions.py). A row goes at sign-out, at the session's
    maximum lifetime, or at deactivation.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions")
    session_key = models.CharField(max_length=40, db_index=True)
    signed_in_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} at {self.signed_in_at:%Y-%m-%d %H:%M}"
