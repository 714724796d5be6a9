from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight.models import GroupPlacement, Organisation, OrganisationRole
from oversight.services.organisations import organisation_create


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "parent", "path")
    search_fields = ("name", "slug")

    def get_readonly_fields(self, request, obj=None):
        # An organisation is not moved under another parent: its subtree's paths would follow.
        return ("path", "parent") if obj else ("path",)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = organisation_create(
            name=obj.name, slug=obj.slug, parent=obj.parent, actor=request.user
        )
        obj.pk, obj.path = created.pk, created.path


@admin.register(OrganisationRole)
class OrganisationRoleAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "user", "role")
    list_filter = ("role",)
    autocomplete_fields = ("organisation",)


@admin.register(GroupPlacement)
class GroupPlacementAdmin(SimpleHistoryAdmin):
    list_display = ("group", "organisation")
    autocomplete_fields = ("organisation",)
