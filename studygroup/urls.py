from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from notices.views.calendar import calendar_feed, calendar_page
from sessions_app.views.home import home
from sessions_app.views.signin import SigninView

urlpatterns = [
    path("", home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # A one-time sign-in link (sessions_app.signin); then <uidb64>/set-password/.
    path("signin/<uidb64>/<token>/", SigninView.as_view(), name="signin"),
    # A user's calendar: the page to find or renew its address, and the feed itself (no login:
    # the token in the address is the secret; notices.views.calendar).
    path("accounts/calendar/", calendar_page, name="calendar"),
    path("calendar/<slug:token>.ics", calendar_feed, name="calendar_feed"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("g/<slug:group_slug>/", include("sessions_app.urls")),
    path("g/<slug:group_slug>/reports/", include("reports.urls")),
    path("g/<slug:group_slug>/audit/", include("audit.urls")),
    path("g/<slug:group_slug>/notices/", include("notices.urls")),
    # Above the group: organisations, their inspectors and the county table (oversight/).
    path("g/<slug:group_slug>/submissions/", include("oversight.urls_group")),
    path("o/", include("oversight.urls")),
]
