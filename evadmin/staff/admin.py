"""Staff accounts at /admin/, as the admin role (not a superuser) manages them.

Django's UserAdmin lets anyone with change_user tick "superuser status" or grant single permissions,
so an admin-role member could give themselves what roles.py withholds (deleting staff, editing
roles). Here only a superuser may set those, or change a superuser's account (its password above all).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

StaffUser = get_user_model()


class StaffUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        return (*readonly, "is_superuser", "user_permissions")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


admin.site.unregister(StaffUser)
admin.site.register(StaffUser, StaffUserAdmin)
