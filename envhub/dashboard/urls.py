"""The dashboard's pages (`/dashboard/…`); their JSON twins are in `dashboard/api.py`."""

from django.urls import include, path

from envhub.dashboard import views

urlpatterns: list = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("", include("envhub.dashboard.trend_urls")),
]
