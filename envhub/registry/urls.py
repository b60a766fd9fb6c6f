from django.urls import path

from envhub.registry import views

urlpatterns = [
    path("facilities/", views.facility_list, name="facility-list"),
    path("facilities/<int:facility_id>/", views.facility_detail, name="facility-detail"),
    path("stations/", views.station_list, name="station-list"),
    path("stations/<str:code>/", views.station_detail, name="station-detail"),
    path("parameters/", views.parameter_list, name="parameter-list"),
]
