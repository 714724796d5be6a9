from django.contrib import admin

from audit.models import AuditEvent
from audit.services import audit_record
from sessions_app.models import (
    Attendance,
    Member,
    PlannedTopic,
    PlannedTopicAssignee,
    ReflectionEssay,
    SessionMaterial,
    StudyGroup,
    StudyPlan,
    StudySession,
    Term,
)


class AuditedAdmin(admin.ModelAdmin):
    """Stamps who created and changed a record from the admin too."""

    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


def _record_role_change(request, form, *, created: bool) -> None:
    """Audit a membership an admin form saved: a new one (its role granted), or a changed role."""
    if not created and "role" not in form.changed_data:
        return
    member = form.instance
    audit_record(
        action=AuditEvent.Action.ROLE_CHANGED,
        actor=request.user,
        group_id=member.group_id,
        obj=member,
        request=request,
        details={
            "role_from": None if created else form.initial.get("role"),
            "role_to": member.role,
        },
    )


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ("user", "display_name", "role", "position", "joined_on", "left_on", "sort_order")
    autocomplete_fields = ("user",)


@admin.register(StudyGroup)
class StudyGroupAdmin(AuditedAdmin):
    list_display = ("name", "organisation", "slug", "report_language")
    search_fields = ("name", "organisation", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MemberInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is not Member:
            return
        created = {m.pk for m in formset.new_objects}
        for member_form in formset.forms:
            saved = member_form.instance.pk and member_form not in formset.deleted_forms
            if saved and member_form.has_changed():
                _record_role_change(
                    request, member_form, created=member_form.instance.pk in created
                )


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    list_display = ("display_name", "group", "role", "position", "joined_on", "left_on")
    list_filter = ("group", "role")
    search_fields = ("display_name", "user__username", "position")
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _record_role_change(request, form, created=not change)


@admin.register(Term)
class TermAdmin(AuditedAdmin):
    list_display = ("__str__", "group", "start_date", "end_date")
    list_filter = ("group", "year", "half")


class PlannedTopicInline(admin.StackedInline):
    """A plan's topics; a research topic's assignees are edited on the topic's own page."""

    model = PlannedTopic
    extra = 0


class PlannedTopicAssigneeInline(admin.TabularInline):
    model = PlannedTopicAssignee
    extra = 0
    autocomplete_fields = ("member",)


@admin.register(StudyPlan)
class StudyPlanAdmin(AuditedAdmin):
    list_display = ("__str__", "group", "status", "approved_at")
    list_filter = ("group", "status")
    inlines = [PlannedTopicInline]


@admin.register(PlannedTopic)
class PlannedTopicAdmin(AuditedAdmin):
    list_display = ("title", "plan", "kind", "planned_month", "format", "due_date", "completed_on")
    list_filter = ("plan__group", "kind", "format")
    search_fields = ("title",)
    inlines = [PlannedTopicAssigneeInline]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ("member", "status", "leave_reason", "makeup_on", "makeup_note")


class SessionMaterialInline(admin.TabularInline):
    """Read-only here: uploads go through the session page, which checks what a file is."""

    model = SessionMaterial
    extra = 0
    fields = ("title", "original_filename", "file")
    readonly_fields = ("original_filename", "file")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StudySession)
class StudySessionAdmin(AuditedAdmin):
    list_display = ("date", "topic", "group", "term", "format", "host")
    list_filter = ("group", "term", "format")
    search_fields = ("topic", "speakers", "minutes")
    date_hierarchy = "date"
    inlines = [AttendanceInline, SessionMaterialInline]


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    list_display = ("session", "member", "status", "makeup_on")
    list_filter = ("session__group", "status", "session__term")
    search_fields = ("member__display_name", "session__topic")


@admin.register(ReflectionEssay)
class ReflectionEssayAdmin(AuditedAdmin):
    """Files and their extracted text come only through the essay form, which checks them."""

    readonly_fields = (
        *AuditedAdmin.readonly_fields,
        "file",
        "original_filename",
        "char_count",
    )
    list_display = ("title", "author", "group", "kind", "char_count", "submitted_at", "status")
    list_filter = ("group", "kind", "status")
    search_fields = ("title", "author__display_name")
