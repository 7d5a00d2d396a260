from django.contrib import admin

from evadmin.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, and only audit_record() appends."""

    list_display = ("id", "occurred_at", "actor_username", "action", "target_user_id", "client_ip", "request_id")
    list_filter = ("action",)
    search_fields = ("actor_username", "target_user_id", "request_id")
    date_hierarchy = "occurred_at"
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
