"""URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accountability import auth

#: Django's account pages (``django.contrib.auth.urls``), the password reset through ``accountability.auth``:
#: 404 unless mail is configured, and rate-limited where it is.
account_urls = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password_reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include(account_urls)),
    path("", include("households.urls")),
    path("", include("villagecorps.urls")),
    path("", include("tiers.urls")),
    path("", include("accountability.escalation.urls")),
    path("", include("accountability.escalation.output_urls")),
    path("", include("accountability.dashboards.urls")),
    path("", include("rosters.urls")),
    path("api/v1/", include("accountability.api_urls")),
]
