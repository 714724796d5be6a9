from django.urls import path

from oversight.views import bulletin, sittings, submissions, summary_bundles, table

app_name = "oversight"

urlpatterns = [
    path("", table.index, name="index"),
    path("<slug:org_slug>/", table.table, name="table"),
    path("<slug:org_slug>/table.xlsx", table.table_xlsx, name="table_xlsx"),
    path("<slug:org_slug>/groups/<slug:group_slug>/", table.group_page, name="group"),
    path("<slug:org_slug>/sessions/<int:pk>/sit-in/", sittings.sit_in, name="sit_in"),
    path("<slug:org_slug>/sittings/", sittings.sittings, name="sittings"),
    path("<slug:org_slug>/sittings/<int:pk>/evaluate/", sittings.evaluate, name="evaluate"),
    path(
        "<slug:org_slug>/sittings/<int:pk>/materials/<int:material_pk>/",
        sittings.material,
        name="sitting_material",
    ),
    path("<slug:org_slug>/bulletin/", bulletin.bulletin, name="bulletin"),
    path("<slug:org_slug>/bulletin/approve/", bulletin.approve, name="bulletin_approve"),
    path("<slug:org_slug>/bulletin.pdf", bulletin.pdf, name="bulletin_pdf"),
    path("<slug:org_slug>/bulletin.docx", bulletin.docx, name="bulletin_docx"),
    path("<slug:org_slug>/summaries/", summary_bundles.start, name="summary_bundle_start"),
    path("<slug:org_slug>/summaries/<int:pk>/", summary_bundles.page, name="summary_bundle"),
    path(
        "<slug:org_slug>/summaries/<int:pk>/status/",
        summary_bundles.status,
        name="summary_bundle_status",
    ),
    path(
        "<slug:org_slug>/summaries/<int:pk>/download/",
        summary_bundles.download,
        name="summary_bundle_download",
    ),
    path("<slug:org_slug>/submissions/", submissions.inbox, name="inbox"),
    path("<slug:org_slug>/submissions/<int:pk>/receive/", submissions.receive, name="receive"),
    path("<slug:org_slug>/submissions/<int:pk>/return/", submissions.return_, name="return"),
]
