"""URLs of the trigger pages (namespace ``escalations``)."""

from django.urls import path

from accountability.escalation import record_views as views

app_name = "escalations"

urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_new, name="incident-new"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_new, name="case-new"),
    path("ratings/", views.rating_list, name="rating-list"),
    path("ratings/new/", views.rating_new, name="rating-new"),
]
