"""URLs of the households pages."""

from django.urls import path

from households import views

app_name = "households"

urlpatterns = [
    path("helper/", views.my_households, name="my-households"),
    path("helpers/<str:person_code>/", views.helper_detail, name="helper-detail"),
    path("households/", views.household_list, name="household-list"),
    path("households/<str:code>/", views.household_detail, name="household-detail"),
    path("households/<str:code>/plan/", views.plan_new, name="plan-new"),
    path("visits/new/", views.visit_new, name="visit-new"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("deeds/new/", views.deed_new, name="deed-new"),
    path("deeds/<int:pk>/edit/", views.deed_edit, name="deed-edit"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.review_decide, name="review-decide"),
]
