from django.contrib import admin

from oversight.models import (
    GroupPlacement,
    Organisation,
    OrganisationRole,
    ReportingDeadline,
    Submission,
)
from oversight.services.organisations import organisation_create
from sessions_app.admin import AuditedAdmin


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "slug", "parent", "path")
    search_fields = ("name", "slug")

    def get_readonly_fields(self, request, obj=None):
        # An organisation is not moved under another parent: its subtree's paths would follow.
        kept = (*AuditedAdmin.readonly_fields, "path")
        return (*kept, "parent") if obj else kept

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = organisation_create(
            name=obj.name, slug=obj.slug, parent=obj.parent, actor=request.user
        )
        obj.pk, obj.path = created.pk, created.path


@admin.register(OrganisationRole)
class OrganisationRoleAdmin(AuditedAdmin):
    list_display = ("organisation", "user", "role")
    list_filter = ("role",)
    autocomplete_fields = ("organisation",)


@admin.register(GroupPlacement)
class GroupPlacementAdmin(AuditedAdmin):
    list_display = ("group", "organisation")
    autocomplete_fields = ("organisation",)


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(AuditedAdmin):
    list_display = ("organisation", "year", "half", "kind", "due_on")
    list_filter = ("kind", "year")
    autocomplete_fields = ("organisation",)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: submissions are made and decided on the site's pages (oversight.services)."""

    list_display = ("group", "term", "kind", "version", "status", "submitted_at", "decided_at")
    list_filter = ("kind", "status")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
