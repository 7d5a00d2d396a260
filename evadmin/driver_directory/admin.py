from django.contrib import admin

from evadmin.core.admin import ReadOnlyModelAdmin
from evadmin.driver_directory.models import DirectoryAccount, DirectorySync


# Read-only: the directory is written by syncs and evadmin's own API writes, never by hand.
@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(ReadOnlyModelAdmin):
    list_display = ("user_id", "email", "full_name", "city", "postal_code", "country_code", "synced_at", "gone_at")
    list_filter = ("country_code",)
    search_fields = ("user_id", "email_normalised", "postal_code")


@admin.register(DirectorySync)
class DirectorySyncAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "kind", "status", "started_at", "finished_at", "requests_spent", "accounts_seen", "cursor")
    list_filter = ("kind", "status")
