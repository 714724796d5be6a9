from django.urls import path, register_converter

from sessions_app.views import (
    checkin,
    dashboard,
    essays,
    groups,
    history,
    imports,
    leave,
    makeup,
    me,
    members,
    sessions,
)
from sessions_app.views import plans as plan_views


class ImportKindConverter:
    """What an import reads: the members, or the records so far (sessions and attendance)."""

    regex = "members|records"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SheetFormatConverter(ImportKindConverter):
    """The format of a spreadsheet download."""

    regex = "xlsx|csv"


register_converter(ImportKindConverter, "importkind")
register_converter(SheetFormatConverter, "sheetformat")

app_name = "sessions_app"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("sessions/", sessions.session_list, name="session_list"),
    path("sessions/new/", sessions.session_create, name="session_create"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<int:pk>/history/", history.session_history, name="session_history"),
    path("sessions/<int:pk>/delete/", sessions.session_delete_confirm, name="session_delete"),
    path("sessions/<int:pk>/materials/", sessions.material_upload, name="material_upload"),
    path(
        "sessions/<int:pk>/materials/<int:material_pk>/",
        sessions.material_download,
        name="material_download",
    ),
    path(
        "sessions/<int:pk>/materials/<int:material_pk>/delete/",
        sessions.material_delete_confirm,
        name="material_delete",
    ),
    # A notice (学习通知) links a member to the request form of its session in one step.
    path("sessions/<int:pk>/leave/", leave.leave_request_view, name="leave_request"),
    path("leave/", leave.leave_list, name="leave_list"),
    path("leave/<int:pk>/decide/", leave.leave_decide_view, name="leave_decide"),
    path("makeup/", makeup.makeup_list, name="makeup_list"),
    path("makeup/<int:pk>/", makeup.makeup_detail, name="makeup_detail"),
    path("makeup/<int:pk>/review/", makeup.makeup_review_view, name="makeup_review"),
    path("makeup/<int:pk>/file/", makeup.makeup_file, name="makeup_file"),
    # QR check-in (sessions_app.checkin): the projector page, its code, the URL in the code.
    path("sessions/<int:pk>/checkin/", checkin.checkin_open, name="checkin_open"),
    path("sessions/<int:pk>/checkin/code/", checkin.checkin_code, name="checkin_code"),
    path("sessions/<int:pk>/checkin/scan/<str:token>/", checkin.checkin, name="checkin"),
    path("me/", me.my_record, name="my_record"),
    path("members/", members.member_list, name="member_list"),
    path("members/new/", members.member_create, name="member_create"),
    path("members/order/", members.member_order, name="member_order"),
    path("members/links/", members.member_links_print, name="member_links"),
    path("members/<int:pk>/edit/", members.member_edit, name="member_edit"),
    path("members/<int:pk>/leave/", members.member_leave_confirm, name="member_leave"),
    path("members/<int:pk>/rejoin/", members.member_rejoin_confirm, name="member_rejoin"),
    path("members/<int:pk>/link/", members.member_link, name="member_link"),
    path("members/export.<sheetformat:fmt>", imports.member_export, name="member_export"),
    # The dashboard's first steps name pages by a URL name and the group alone.
    path("import/records/", imports.import_upload, {"import_kind": "records"},
         name="records_import"),
    path("import/<importkind:import_kind>/", imports.import_upload, name="import_upload"),
    path("import/<importkind:import_kind>/confirm/", imports.import_confirm,
         name="import_confirm"),
    path("import/<importkind:import_kind>/template.xlsx", imports.import_template,
         name="import_template"),
    path("attendance/ledger.<sheetformat:fmt>", imports.ledger_export, name="ledger_export"),
    path("members/history/", history.member_history, name="member_history"),
    path("rules/", groups.group_rules, name="group_rules"),
    path("essays/", essays.essay_list, name="essay_list"),
    path("essays/new/", essays.essay_create, name="essay_create"),
    path("essays/<int:pk>/", essays.essay_detail, name="essay_detail"),
    path("essays/<int:pk>/edit/", essays.essay_edit, name="essay_edit"),
    path("essays/<int:pk>/file/", essays.essay_file, name="essay_file"),
    path("essays/<int:pk>/history/", history.essay_history, name="essay_history"),
    path("essays/<int:pk>/review/", essays.essay_review_view, name="essay_review"),
    path("plans/", plan_views.plan_current, name="plan_current"),
    path("plans/start/", plan_views.plan_create, name="plan_create"),
    path("plans/<str:term_code>/", plan_views.plan_detail, name="plan_detail"),
    path("plans/<str:term_code>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<str:term_code>/history/", history.plan_history, name="plan_history"),
    path("plans/<str:term_code>/approve/", plan_views.plan_approve, name="plan_approve"),
    path(
        "plans/<str:term_code>/topics/<int:topic_id>/done/",
        plan_views.plan_topic_done,
        name="plan_topic_done",
    ),
]
