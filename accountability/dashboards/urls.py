"""URLs of the dashboards (namespace ``dashboards``)."""

from django.urls import path

from accountability.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/places/<str:code>/", views.place, name="place"),
    path("dashboard/places/<str:code>/subjects/", views.subjects, name="subjects"),
    path("dashboard/places/<str:code>/tiers/<str:tier>/", views.tier, name="tier"),
    path("dashboard/people/<str:code>/", views.person, name="person"),
    path("dashboard/units/<str:code>/", views.unit, name="unit"),
    path("dashboard/violations/<int:pk>/", views.violation, name="violation"),
    path("dashboard/my-duties.xlsx", views.my_duties, name="my-duties"),
    path("api/v1/dashboard/places/<str:code>/", views.place_data, name="place-data"),
]
