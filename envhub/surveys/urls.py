from django.urls import path

from envhub.surveys import views

urlpatterns = [
    path("surveys/submissions/<int:submission_id>/", views.submission_page,
         name="survey-submission"),
]
