"""The dashboard's pages (`/dashboard/…`); their JSON twins are in `dashboard/api.py`."""

from django.urls import path  # noqa: F401 - the pages add themselves below

urlpatterns: list = []
