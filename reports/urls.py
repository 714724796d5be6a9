from django.urls import path

from reports.views import pages

app_name = "reports"

urlpatterns = [
    path("", pages.index, name="index"),
    path("<str:term_code>/summary/", pages.summary, name="summary"),
    path("<str:term_code>/summary/edit/", pages.summary_edit, name="summary_edit"),
    path("<str:term_code>/summary/preview/", pages.summary_preview, name="summary_preview"),
    path("<str:term_code>/summary/approve/", pages.summary_approve, name="summary_approve"),
    path("<str:term_code>/summary/v<int:version>/", pages.summary_version, name="summary_version"),
    path("<str:term_code>/plan/", pages.plan_document, name="plan_document"),
]
