"""Django admin's site for evadmin: the admin role's staff pages at /admin/."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied


class StaffAdminSite(AdminSite):
    def login(self, request, extra_context=None):
        """Staff signed in without the admin role would get a second sign-in form that cannot let them in:
        evadmin's 403 page says why instead."""
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("Django admin (/admin/) is for the admin role: it manages staff accounts. "
                                   "Ask an evadmin admin if you need something changed there.")
        return super().login(request, extra_context)


class StaffAdminConfig(AdminConfig):
    """django.contrib.admin with evadmin's site (above): INSTALLED_APPS names this instead."""

    default_site = "evadmin.staff.admin_site.StaffAdminSite"
