"""The stewards' survey pages: the review queue and decisions, campaigns and their progress,
schemas, versions and generic tables' rows."""

from django.urls import path

from envhub.surveys import campaign_views, review_views, schema_views

urlpatterns = [
    path("surveys/review/", review_views.review_queue, name="survey-review"),
    path("surveys/submissions/<int:submission_id>/return/", review_views.return_submission,
         name="survey-return"),
    path("surveys/submissions/<int:submission_id>/approve/", review_views.approve_submission,
         name="survey-approve"),
    path("surveys/versions/<int:version_id>/download", review_views.version_download,
         name="survey-version-download"),
    path("surveys/campaigns/", campaign_views.campaign_list, name="survey-campaigns"),
    path("surveys/campaigns/new/", campaign_views.campaign_new, name="survey-campaign-new"),
    path("surveys/campaigns/<int:campaign_id>/", campaign_views.campaign_page,
         name="survey-campaign"),
    path("surveys/assignments/<int:assignment_id>/deadline/",
         campaign_views.assignment_deadline, name="survey-assignment-deadline"),
    path("surveys/assignments/<int:assignment_id>/rows/", campaign_views.table_rows,
         name="survey-table-rows"),
    path("surveys/schemas/", schema_views.schema_list, name="survey-schemas"),
    path("surveys/schemas/new/", schema_views.schema_new, name="survey-schema-new"),
    path("surveys/schemas/<slug:slug>/", schema_views.schema_page, name="survey-schema"),
    path("surveys/schemas/<slug:slug>/edit/", schema_views.schema_edit,
         name="survey-schema-edit"),
    path("surveys/schemas/<slug:slug>/template.xlsx", schema_views.schema_template,
         name="survey-schema-template"),
]
