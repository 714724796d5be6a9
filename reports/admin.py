from django.contrib import admin

from reports.models import ArchiveBuild, ReportNarrative


@admin.register(ReportNarrative)
class ReportNarrativeAdmin(admin.ModelAdmin):
    """Read-only: narratives are drafted and approved in the app, so every version stays as it was
    approved; the admin is for looking them up."""

    list_display = ("group", "term", "kind", "version", "status", "approved_by", "updated_at")
    list_filter = ("kind", "status", "group")
    search_fields = ("group__name", "preamble", "problems")
    list_select_related = ("group", "term", "approved_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ArchiveBuild)
class ArchiveBuildAdmin(admin.ModelAdmin):
    """Read-only: builds of the study archive are made from the app's archive page; the admin
    shows which were made, when, by whom, and why one failed."""

    list_display = ("group", "year", "kind", "status", "progress", "pdf_pages", "missing_count",
                    "requested_by", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("group__name",)
    list_select_related = ("group", "requested_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
