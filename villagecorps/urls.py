"""URLs of the villagecorps pages."""

from django.urls import path

from villagecorps import views

app_name = "villagecorps"

urlpatterns = [
    path("duty/", views.my_duty, name="my-duty"),
    path("members/<int:pk>/", views.member_card, name="member-card"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<int:pk>/", views.team_calendar, name="team-calendar"),
    path("teams/<int:pk>/week/", views.team_week, name="team-week"),
    path("counties/<str:code>/teams/", views.county_teams, name="county-teams"),
    path("duty/import/", views.duty_import, name="duty-import"),
]
