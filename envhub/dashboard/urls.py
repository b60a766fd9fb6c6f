"""The dashboard's pages (`/dashboard/…`); their JSON twins are in `dashboard/api.py`."""

from django.urls import include, path  # noqa: F401 - the pages add themselves below

urlpatterns: list = [
    path("", include("envhub.dashboard.trend_urls")),
]
