"""A group's 报送 pages, under /g/<group_slug>/submissions/."""

from django.urls import path

from oversight.views import submissions

app_name = "submissions"

urlpatterns = [
    path("", submissions.group_submissions, name="list"),
    path("submit/", submissions.group_submit, name="submit"),
]
