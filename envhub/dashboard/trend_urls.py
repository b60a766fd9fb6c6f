"""The dashboard's trends and rankings pages (included by `dashboard/urls.py`)."""

from django.urls import path

from envhub.dashboard import trend_views

urlpatterns = [
    path("dashboard/trends/", trend_views.trends_page, name="dashboard-trends"),
    path("dashboard/rankings/", trend_views.rankings_page, name="dashboard-rankings"),
    path("dashboard/rankings.csv", trend_views.rankings_csv, name="dashboard-rankings-csv"),
    path("dashboard/rankings.xlsx", trend_views.rankings_xlsx, name="dashboard-rankings-xlsx"),
]
