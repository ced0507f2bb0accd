"""URLs of the roster import (namespace ``rosters``)."""

from django.urls import path

from rosters import views

app_name = "rosters"

urlpatterns = [
    path("rosters/template.xlsx", views.template, name="template"),
]
