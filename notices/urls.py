"""The notices app's pages inside a group (included at g/<group_slug>/notices/)."""

from django.urls import path

from notices.views import delivery, notice

app_name = "notices"

urlpatterns = [
    path("inbox/", delivery.inbox, name="inbox"),
    path("inbox/<int:pk>/", delivery.inbox_message, name="inbox_message"),
    path("inbox/settings/", delivery.reminder_settings, name="reminder_settings"),
    path("reminders/", delivery.deliveries, name="deliveries"),
    path("reminders/robots/", delivery.group_robots, name="group_robots"),
    path("<int:session_pk>/", notice.notice_detail, name="notice_detail"),
    path("<int:session_pk>/edit/", notice.notice_edit, name="notice_edit"),
    path("<int:session_pk>/read/", notice.notice_read, name="notice_read"),
]
