"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("households.urls")),
    path("", include("villagecorps.urls")),
    path("", include("tiers.urls")),
    path("", include("accountability.escalation.urls")),
    path("", include("accountability.escalation.output_urls")),
    path("", include("accountability.dashboards.urls")),
    path("", include("rosters.urls")),
    path("api/v1/", include("accountability.api_urls")),
]
