from django.urls import path

from sessions_app.views import dashboard

app_name = "sessions_app"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
]
