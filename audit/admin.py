from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the app and nobody may change or remove an event."""

    list_display = ("created_at", "actor_name", "action", "group", "object_repr", "ip_address")
    list_filter = ("action", "group")
    search_fields = ("actor_name", "object_repr", "ip_address")
    list_select_related = ("group",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
