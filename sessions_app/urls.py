from django.urls import path

from sessions_app.views import dashboard

from sessions_app.views import plans as plan_views

app_name = "sessions_app"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("plans/", plan_views.plan_current, name="plan_current"),
    path("plans/start/", plan_views.plan_create, name="plan_create"),
    path("plans/<str:term_code>/", plan_views.plan_detail, name="plan_detail"),
    path("plans/<str:term_code>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<str:term_code>/approve/", plan_views.plan_approve, name="plan_approve"),
    path(
        "plans/<str:term_code>/topics/<int:topic_id>/done/",
        plan_views.plan_topic_done,
        name="plan_topic_done",
    ),
]
