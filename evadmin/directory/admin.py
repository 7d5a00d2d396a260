from django.contrib import admin

from evadmin.directory.models import DirectoryAccount, DirectorySync


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: the directory is written by syncs and evadmin's own API writes, never by hand."""

    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "email", "full_name", "city", "postal_code", "country_code", "synced_at", "gone_at")
    list_filter = ("country_code",)
    search_fields = ("user_id", "email_normalised", "postal_code")


@admin.register(DirectorySync)
class DirectorySyncAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "status", "started_at", "finished_at", "requests_spent", "accounts_seen", "cursor")
    list_filter = ("kind", "status")
