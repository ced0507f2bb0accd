"""URLs of the compliance API, included under ``api/v1/``."""

from django.urls import include, path

from accountability import api

urlpatterns = [
    path("violations/", api.ViolationListView.as_view(), name="api-violations"),
    path("violations/export.xlsx", api.ViolationExportView.as_view(), name="api-violations-export"),
    path("violations/<int:pk>/", api.ViolationDetailView.as_view(), name="api-violation-detail"),
    path("escalations/", include("accountability.escalation.api")),
]
