from django.urls import path

from envhub.catalog import cards, steward_views, views

urlpatterns = [
    path("datasets/", views.catalog_search, name="catalog"),
    path("datasets/<slug:identifier>/", views.dataset_page, name="dataset"),
    path("datasets/<slug:identifier>/rows.json", views.dataset_rows, name="dataset-rows"),
    path("datasets/<slug:identifier>/download.<str:fmt>", views.dataset_download,
         name="dataset-download"),
    path("datasets/<slug:identifier>/edit/", steward_views.dataset_edit, name="dataset-edit"),
    path("datasets/<slug:identifier>/publish/", steward_views.dataset_publish,
         name="dataset-publish"),
    path("catalogue/late/", views.late_datasets, name="catalog-late"),
    path("cards/datasets/<slug:identifier>.png", cards.dataset_card, name="card-dataset"),
]
