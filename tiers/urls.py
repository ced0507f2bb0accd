"""URLs of the tiers app: pages and the catalogue API."""

from django.urls import path

from tiers import api, record_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("places/<str:code>/", views.place_detail, name="place-detail"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("api/v1/catalogue/", api.CatalogueView.as_view(), name="api-catalogue"),
    path("records/new/", record_views.record_new, name="record-new"),
    path("records/places/<str:code>/", record_views.place_records, name="records-place"),
    path("records/units/<str:code>/", record_views.unit_records, name="records-unit"),
    path("records/<int:pk>/attachment/", record_views.record_attachment, name="record-attachment"),
]
