"""The notices app's pages inside a group (included at g/<group_slug>/notices/)."""

from django.urls import path

from notices.views import notice

app_name = "notices"

urlpatterns = [
    path("<int:session_pk>/", notice.notice_detail, name="notice_detail"),
    path("<int:session_pk>/edit/", notice.notice_edit, name="notice_edit"),
    path("<int:session_pk>/read/", notice.notice_read, name="notice_read"),
]
