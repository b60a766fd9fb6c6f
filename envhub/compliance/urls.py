from django.urls import path

from envhub.compliance import list_views, notification_views, views

urlpatterns = [
    path("compliance/", views.overview, name="compliance"),
    path("compliance/events/", list_views.events, name="compliance-events"),
    path("compliance/events.<str:fmt>", list_views.events_export,
         name="compliance-events-export"),
    path("facilities.<str:fmt>", list_views.facility_list_export, name="facility-list-export"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:delivery_id>/read/", notification_views.read_one,
         name="notification-read"),
    path("notifications/preferences/", notification_views.notification_preferences,
         name="notification-preferences"),
    path("facilities/<int:facility_id>/compliance/", views.facility_compliance,
         name="facility-compliance"),
    path("facilities/<int:facility_id>/compliance.xlsx", views.facility_compliance_xlsx,
         name="facility-compliance-xlsx"),
    path("provinces/<str:code>/compliance/", views.province_compliance,
         name="province-compliance"),
]
