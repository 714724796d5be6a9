from django.urls import path

from notices.views import delivery

app_name = "notices"

urlpatterns = [
    path("inbox/", delivery.inbox, name="inbox"),
    path("inbox/<int:pk>/", delivery.inbox_message, name="inbox_message"),
    path("inbox/settings/", delivery.reminder_settings, name="reminder_settings"),
    path("reminders/", delivery.deliveries, name="deliveries"),
    path("reminders/robots/", delivery.group_robots, name="group_robots"),
]
