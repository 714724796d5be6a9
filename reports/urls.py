from django.urls import path

from reports.views import archive as archive_views
from reports.views import history, pages, word_templates
from reports.views import pdf as pdf_views
from reports.views import word as word_views

app_name = "reports"

urlpatterns = [
    path("", pages.index, name="index"),
    path("<str:term_code>/summary/", pages.summary, name="summary"),
    path("<str:term_code>/summary/history/", history.summary_history, name="summary_history"),
    path("<str:term_code>/summary/edit/", pages.summary_edit, name="summary_edit"),
    path("<str:term_code>/summary/preview/", pages.summary_preview, name="summary_preview"),
    path("<str:term_code>/summary/approve/", pages.summary_approve, name="summary_approve"),
    path("<str:term_code>/summary/v<int:version>/", pages.summary_version, name="summary_version"),
    path("<str:term_code>/plan/", pages.plan_document, name="plan_document"),
    # Report PDFs (reports/views/pdf.py): start, progress page, JSON status, download.
    path("pdf/<str:term_code>/<str:kind>/", pdf_views.pdf_start, name="pdf_start"),
    path(
        "pdf/<str:term_code>/<str:kind>/<int:report_file_id>/",
        pdf_views.pdf_progress,
        name="pdf_progress",
    ),
    path(
        "pdf/<str:term_code>/<str:kind>/<int:report_file_id>/status/",
        pdf_views.pdf_status,
        name="pdf_status",
    ),
    path(
        "pdf/<str:term_code>/<str:kind>/<int:report_file_id>/download/",
        pdf_views.pdf_download,
        name="pdf_download",
    ),
    # Word files (reports/views/word.py): approved documents' made ahead, others on request.
    path("docx/<str:term_code>/<str:kind>/", word_views.docx_download, name="docx_download"),
    path(
        "sessions/<int:pk>/record.docx",
        word_views.session_record_docx,
        name="session_record_docx",
    ),
    path(
        "sessions/<int:pk>/sign-in.pdf",
        word_views.sign_in_sheet_pdf,
        name="sign_in_sheet_pdf",
    ),
    path(
        "sessions/<int:pk>/sign-in.docx",
        word_views.sign_in_sheet_docx,
        name="sign_in_sheet_docx",
    ),
    # The group's Word template (reports/views/word_templates.py).
    path("word-template/", word_templates.word_template, name="word_template"),
    path("word-template/default.docx", word_templates.word_template_default,
         name="word_template_default"),
    path("word-template/use-default/", word_templates.word_template_reset,
         name="word_template_reset"),
    # The study archive (reports/views/archive.py): the year's 学习档案专卷 and members' 学习档案.
    path("archive/", archive_views.archive_index, name="archive_index"),
    path("archive/<int:year>/", archive_views.archive_year, name="archive_year"),
    path(
        "archive/<int:year>/build/<str:kind>/",
        archive_views.archive_build_start,
        name="archive_build_start",
    ),
    path("archive/builds/<int:build_id>/", archive_views.archive_build, name="archive_build"),
    path(
        "archive/builds/<int:build_id>/status/",
        archive_views.archive_build_status,
        name="archive_build_status",
    ),
    path(
        "archive/builds/<int:build_id>/download/<str:fmt>/",
        archive_views.archive_download,
        name="archive_download",
    ),
    path(
        "archive/<int:year>/members/<int:member_id>/",
        archive_views.member_archive_page,
        name="member_archive",
    ),
    path(
        "archive/<int:year>/members/<int:member_id>/pdf/",
        archive_views.member_archive_download,
        name="member_archive_pdf",
    ),
]
