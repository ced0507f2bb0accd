"""URLs of the year-end outputs and the action pages (namespace ``escalation_outputs``)."""

from django.urls import path

from accountability.escalation import views

app_name = "escalation_outputs"

urlpatterns = [
    path("admonishments/", views.admonishments, name="admonishments"),
    path("awards/", views.awards, name="awards"),
    path("assessment-caps/", views.assessment_caps, name="assessment-caps"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/notice/", views.action_notice, name="notice"),
    path(
        "actions/<int:pk>/rebuttals/<int:rebuttal>/attachment/",
        views.rebuttal_attachment,
        name="rebuttal-attachment",
    ),
]
