from django.contrib import admin

from reports.models import ArchiveBuild, ReadyDocument, ReportFile, ReportNarrative, WordTemplate


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


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Look-up only: these rows are written by the app's services and tasks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportFile)
class ReportFileAdmin(_ReadOnlyAdmin):
    """Generated files (PDF, .docx): what was made, for which document, and how it went."""

    list_display = (
        "group",
        "term",
        "kind",
        "format",
        "status",
        "approved",
        "prepared",
        "attempts",
        "finished_at",
        "file",
    )
    list_filter = ("kind", "format", "status", "approved", "prepared", "group")
    search_fields = ("group__name", "title", "content_hash", "error")
    list_select_related = ("group", "term")
    date_hierarchy = "created_at"


@admin.register(ReadyDocument)
class ReadyDocumentAdmin(_ReadOnlyAdmin):
    """Approved documents' files made ahead, and whether the records changed since."""

    list_display = ("group", "term", "kind", "pdf", "docx", "changed_at", "prepared_at")
    list_filter = ("kind", "group")
    list_select_related = ("group", "term", "pdf__term", "docx__term")


@admin.register(WordTemplate)
class WordTemplateAdmin(_ReadOnlyAdmin):
    """Groups' uploaded Word templates, every version."""

    list_display = (
        "group",
        "version",
        "original_name",
        "size",
        "created_by",
        "created_at",
        "retired_at",
    )
    list_filter = ("group",)
    list_select_related = ("group", "created_by")


@admin.register(ArchiveBuild)
class ArchiveBuildAdmin(_ReadOnlyAdmin):
    """Builds of the study archive, made from the app's archive page: which were made, when, by
    whom, and why one failed."""

    list_display = (
        "group",
        "year",
        "kind",
        "status",
        "progress",
        "pdf_pages",
        "missing_count",
        "requested_by",
        "created_at",
    )
    list_filter = ("kind", "status")
    search_fields = ("group__name",)
    list_select_related = ("group", "requested_by")
