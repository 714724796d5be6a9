"""The site administrator's pages. People are kept: a user or member whom a record names cannot
be deleted here (the models' PROTECT and RESTRICT keys decide which); an account is deactivated
instead, a member given a leaving date."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import NestedObjects, unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import router
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from audit.models import AuditEvent
from audit.services import audit_record
from sessions_app.models import (
    Attendance,
    LeaveRequest,
    MakeupDuty,
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
from sessions_app.services.members import signin_link_issue, signin_link_refusal
from sessions_app.services.people import account_event_record, accounts_deactivate


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


def named_by_records(obj) -> bool:
    """Whether a record names obj (a user or a member), so that deleting it would rewrite the
    past. The models' on_delete decide: obj is named when deleting it meets a PROTECT or RESTRICT
    key (sessions_app.models, "People are kept"). One query per related table."""
    collector = NestedObjects(using=router.db_for_write(type(obj)))
    collector.collect([obj])
    return bool(collector.protected)


class KeepsPeopleAdmin(admin.ModelAdmin):
    """Refuses, with refused_message, to delete anyone whom a record names: from the delete page
    and from the "delete selected" action, before anything is deleted. Whoever no record names
    is deleted as Django's admin does it."""

    # ngettext_lazy(singular, plural, "count"), with %(names)s: the people refused.
    refused_message = None

    def refuse(self, request, people) -> None:
        names = ", ".join(str(p) for p in people)
        message = self.refused_message % {"count": len(people), "names": names}
        self.message_user(request, message, messages.ERROR)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj) and named_by_records(obj):
            self.refuse(request, [obj])
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            )
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_delete_selected_unless_named, name, description)
        return actions


def _delete_selected_unless_named(modeladmin, request, queryset):
    """Django's "delete selected", refused whole when a record names any of the selection."""
    named = [obj for obj in queryset if named_by_records(obj)]
    if named:
        modeladmin.refuse(request, named)
        return None
    return delete_selected(modeladmin, request, queryset)


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
    actions = ["issue_secretary_links"]

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "GET":
            messages.info(request, _(
                "A new group needs its secretary: add them as a member with the role secretary "
                "below (or run manage.py create_group), then use the action “Issue sign-in "
                "links to the secretaries” on the list of groups and hand the link over."
            ))
        return super().add_view(request, form_url, extra_context)

    @admin.action(description=_("Issue sign-in links to the secretaries"))
    def issue_secretary_links(self, request, queryset):
        """A new one-time sign-in link for each selected group's current secretaries, shown
        here to hand over (every older link of theirs stops working)."""
        today = timezone.localdate()
        secretaries = (
            Member.objects.filter(group__in=queryset, role=Member.Role.SECRETARY)
            .in_group_on(today)
            .select_related("group", "user")
            .in_rank_order()
        )
        base_url = request.build_absolute_uri("/")
        for secretary in secretaries:
            who = f"{secretary.group} · {secretary.display_name}"
            refusal = signin_link_refusal(secretary)
            if refusal:
                messages.warning(request, f"{who}: {refusal}")
                continue
            link = signin_link_issue(member=secretary, actor=request.user, base_url=base_url,
                                     request=request)
            messages.info(request, f"{who}: {link}")
        if not secretaries:
            messages.warning(request, _("The selected groups have no secretary today."))

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
class MemberAdmin(KeepsPeopleAdmin, AuditedAdmin):
    refused_message = ngettext_lazy(
        "%(names)s cannot be deleted: the group's records name this member. A member who leaves "
        "is given a leaving date (left on): they leave the group and their records stay.",
        "%(names)s cannot be deleted: the group's records name these members. A member who "
        "leaves is given a leaving date (left on): they leave the group and their records stay.",
        "count",
    )
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
        "word_count",
        "char_count",
    )
    list_display = (
        "title",
        "author",
        "group",
        "kind",
        "word_count",
        "char_count",
        "submitted_at",
        "status",
    )
    list_filter = ("group", "kind", "status")
    search_fields = ("title", "author__display_name")


@admin.register(LeaveRequest)
class LeaveRequestAdmin(AuditedAdmin):
    """Leave is asked for and decided in the app (sessions_app.services.leave), which records
    the attendance with it: here the site administrator reads it."""

    list_display = ("session", "member", "reason", "status", "decided_by", "decided_at")
    list_filter = ("session__group", "status")
    search_fields = ("member__display_name", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MakeupDuty)
class MakeupDutyAdmin(AuditedAdmin):
    """补学 follows the attendance and the secretary's review (sessions_app.services.makeup):
    read-only here, so that a duty and its attendance row never disagree."""

    list_display = ("member", "attendance", "due_on", "status", "submitted_at", "reviewed_at")
    list_filter = ("member__group", "status")
    search_fields = ("member__display_name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(KeepsPeopleAdmin, DjangoUserAdmin):
    """Django's user admin, where an account whose person has records is deactivated, never
    deleted: deactivating ends sign-in at once and keeps every record. An account no record
    names (made by mistake, never used) can still be deleted."""

    refused_message = ngettext_lazy(
        "%(names)s cannot be deleted: the records name this account, and deleting it would "
        'change past figures. Deactivate it instead (the action "Deactivate the selected '
        'accounts"): the person can no longer sign in and the records stay.',
        "%(names)s cannot be deleted: the records name these accounts, and deleting them would "
        'change past figures. Deactivate them instead (the action "Deactivate the selected '
        'accounts"): the people can no longer sign in and the records stay.',
        "count",
    )
    list_display = (*DjangoUserAdmin.list_display, "is_active")
    actions = ["deactivate_accounts"]

    @admin.action(permissions=["change"], description=_("Deactivate the selected accounts"))
    def deactivate_accounts(self, request, queryset):
        count = accounts_deactivate(users=queryset, actor=request.user, request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d account deactivated: it can no longer sign in; its records stay.",
                "%(count)d accounts deactivated: they can no longer sign in; their records stay.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            action = (
                AuditEvent.Action.REACTIVATED if obj.is_active else AuditEvent.Action.DEACTIVATED
            )
            account_event_record(user=obj, actor=request.user, action=action, request=request)

    def delete_model(self, request, obj):
        account_event_record(
            user=obj, actor=request.user, action=AuditEvent.Action.DELETED, request=request
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            account_event_record(
                user=user, actor=request.user, action=AuditEvent.Action.DELETED, request=request
            )
        super().delete_queryset(request, queryset)
