from django.urls import path

from envhub.compliance import views

urlpatterns = [
    path("compliance/", views.overview, name="compliance"),
    path("notifications/", views.notifications, name="notifications"),
    path("facilities/<int:facility_id>/compliance/", views.facility_compliance,
         name="facility-compliance"),
    path("facilities/<int:facility_id>/compliance.xlsx", views.facility_compliance_xlsx,
         name="facility-compliance-xlsx"),
    path("provinces/<str:code>/compliance/", views.province_compliance,
         name="province-compliance"),
]
