"""URLs of the tiers app: pages and the catalogue API."""

from django.urls import path

from tiers import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("places/<str:code>/", views.place_detail, name="place-detail"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("api/v1/catalogue/", api.CatalogueView.as_view(), name="api-catalogue"),
]
