"""The dashboard's pages (`/dashboard/…`); their JSON twins are in `dashboard/trends_api.py`
and `dashboard/reports_api.py`."""

from django.urls import include, path

from envhub.dashboard import report_views, views

urlpatterns: list = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("", include("envhub.dashboard.trend_urls")),
    path("dashboard/reports/", report_views.report_list, name="dashboard-reports"),
    path("dashboard/reports/new", report_views.report_request, name="dashboard-report-new"),
    path("dashboard/reports/<int:report_id>.<str:kind>", report_views.report_download,
         name="dashboard-report-file"),
]
