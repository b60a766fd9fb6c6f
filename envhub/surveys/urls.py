"""The survey pages: the units' side (`views.py`) and the stewards' (review, campaigns,
schemas: `review_urls.py`)."""

from django.urls import include, path

from envhub.surveys import views

urlpatterns = [
    path("surveys/submissions/<int:submission_id>/", views.submission_page,
         name="survey-submission"),
    path("", include("envhub.surveys.review_urls")),
]
