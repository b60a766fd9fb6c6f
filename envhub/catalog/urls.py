from django.urls import path, re_path

from envhub.catalog import ckan, dcat

urlpatterns = [
    # CKAN's Action API, at the paths CKAN serves it (clients such as ckanapi use /api/action/).
    re_path(r"^api/(?:3/)?action/(?P<name>[a-z_]+)$", ckan.action_view, name="ckan-action"),
    # DCAT-AP: the catalogue (paged) and each dataset.
    path("catalog.<str:fmt>", dcat.catalog_view, name="dcat-catalog"),
    path("dataset/<slug:identifier>.<str:fmt>", dcat.dataset_view, name="dcat-dataset"),
]
