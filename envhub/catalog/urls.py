from django.urls import path, re_path

from envhub.catalog import dcat
from envhub.catalog.ckan.view import action_view

urlpatterns = [
    # CKAN's Action API, at the paths CKAN serves it (clients such as ckanapi use /api/action/).
    re_path(r"^api/(?:3/)?action/(?P<name>[a-z_]+)$", action_view, name="ckan-action"),
    # DCAT-AP: the catalogue (paged) and each dataset.
    path("catalog.<str:fmt>", dcat.catalog_view, name="dcat-catalog"),
    path("dataset/<slug:identifier>.<str:fmt>", dcat.dataset_view, name="dcat-dataset"),
    # The URIs the DCAT output gives datasets, provinces and organisations answer too.
    path("dataset/<slug:identifier>", dcat.dataset_resource, name="dcat-dataset-uri"),
    path("provinces/<str:code>", dcat.province_resource, name="dcat-province-uri"),
    path("organisations/<int:pk>", dcat.organisation_resource, name="dcat-organisation-uri"),
]
