"""URLs of the roster import (namespace ``rosters``)."""

from django.urls import path

from rosters import views

app_name = "rosters"

urlpatterns = [
    path("rosters/template.xlsx", views.template, name="template"),
    path("rosters/import/", views.upload, name="upload"),
    path("rosters/imports/<int:pk>/", views.detail, name="detail"),
    path("rosters/imports/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("rosters/imports/<int:pk>/retry/", views.retry, name="retry"),
    path("rosters/imports/<int:pk>/progress.json", views.progress, name="progress"),
]
