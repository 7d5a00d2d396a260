from django.contrib import admin

from evadmin.audit.models import AuditEvent
from evadmin.core.admin import ReadOnlyModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read-only: the trail is append-only, and only audit_record() appends."""

    list_display = ("id", "occurred_at", "actor_username", "action", "target_user_id", "client_ip", "request_id")
    list_filter = ("action",)
    search_fields = ("actor_username", "target_user_id", "request_id")
    date_hierarchy = "occurred_at"
