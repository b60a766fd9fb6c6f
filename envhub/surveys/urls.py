"""The survey pages: the units' side (`views.py`) and the stewards' (review, campaigns,
schemas: `review_urls.py`)."""

from django.urls import include, path

from envhub.surveys import views

urlpatterns = [
    path("surveys/", views.survey_home, name="survey-home"),
    path("surveys/assignments/<int:assignment_id>/", views.assignment_page,
         name="survey-assignment"),
    path("surveys/assignments/<int:assignment_id>/template.xlsx", views.template_download,
         name="survey-template"),
    path("surveys/assignments/<int:assignment_id>/upload/", views.upload_file,
         name="survey-upload"),
    path("surveys/submissions/<int:submission_id>/", views.submission_page,
         name="survey-submission"),
    path("surveys/submissions/<int:submission_id>/submit/", views.submit,
         name="survey-submit"),
    path("surveys/uploads/<int:upload_id>/file", views.upload_original,
         name="survey-upload-file"),
    path("surveys/uploads/<int:upload_id>/progress.json", views.upload_progress,
         name="survey-upload-progress"),
    path("surveys/uploads/<int:upload_id>/annotated.xlsx", views.upload_annotated,
         name="survey-upload-annotated"),
    path("", include("envhub.surveys.review_urls")),
]
